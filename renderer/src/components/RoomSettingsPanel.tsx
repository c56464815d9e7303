// A room's settings: admins change name, topic, visibility, password, capacity and history
// sharing; everyone else sees them read-only. Muting is per room and for everyone.
import { useState, type FormEvent } from 'react';
import type { CommandArgs, RoomDetails } from '../../../shared/api';
import { isAdminRole } from '../lib/format';
import { useAppStore } from '../store/store-context';
import { CheckboxField, FormError } from './Field';
import { capacityOf, RoomFormFields, type RoomForm } from './RoomFormFields';
import { SidePanel } from './SidePanel';

function formOf(d: RoomDetails): RoomForm {
  return {
    name: d.name,
    topic: d.topic,
    visibility: d.visibility,
    password: '',
    removePassword: false,
    capacity: String(d.capacity),
    historyShared: d.historyShared,
  };
}

/** Only what the admin changed, so that an unchanged field writes no control op. */
function changesOf(d: RoomDetails, f: RoomForm): Omit<CommandArgs<'rooms.update'>, 'roomId'> {
  const capacity = capacityOf(f);
  return {
    ...(f.name.trim() !== d.name ? { name: f.name } : {}),
    ...(f.topic.trim() !== d.topic ? { topic: f.topic } : {}),
    ...(f.visibility !== d.visibility ? { visibility: f.visibility } : {}),
    ...(f.removePassword ? { password: null } : f.password ? { password: f.password } : {}),
    ...(capacity !== undefined && capacity !== d.capacity ? { capacity } : {}),
    ...(f.historyShared !== d.historyShared ? { historyShared: f.historyShared } : {}),
  };
}

export function RoomSettingsPanel({ roomId }: { roomId: string }) {
  const details = useAppStore((s) => s.rooms.details[roomId]);
  const setRoomMuted = useAppStore((s) => s.setRoomMuted);
  if (!details) {
    return (
      <SidePanel title="Room settings" testId="room-settings-panel">
        <p className="muted">Loading…</p>
      </SidePanel>
    );
  }
  return (
    <SidePanel title="Room settings" testId="room-settings-panel">
      <CheckboxField
        label="Mute this room"
        hint="No notifications for its messages; unread counts still show."
        checked={details.muted}
        onChange={(muted) => void setRoomMuted(roomId, muted)}
        disabled={details.myRole === null}
        testId="mute-room"
      />
      {isAdminRole(details.myRole) ? (
        <RoomSettingsForm key={details.id} details={details} />
      ) : (
        <dl className="facts">
          <div className="fact">
            <dt>Who can join</dt>
            <dd>
              {details.visibility === 'public'
                ? `Anyone on the network${details.passwordRequired ? ' with the password' : ''}`
                : 'Only people an admin invites'}
            </dd>
          </div>
          <div className="fact">
            <dt>Capacity</dt>
            <dd>{details.capacity} members</dd>
          </div>
          <div className="fact">
            <dt>History</dt>
            <dd>
              {details.historyShared
                ? 'New members can read earlier messages'
                : 'New members see only what follows'}
            </dd>
          </div>
          <p className="hint">Only the room’s admins can change these.</p>
        </dl>
      )}
    </SidePanel>
  );
}

function RoomSettingsForm({ details }: { details: RoomDetails }) {
  const updateRoom = useAppStore((s) => s.updateRoom);
  const [form, setForm] = useState(() => formOf(details));
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<{ error: string | null; saved: boolean }>({
    error: null,
    saved: false,
  });

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    const result = await updateRoom({ roomId: details.id, ...changesOf(details, form) });
    setBusy(false);
    setStatus(result.ok ? { error: null, saved: true } : { error: result.error, saved: false });
    if (result.ok) setForm((f) => ({ ...f, password: '', removePassword: false }));
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="panel-section">
      <RoomFormFields
        value={form}
        onChange={(f) => {
          setForm(f);
          setStatus({ error: null, saved: false });
        }}
        hasPassword={details.passwordRequired}
        disabled={busy}
      />
      <FormError error={status.error} />
      <p className="hint" aria-live="polite">
        {status.saved ? 'Saved. Members see the change when they are online.' : ''}
      </p>
      <button type="submit" disabled={busy} data-testid="save-room-settings">
        {busy ? 'Saving…' : 'Save changes'}
      </button>
    </form>
  );
}
