/**
 * What the API shows of a room and its messages, computed from the folded state and the local
 * room record. Pure: no I/O, so the same view is given to the GUI, the REST API and the CLI.
 */
import type {
  KeyEpochInfo,
  MessageInfo,
  RoomDetails,
  RoomMember,
  RoomSummary,
} from '../../../shared/api';
import type { MessageRecord, RoomRecord } from '../store/store';
import type { RoomState } from './room-state';

export interface ViewContext {
  me: string;
  /**
   * Display name of a device: its name in room `roomId` (member or departed), else in another
   * room, else a known peer's, else the short ID.
   */
  nameOf(deviceId: string, roomId?: string): string;
  isOnline(deviceId: string): boolean;
  /** For an own message: how many other current members hold it, of how many (delivery.ts). */
  delivery(roomId: string, seq: number): { delivered: number; of: number };
}

export function roomSummary(
  state: RoomState,
  record: RoomRecord,
  extra: { unread: number; lastMessageAt: number | null },
  me: string,
): RoomSummary {
  const others = [...state.members.keys()].filter((id) => id !== me);
  const myRole = state.members.get(me)?.role ?? null;
  return {
    id: state.roomId,
    name: state.settings.name,
    topic: state.settings.topic,
    kind: state.kind,
    visibility: state.settings.visibility,
    passwordRequired: state.settings.password !== null,
    capacity: state.settings.capacity,
    historyShared: state.settings.historyShared,
    memberCount: state.members.size,
    myRole,
    departure: myRole === null ? (state.departed.get(me)?.kind ?? null) : null,
    dmPeer: state.kind === 'dm' ? (others[0] ?? [...state.departed.keys()][0] ?? null) : null,
    // A room this node is out of asks for nothing more: what it had not read stays readable
    // in its history, but is no longer counted (nor in the badge, the tray or the title).
    unread: myRole === null ? 0 : extra.unread,
    muted: record.muted,
    lastMessageAt: extra.lastMessageAt,
    epoch: Math.max(0, state.epochs.length - 1),
    // Every op held is applied or skipped, and none is ever forgotten.
    controlOps: state.opCount + state.rejected.length,
  };
}

const ROLE_ORDER = { owner: 0, admin: 1, member: 2 } as const;

export function roomDetails(summary: RoomSummary, state: RoomState, ctx: ViewContext): RoomDetails {
  const current = state.epochs[state.epochs.length - 1];
  const members: RoomMember[] = [...state.members.values()]
    .map((m) => ({
      deviceId: m.deviceId,
      name: m.name,
      role: m.role,
      online: m.deviceId === ctx.me || ctx.isOnline(m.deviceId),
      hasCurrentKey: current?.holders.has(m.deviceId) ?? false,
    }))
    .sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.name.localeCompare(b.name));
  const epochs: KeyEpochInfo[] = state.epochs.map((e) => ({
    index: e.index,
    id: e.id,
    author: e.author,
    authorName: ctx.nameOf(e.author, state.roomId),
    at: e.at,
    reason: e.reason,
    holders: [...e.holders].sort(),
  }));
  return {
    ...summary,
    members,
    banned: [...state.banned]
      .sort()
      .map((id) => ({ deviceId: id, name: ctx.nameOf(id, state.roomId) })),
    epochs,
  };
}

export function messageInfo(m: MessageRecord, ctx: ViewContext): MessageInfo {
  return {
    id: m.id,
    roomId: m.roomId,
    sender: m.sender,
    // The sender's name in the room now: a rename shows on earlier messages too.
    senderName: ctx.nameOf(m.sender, m.roomId),
    text: m.text ?? '',
    ts: m.ts,
    lamport: m.lamport,
    seq: m.seq,
    mine: m.sender === ctx.me,
    receivedAt: m.receivedAt,
    delivery: m.sender === ctx.me ? ctx.delivery(m.roomId, m.seq) : null,
  };
}
