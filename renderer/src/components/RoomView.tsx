// The open room: its header (name, topic, panel toggles, mute), banners (catching up, removed),
// the messages and the composer; the side panel (members, keys, settings, search) beside it.
import type { RoomSummary } from '../../../shared/api';
import { plural } from '../lib/format';
import { roomTitle } from '../store/rooms-slice';
import type { RoomPanel } from '../store/ui-slice';
import { useAppStore } from '../store/store-context';
import { catchingUp } from '../store/sync-slice';
import { KeysPanel } from './KeysPanel';
import { MembersPanel } from './MembersPanel';
import { Composer } from './Composer';
import { MessageList } from './MessageList';
import { RoomSettingsPanel } from './RoomSettingsPanel';
import { SearchPanel } from './SearchPanel';

const PANELS: Array<{ panel: RoomPanel; label: string }> = [
  { panel: 'search', label: 'Search' },
  { panel: 'members', label: 'Members' },
  { panel: 'keys', label: 'Keys' },
  { panel: 'room-settings', label: 'Room settings' },
];

const EMPTY_ROOM = { items: [], loaded: false, hasOlder: false, loadingOlder: false, error: null };

/** Why this node is out of the room: the event of this session, else the room's summary. */
export function removedText(reason: RoomSummary['departure'] | undefined): string {
  if (reason === 'left') return 'You left this room.';
  if (reason === 'banned') return 'You were removed from this room and banned from it.';
  return 'You were removed from this room.';
}

export function RoomView({ roomId }: { roomId: string }) {
  const room = useAppStore((s) => s.rooms.byId[roomId]);
  const removed = useAppStore((s) => s.rooms.removed[roomId]);
  const messages = useAppStore((s) => s.messages.byRoom[roomId]) ?? EMPTY_ROOM;
  const panel = useAppStore((s) => s.ui.panel);
  const syncedSoFar = useAppStore((s) => catchingUp(s.syncing, roomId));
  const title = useAppStore((s) => (room ? roomTitle(room, s.peers.byId) : ''));

  if (!room) {
    return (
      <main className="main" aria-label="Room">
        <p className="muted center">Loading the room…</p>
      </main>
    );
  }

  const gone = room.myRole === null || removed !== undefined;
  const label = room.kind === 'dm' ? title : `#${room.name}`;

  return (
    <>
      <main className="main room" aria-labelledby="room-title" data-testid="room-view">
        <RoomHeader room={room} title={title} />
        {syncedSoFar !== null && (
          <p className="banner info" role="status" data-testid="sync-progress">
            Catching up… {plural(syncedSoFar, 'message')} received so far.
          </p>
        )}
        {gone && (
          <p className="banner warning" role="status" data-testid="removed-notice">
            {removedText(removed?.reason ?? room.departure)} You can read what you received, but not
            send.
          </p>
        )}
        <MessageList roomId={roomId} messages={messages} />
        <Composer
          roomId={roomId}
          roomLabel={label}
          disabledReason={gone ? 'You can no longer send messages here.' : null}
        />
      </main>
      {panel && <RoomSidePanel room={room} panel={panel} />}
    </>
  );
}

function RoomHeader({ room, title }: { room: RoomSummary; title: string }) {
  const panel = useAppStore((s) => s.ui.panel);
  const togglePanel = useAppStore((s) => s.togglePanel);
  const setRoomMuted = useAppStore((s) => s.setRoomMuted);
  const panels = room.kind === 'dm' ? PANELS.filter((p) => p.panel !== 'room-settings') : PANELS;
  return (
    <header className="room-header">
      <div className="room-heading">
        <h2 id="room-title" data-testid="room-title">
          {room.kind === 'room' && <span aria-hidden="true">#</span>}
          {title}
        </h2>
        <p className="muted room-topic">
          {room.topic ||
            (room.kind === 'dm' ? 'Direct message' : plural(room.memberCount, 'member'))}
          {room.visibility === 'public' && <span className="tag">public</span>}
        </p>
      </div>
      <div className="room-actions" role="toolbar" aria-label="Room tools">
        {panels.map(({ panel: p, label }) => (
          <button
            key={p}
            type="button"
            className="ghost"
            aria-pressed={panel === p}
            onClick={() => togglePanel(p)}
            data-testid={`toggle-${p}`}
          >
            {label}
          </button>
        ))}
        <button
          type="button"
          className="ghost"
          aria-pressed={room.muted}
          onClick={() => void setRoomMuted(room.id, !room.muted)}
          disabled={room.myRole === null}
          data-testid="toggle-mute"
        >
          {room.muted ? 'Muted' : 'Mute'}
        </button>
      </div>
    </header>
  );
}

function RoomSidePanel({ room, panel }: { room: RoomSummary; panel: RoomPanel }) {
  switch (panel) {
    case 'members':
      return <MembersPanel roomId={room.id} />;
    case 'keys':
      return <KeysPanel roomId={room.id} />;
    case 'room-settings':
      return <RoomSettingsPanel roomId={room.id} />;
    case 'search':
      return <SearchPanel roomId={room.id} />;
  }
}
