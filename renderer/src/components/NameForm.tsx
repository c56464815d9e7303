// The display name, editable in place: Enter (or Save) saves, Escape puts the saved name back.
// The name shown is the node's; what the user typed is kept only while they edit. The node
// validates the name (shared/api.ts) and its refusal is shown in its own words.
import { useEffect, useId, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useAppStore } from '../store/store-context';

export function NameForm({ name }: { name: string }) {
  const [draft, setDraft] = useState<string | null>(null);
  const { status, error } = useAppStore((s) => s.identity.nameSave);
  const setDisplayName = useAppStore((s) => s.setDisplayName);
  const resetNameSave = useAppStore((s) => s.resetNameSave);
  const inputId = useId();
  const statusId = useId();

  // "Saved" speaks of a save made here: a form opened later (Settings after onboarding) starts
  // without it.
  useEffect(() => resetNameSave(), [resetNameSave]);

  const value = draft ?? name;
  const saving = status === 'saving';
  const unchanged = value.trim() === name;

  const edit = (next: string): void => {
    setDraft(next);
    resetNameSave();
  };

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (saving || unchanged) return;
    if (await setDisplayName(value)) setDraft(null);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>): void => {
    if (event.key !== 'Escape' || draft === null) return;
    event.preventDefault();
    setDraft(null);
    resetNameSave();
  };

  return (
    <form className="name-form" onSubmit={(e) => void submit(e)} noValidate>
      <label htmlFor={inputId}>Display name</label>
      <div className="name-row">
        <input
          id={inputId}
          name="displayName"
          type="text"
          value={value}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={status === 'failed'}
          aria-describedby={statusId}
          onChange={(e) => edit(e.target.value)}
          onKeyDown={onKeyDown}
          data-testid="display-name-input"
        />
        <button type="submit" disabled={saving || unchanged}>
          {saving ? 'Saving…' : 'Save'}
        </button>
      </div>
      <p id={statusId} className={status === 'failed' ? 'error' : 'hint'} aria-live="polite">
        {status === 'failed'
          ? error
          : status === 'saved'
            ? 'Saved. Your contacts will see the new name.'
            : 'The name your contacts see. Press Enter to save.'}
      </p>
    </form>
  );
}
