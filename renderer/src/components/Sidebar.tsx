// The left column: rooms, direct messages and peers, each a keyboard-navigable list, with the
// actions that start something (new room, browse public rooms, add a peer) and settings.
import { useState, type ReactNode } from 'react';
import type { PeerInfo, RoomSummary } from '../../../shared/api';
import { sortedPeers } from '../store/peers-slice';
import { roomTitle, sortedRooms } from '../store/rooms-slice';
import { useAppStore } from '../store/store-context';
import { AddPeerDialog } from './AddPeerDialog';
import { CreateRoomDialog } from './CreateRoomDialog';
import { onListKeyDown } from './list-navigation';

export function Sidebar() {
  const roomsById = useAppStore((s) => s.rooms.byId);
  const peersById = useAppStore((s) => s.peers.byId);
  const view = useAppStore((s) => s.ui.view);
  const name = useAppStore((s) => s.identity.info?.name ?? '');
  const showView = useAppStore((s) => s.showView);
  const [dialog, setDialog] = useState<'create' | 'add-peer' | null>(null);

  const selectedRoom = view.kind === 'room' ? view.roomId : null;
  // Rooms this node left stay listed only while open, to show why it is no longer a member.
  const visible = (r: RoomSummary): boolean => r.myRole !== null || r.id === selectedRoom;
  const rooms = sortedRooms(roomsById, 'room').filter(visible);
  const dms = sortedRooms(roomsById, 'dm').filter(visible);
  const peers = sortedPeers(peersById);

  return (
    <nav className="sidebar" aria-label="Rooms and peers">
      <div className="sidebar-header">
        <h1 className="app-title">Parley</h1>
        <button
          type="button"
          className={`ghost${view.kind === 'settings' ? ' current' : ''}`}
          onClick={() => showView({ kind: 'settings' })}
          aria-current={view.kind === 'settings' ? 'page' : undefined}
          data-testid="open-settings"
        >
          Settings
        </button>
      </div>
      <p className="sidebar-me muted">
        Signed in as <strong>{name}</strong>
      </p>

      <SidebarSection
        id="rooms-heading"
        title="Rooms"
        action={{ label: 'New room', testId: 'new-room', run: () => setDialog('create') }}
        empty={rooms.length === 0 && 'No rooms yet. Create one, or join a public room.'}
      >
        <RoomList rooms={rooms} selected={selectedRoom} testId="room-list" />
      </SidebarSection>
      <button
        type="button"
        className="link browse-link"
        onClick={() => showView({ kind: 'public-rooms' })}
        aria-current={view.kind === 'public-rooms' ? 'page' : undefined}
        data-testid="browse-public-rooms"
      >
        Browse public rooms
      </button>

      <SidebarSection
        id="dms-heading"
        title="Direct messages"
        empty={dms.length === 0 && 'Open a peer below and choose Message.'}
      >
        <RoomList rooms={dms} selected={selectedRoom} testId="dm-list" />
      </SidebarSection>

      <SidebarSection
        id="peers-heading"
        title="Peers"
        action={{ label: 'Add peer', testId: 'add-peer', run: () => setDialog('add-peer') }}
        empty={
          peers.length === 0 &&
          'No peers found yet. Devices running Parley on this network appear here.'
        }
      >
        <PeerList peers={peers} selected={view.kind === 'peer' ? view.deviceId : null} />
      </SidebarSection>

      {dialog === 'create' && <CreateRoomDialog onClose={() => setDialog(null)} />}
      {dialog === 'add-peer' && <AddPeerDialog onClose={() => setDialog(null)} />}
    </nav>
  );
}

/** A titled list of the sidebar, with an optional action beside the title. */
function SidebarSection(props: {
  id: string;
  title: string;
  action?: { label: string; testId: string; run(): void };
  /** What to say instead of the list when it is empty; false when it is not. */
  empty: string | false;
  children: ReactNode;
}) {
  const { id, title, action, empty, children } = props;
  return (
    <section className="sidebar-section" aria-labelledby={id}>
      <div className="section-head">
        <h2 id={id}>{title}</h2>
        {action && (
          <button
            type="button"
            className="ghost small"
            onClick={action.run}
            data-testid={action.testId}
          >
            {action.label}
          </button>
        )}
      </div>
      {empty ? <p className="empty">{empty}</p> : children}
    </section>
  );
}

function RoomList(props: { rooms: RoomSummary[]; selected: string | null; testId: string }) {
  const selectRoom = useAppStore((s) => s.selectRoom);
  const peersById = useAppStore((s) => s.peers.byId);
  return (
    <ul className="nav-list" onKeyDown={onListKeyDown} data-testid={props.testId}>
      {props.rooms.map((room) => {
        const current = room.id === props.selected;
        const unread = room.unread > 0 && room.myRole !== null;
        return (
          <li key={room.id}>
            <button
              type="button"
              className={`nav-item${current ? ' current' : ''}${unread ? ' unread' : ''}`}
              aria-current={current ? 'page' : undefined}
              onClick={() => selectRoom(room.id)}
              data-nav-item
              data-testid="room-item"
              data-room-id={room.id}
            >
              <span className="nav-name">
                {room.kind === 'room' && <span aria-hidden="true">#&nbsp;</span>}
                {roomTitle(room, peersById)}
              </span>
              {room.muted && (
                <span className="tag">
                  <span className="visually-hidden">, </span>muted
                </span>
              )}
              {room.myRole === null && (
                <span className="tag" data-testid="departure-tag">
                  <span className="visually-hidden">, </span>
                  {departureTag(room.departure)}
                </span>
              )}
              {unread && (
                <span className="badge" data-testid="unread-badge">
                  <span aria-hidden="true">{room.unread}</span>
                  <span className="visually-hidden">, {room.unread} unread</span>
                </span>
              )}
            </button>
          </li>
        );
      })}
    </ul>
  );
}

function PeerList({ peers, selected }: { peers: PeerInfo[]; selected: string | null }) {
  const showView = useAppStore((s) => s.showView);
  return (
    <ul className="nav-list" onKeyDown={onListKeyDown} data-testid="peer-list">
      {peers.map((peer) => {
        const current = peer.deviceId === selected;
        return (
          <li key={peer.deviceId}>
            <button
              type="button"
              className={`nav-item${current ? ' current' : ''}`}
              aria-current={current ? 'page' : undefined}
              onClick={() => showView({ kind: 'peer', deviceId: peer.deviceId })}
              data-nav-item
              data-testid="peer-item"
              data-device-id={peer.deviceId}
            >
              <span
                className={`presence ${peer.online ? 'online' : 'offline'}`}
                aria-hidden="true"
              />
              <span className="nav-name">{peer.name}</span>
              <span className="visually-hidden">, {peer.online ? 'online' : 'offline'}</span>
              {peer.verified && (
                <span className="tag verified">
                  <span className="visually-hidden">, </span>verified
                </span>
              )}
            </button>
          </li>
        );
      })}
    </ul>
  );
}

/** The sidebar's word for a room this node is out of (the CLI says the same). */
function departureTag(departure: RoomSummary['departure']): string {
  return departure === 'left' ? 'left' : 'removed';
}
