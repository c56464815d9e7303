// Public rooms of the LAN (those online peers are members of): join one, with its password
// when it has one; a wrong password is explained and can be typed again.
import { useState } from 'react';
import type { PublicRoomInfo } from '../../../shared/api';
import { plural } from '../lib/format';
import { useAppStore } from '../store/store-context';
import { Field, FormError } from './Field';
import { FormDialog } from './FormDialog';
import { useAction } from './use-action';

export function PublicRoomsView() {
  const { list, loading, error } = useAppStore((s) => s.rooms.publicRooms);
  const loadPublicRooms = useAppStore((s) => s.loadPublicRooms);
  const joinRoom = useAppStore((s) => s.joinRoom);
  const selectRoom = useAppStore((s) => s.selectRoom);
  const [joining, setJoining] = useState<PublicRoomInfo | null>(null);
  const [joinError, setJoinError] = useState<{ roomId: string; error: string } | null>(null);

  const join = async (room: PublicRoomInfo): Promise<void> => {
    if (room.joined) return selectRoom(room.id);
    if (room.passwordRequired) return setJoining(room);
    setJoinError(null);
    const result = await joinRoom(room.id);
    if (result.ok) selectRoom(room.id);
    else setJoinError({ roomId: room.id, error: result.error });
  };

  return (
    <main className="main padded" aria-labelledby="public-title" data-testid="public-rooms">
      <div className="section-head">
        <h2 id="public-title">Public rooms on this network</h2>
        <button
          type="button"
          className="secondary"
          onClick={() => void loadPublicRooms()}
          disabled={loading}
        >
          {loading ? 'Looking…' : 'Refresh'}
        </button>
      </div>
      <FormError error={error} />
      {!loading && list.length === 0 && !error && (
        <p className="empty">
          No public rooms found. Rooms show here when a peer that is a member is online.
        </p>
      )}
      <ul className="public-list">
        {list.map((room) => (
          <li
            key={room.id}
            className="card public-room"
            data-testid="public-room"
            data-room-id={room.id}
          >
            <div>
              <h3>{room.name}</h3>
              {room.topic && <p className="muted">{room.topic}</p>}
              <p className="muted">
                {plural(room.memberCount, 'member')} of {room.capacity}
                {room.passwordRequired && ' · password needed'}
              </p>
              {joinError?.roomId === room.id && <FormError error={joinError.error} />}
            </div>
            <button type="button" onClick={() => void join(room)} data-testid="join-room">
              {room.joined ? 'Open' : 'Join'}
              <span className="visually-hidden"> {room.name}</span>
            </button>
          </li>
        ))}
      </ul>
      {joining && (
        <PasswordDialog
          room={joining}
          onClose={() => setJoining(null)}
          onJoined={() => {
            setJoining(null);
            selectRoom(joining.id);
          }}
        />
      )}
    </main>
  );
}

function PasswordDialog(props: { room: PublicRoomInfo; onClose(): void; onJoined(): void }) {
  const joinRoom = useAppStore((s) => s.joinRoom);
  const [password, setPassword] = useState('');
  const { busy, error, setError, run } = useAction();

  const submit = async (): Promise<void> => {
    const result = await run(() => joinRoom(props.room.id, password));
    if (result.ok) return props.onJoined();
    if (result.code !== 'WRONG_PASSWORD') return;
    setError('That password is not right. Check it with a member of the room and try again.');
    setPassword('');
  };

  return (
    <FormDialog
      title={`Join ${props.room.name}`}
      testId="join-password-dialog"
      onClose={props.onClose}
      onSubmit={() => void submit()}
      submitLabel="Join"
      busyLabel="Joining…"
      busy={busy}
      canSubmit={password !== ''}
      error={error}
    >
      <Field label="Room password" hint="This room asks for a password. Its members can tell you.">
        {({ id, describedBy }) => (
          <input
            id={id}
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-describedby={describedBy}
            aria-invalid={error !== null}
            autoFocus
            data-testid="join-password-input"
          />
        )}
      </Field>
    </FormDialog>
  );
}
