/**
 * The rooms slice: the room list (summaries, with unread counts), a cache of the details of
 * rooms the user looked at (members, bans, key epochs), the public rooms of the LAN, and the
 * rooms this node was removed from.
 *
 * Every command that answers with RoomDetails refreshes both the summary and the details, so
 * what the user just did shows at once; `room.updated` then keeps them current. Details are
 * refetched on `room.updated` only for rooms already cached (the ones the user opened).
 */
import type { StateCreator } from 'zustand';
import type {
  CommandArgs,
  EventPayload,
  ParleyApi,
  PeerInfo,
  PublicRoomInfo,
  RoomDetails,
  RoomRole,
  RoomSummary,
} from '../../../shared/api';
import type { AppState } from './app-store';
import { done, request, type Outcome } from './outcome';

export type RemovedInfo = Omit<EventPayload<'room.removed'>, 'roomId'>;
export type MemberAction = 'invite' | 'kick' | 'ban' | 'unban';

export interface RoomsState {
  byId: Record<string, RoomSummary>;
  details: Record<string, RoomDetails>;
  /** Rooms this node is no longer a member of, with why (from room.removed). */
  removed: Record<string, RemovedInfo>;
  loaded: boolean;
  loadError: string | null;
  publicRooms: { list: PublicRoomInfo[]; loading: boolean; error: string | null };
}

export interface RoomsSlice {
  rooms: RoomsState;
  loadRooms(): Promise<void>;
  loadRoomDetails(roomId: string): Promise<void>;
  createRoom(args: CommandArgs<'rooms.create'>): Promise<Outcome<RoomDetails>>;
  updateRoom(args: CommandArgs<'rooms.update'>): Promise<Outcome>;
  memberAction(action: MemberAction, roomId: string, deviceId: string): Promise<Outcome>;
  setMemberRole(roomId: string, deviceId: string, role: RoomRole): Promise<Outcome>;
  /** "Renew master key". */
  rotateRoomKey(roomId: string): Promise<Outcome>;
  leaveRoom(roomId: string): Promise<Outcome>;
  markRoomRead(roomId: string): Promise<void>;
  setRoomMuted(roomId: string, muted: boolean): Promise<Outcome>;
  loadPublicRooms(): Promise<void>;
  joinRoom(roomId: string, password?: string): Promise<Outcome<RoomDetails>>;
  /** Opens (or creates) the DM with a peer and shows it. */
  openDm(deviceId: string): Promise<Outcome<RoomDetails>>;
  roomUpdated(summary: RoomSummary): void;
  roomRemoved(event: EventPayload<'room.removed'>): void;
}

export const initialRoomsState: RoomsState = {
  byId: {},
  details: {},
  removed: {},
  loaded: false,
  loadError: null,
  publicRooms: { list: [], loading: false, error: null },
};

const MEMBER_COMMANDS = {
  invite: 'rooms.invite',
  kick: 'rooms.kick',
  ban: 'rooms.ban',
  unban: 'rooms.unban',
} as const;

/** The summary fields of a RoomDetails (the list must not hold member lists it never shows). */
function summaryOf(details: RoomDetails): RoomSummary {
  const { members: _m, banned: _b, epochs: _e, ...summary } = details;
  return summary;
}

export const createRoomsSlice =
  (api: ParleyApi): StateCreator<AppState, [], [], RoomsSlice> =>
  (set, get) => {
    const patch = (change: Partial<RoomsState>): void =>
      set((s) => ({ rooms: { ...s.rooms, ...change } }));

    const detailsArrived = (details: RoomDetails): void => {
      set((s) => {
        const removed = { ...s.rooms.removed };
        if (details.myRole !== null) delete removed[details.id];
        return {
          rooms: {
            ...s.rooms,
            byId: { ...s.rooms.byId, [details.id]: summaryOf(details) },
            details: { ...s.rooms.details, [details.id]: details },
            removed,
          },
        };
      });
    };

    /** Runs a command that answers with RoomDetails and keeps the answer. */
    const withDetails = async <T extends RoomDetails>(
      pending: Promise<Outcome<T>>,
    ): Promise<Outcome<T>> => {
      const result = await pending;
      if (result.ok) detailsArrived(result.value);
      return result;
    };

    const markingRead = new Set<string>();

    return {
      rooms: initialRoomsState,

      async loadRooms() {
        const result = await request(api, 'rooms.list', {});
        if (!result.ok) return patch({ loadError: result.error });
        patch({
          byId: Object.fromEntries(result.value.map((r) => [r.id, r])),
          loaded: true,
          loadError: null,
        });
      },

      async loadRoomDetails(roomId) {
        await withDetails(request(api, 'rooms.get', { roomId }));
      },

      createRoom: (args) => withDetails(request(api, 'rooms.create', args)),

      async updateRoom(args) {
        return done(await withDetails(request(api, 'rooms.update', args)));
      },

      async memberAction(action, roomId, deviceId) {
        const name = MEMBER_COMMANDS[action];
        return done(await withDetails(request(api, name, { roomId, deviceId })));
      },

      async setMemberRole(roomId, deviceId, role) {
        return done(await withDetails(request(api, 'rooms.setRole', { roomId, deviceId, role })));
      },

      async rotateRoomKey(roomId) {
        return done(await withDetails(request(api, 'rooms.rotate', { roomId })));
      },

      async leaveRoom(roomId) {
        const result = await request(api, 'rooms.leave', { roomId });
        if (result.ok) {
          const name = get().rooms.byId[roomId]?.name ?? '';
          get().roomRemoved({ roomId, name, reason: 'left' });
        }
        return done(result);
      },

      async markRoomRead(roomId) {
        // Several triggers (focus, a new message, opening the room) may fire together.
        if (markingRead.has(roomId)) return;
        markingRead.add(roomId);
        try {
          const result = await request(api, 'rooms.markRead', { roomId });
          if (result.ok) get().roomUpdated(result.value);
        } finally {
          markingRead.delete(roomId);
        }
      },

      async setRoomMuted(roomId, muted) {
        const result = await request(api, 'rooms.setMuted', { roomId, muted });
        if (result.ok) get().roomUpdated(result.value);
        return done(result);
      },

      async loadPublicRooms() {
        patch({ publicRooms: { ...get().rooms.publicRooms, loading: true, error: null } });
        const result = await request(api, 'rooms.public', {});
        patch({
          publicRooms: result.ok
            ? { list: result.value, loading: false, error: null }
            : { ...get().rooms.publicRooms, loading: false, error: result.error },
        });
      },

      async joinRoom(roomId, password) {
        const args = password === undefined ? { roomId } : { roomId, password };
        const result = await withDetails(request(api, 'rooms.join', args));
        if (result.ok) {
          const list = get().rooms.publicRooms.list.map((r) =>
            r.id === roomId ? { ...r, joined: true } : r,
          );
          patch({ publicRooms: { ...get().rooms.publicRooms, list } });
        }
        return result;
      },

      async openDm(deviceId) {
        const result = await withDetails(request(api, 'dm.open', { deviceId }));
        if (result.ok) get().selectRoom(result.value.id);
        return result;
      },

      roomUpdated(summary) {
        const cached = get().rooms.details[summary.id];
        set((s) => {
          const details = cached
            ? { ...s.rooms.details, [summary.id]: { ...cached, ...summary } }
            : s.rooms.details;
          return {
            rooms: { ...s.rooms, byId: { ...s.rooms.byId, [summary.id]: summary }, details },
          };
        });
        // Members, roles and keys are not in a summary: refetch them for rooms already looked
        // at, but not for what every new message changes (unread count, last message time).
        if (cached && summary.myRole !== null && !onlyActivityChanged(cached, summary)) {
          void get().loadRoomDetails(summary.id);
        }
        get().markReadIfSeen(summary.id);
      },

      roomRemoved({ roomId, name, reason }) {
        set((s) => {
          const summary = s.rooms.byId[roomId];
          const byId = summary
            ? {
                ...s.rooms.byId,
                [roomId]: { ...summary, myRole: null, departure: reason, unread: 0 },
              }
            : s.rooms.byId;
          return {
            rooms: {
              ...s.rooms,
              byId,
              removed: { ...s.rooms.removed, [roomId]: { name, reason } },
            },
          };
        });
      },
    };
  };

/** Whether a summary differs from what is cached only by message activity. */
function onlyActivityChanged(cached: RoomSummary, next: RoomSummary): boolean {
  const activity = new Set<keyof RoomSummary>(['unread', 'lastMessageAt', 'muted']);
  return (Object.keys(next) as Array<keyof RoomSummary>).every(
    (key) => activity.has(key) || cached[key] === next[key],
  );
}

/** Rooms and DMs for the sidebar: the latest activity first. */
export function sortedRooms(
  byId: Record<string, RoomSummary>,
  kind: RoomSummary['kind'],
): RoomSummary[] {
  return Object.values(byId)
    .filter((r) => r.kind === kind)
    .sort(
      (a, b) => (b.lastMessageAt ?? 0) - (a.lastMessageAt ?? 0) || a.name.localeCompare(b.name),
    );
}

/** The unread count the title and the badge show: rooms this node is still in. */
export function totalUnread(byId: Record<string, RoomSummary>): number {
  let total = 0;
  for (const r of Object.values(byId)) if (r.myRole !== null && !r.muted) total += r.unread;
  return total;
}

/** What a room is called on screen: a DM is called after the other member. */
export function roomTitle(room: RoomSummary, peersById: Record<string, PeerInfo>): string {
  if (room.kind !== 'dm' || !room.dmPeer) return room.name;
  return peersById[room.dmPeer]?.name ?? room.name;
}
