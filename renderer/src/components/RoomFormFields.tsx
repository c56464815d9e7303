// The fields of a room's settings, shared by "New room" and the admins' room settings: name,
// topic, visibility, password, capacity and history sharing. The node validates every value
// (shared/api.ts); these fields only keep what the user typed.
import {
  ROOM_CAPACITY_MAX,
  ROOM_CAPACITY_MIN,
  ROOM_NAME_MAX,
  ROOM_TOPIC_MAX,
} from '../../../shared/room-wire';
import { CheckboxField, Field } from './Field';

export interface RoomForm {
  name: string;
  topic: string;
  visibility: 'private' | 'public';
  /** A new password; empty keeps the current one (or none, for a new room). */
  password: string;
  /** Editing only: take the password off. */
  removePassword: boolean;
  capacity: string;
  historyShared: boolean;
}

export const DEFAULT_CAPACITY = 50;

export const emptyRoomForm: RoomForm = {
  name: '',
  topic: '',
  visibility: 'private',
  password: '',
  removePassword: false,
  capacity: String(DEFAULT_CAPACITY),
  historyShared: true,
};

export function RoomFormFields(props: {
  value: RoomForm;
  onChange(value: RoomForm): void;
  /** Editing a room that has a password now (offers to remove it). */
  hasPassword?: boolean;
  disabled?: boolean;
}) {
  const { value, onChange, hasPassword, disabled } = props;
  const set = (change: Partial<RoomForm>): void => onChange({ ...value, ...change });
  return (
    <fieldset className="room-fields" disabled={disabled}>
      <Field label="Name">
        {({ id }) => (
          <input
            id={id}
            type="text"
            value={value.name}
            maxLength={ROOM_NAME_MAX}
            onChange={(e) => set({ name: e.target.value })}
            required
            data-testid="room-name-input"
          />
        )}
      </Field>
      <Field label="Topic" hint="Optional: what the room is for.">
        {({ id, describedBy }) => (
          <input
            id={id}
            type="text"
            value={value.topic}
            maxLength={ROOM_TOPIC_MAX}
            onChange={(e) => set({ topic: e.target.value })}
            aria-describedby={describedBy}
            data-testid="room-topic-input"
          />
        )}
      </Field>
      <fieldset className="radio-group">
        <legend>Who can join</legend>
        <label className="radio">
          <input
            type="radio"
            name="visibility"
            checked={value.visibility === 'private'}
            onChange={() => set({ visibility: 'private' })}
            data-testid="visibility-private"
          />
          Private: only people an admin invites
        </label>
        <label className="radio">
          <input
            type="radio"
            name="visibility"
            checked={value.visibility === 'public'}
            onChange={() => set({ visibility: 'public' })}
            data-testid="visibility-public"
          />
          Public: listed for everyone on this network
        </label>
      </fieldset>
      {value.visibility === 'public' && (
        <Field
          label={hasPassword ? 'New password' : 'Password'}
          hint={
            hasPassword
              ? 'Leave empty to keep the current password.'
              : 'Optional: people on the network need it to join.'
          }
        >
          {({ id, describedBy }) => (
            <input
              id={id}
              type="password"
              value={value.password}
              onChange={(e) => set({ password: e.target.value, removePassword: false })}
              aria-describedby={describedBy}
              autoComplete="new-password"
              data-testid="room-password-input"
            />
          )}
        </Field>
      )}
      {hasPassword && (
        <CheckboxField
          label="Remove the password"
          checked={value.removePassword}
          onChange={(removePassword) => set({ removePassword, password: '' })}
        />
      )}
      <Field label="Capacity" hint={`Most members: ${ROOM_CAPACITY_MIN} to ${ROOM_CAPACITY_MAX}.`}>
        {({ id, describedBy }) => (
          <input
            id={id}
            type="number"
            min={ROOM_CAPACITY_MIN}
            max={ROOM_CAPACITY_MAX}
            value={value.capacity}
            onChange={(e) => set({ capacity: e.target.value })}
            aria-describedby={describedBy}
            data-testid="room-capacity-input"
          />
        )}
      </Field>
      <CheckboxField
        label="New members can read earlier messages"
        checked={value.historyShared}
        onChange={(historyShared) => set({ historyShared })}
        testId="room-history-input"
      />
    </fieldset>
  );
}

/** The capacity as a number for the node (which explains a bad one in words), or undefined. */
export function capacityOf(form: RoomForm): number | undefined {
  const text = form.capacity.trim();
  return text === '' ? undefined : Number(text);
}
