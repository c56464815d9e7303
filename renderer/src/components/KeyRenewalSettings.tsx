// Settings › Room keys: when this node renews, on its own, the key of each room it owns or
// administers (settings.update rotateAfterMessages / rotateAfterDays, 0 = never). A change
// applies at once and is kept; the settings.updated event shows one made elsewhere (the CLI,
// another window) unless the user is editing the fields.
import type { FormEvent } from 'react';
import type { CommandArgs, Settings } from '../../../shared/api';
import { useAppStore } from '../store/store-context';
import { FormError, NumberField } from './Field';
import { useSettingsDraft } from './use-settings-draft';

interface Draft {
  messages: string;
  days: string;
}

const draftOf = (s: Settings): Draft => ({
  messages: String(s.rotateAfterMessages),
  days: String(s.rotateAfterDays),
});

/** The change to send: only the limits that differ; or the words for an empty field. */
function changeFrom(
  value: Draft,
  settings: Settings,
): { change: CommandArgs<'settings.update'> } | { error: string } {
  const messages = value.messages.trim();
  const days = value.days.trim();
  if (messages === '') return { error: 'Enter a number of messages (0 for never).' };
  if (days === '') return { error: 'Enter a number of days (0 for never).' };
  // The node checks the numbers and says in words what is wrong with them.
  const change: CommandArgs<'settings.update'> = {};
  if (Number(messages) !== settings.rotateAfterMessages)
    change.rotateAfterMessages = Number(messages);
  if (Number(days) !== settings.rotateAfterDays) change.rotateAfterDays = Number(days);
  return { change };
}

export function KeyRenewalSettings() {
  const settings = useAppStore((s) => s.settings.settings);
  const updateSettings = useAppStore((s) => s.updateSettings);
  const { draft, error, saved, edit, save } = useSettingsDraft<Draft>();
  if (!settings) return null;
  const value = draft ?? draftOf(settings);

  const submit = (event: FormEvent): Promise<void> => {
    event.preventDefault();
    return save(async () => {
      const checked = changeFrom(value, settings);
      if ('error' in checked) return { ok: false, error: checked.error, code: 'BAD_REQUEST' };
      if (Object.keys(checked.change).length === 0) return { ok: true, value: undefined };
      return updateSettings(checked.change);
    });
  };

  return (
    <section className="card" aria-labelledby="key-renewal-heading">
      <h3 id="key-renewal-heading">Room keys</h3>
      <p className="hint">
        In the rooms you own or administer, Parley renews the room’s key on its own, whichever limit
        comes first. A key that leaks (a lost device, a copied disk) then opens only the messages
        written under it. 0 turns a limit off.
      </p>
      <form onSubmit={(e) => void submit(e)} noValidate className="inline-fields">
        <NumberField
          label="Renew each room’s key after this many messages"
          hint="0 = never by count"
          min={0}
          value={value.messages}
          onChange={(messages) => edit(value, { messages })}
          testId="rotate-after-messages-input"
        />
        <NumberField
          label="Or after this many days"
          hint="0 = never by age"
          min={0}
          value={value.days}
          onChange={(days) => edit(value, { days })}
          testId="rotate-after-days-input"
        />
        <button type="submit" disabled={draft === null}>
          Save
        </button>
      </form>
      <FormError error={error} />
      <p className="hint" aria-live="polite" data-testid="key-renewal-saved">
        {saved ? 'Saved. It applies now, and after Parley restarts.' : ''}
      </p>
    </section>
  );
}
