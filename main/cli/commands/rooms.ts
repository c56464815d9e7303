/**
 * Room commands of the CLI, all through the running node's local API:
 *   parley rooms [list] | rooms create NAME | invite ROOM PEER | join ROOM | send ROOM TEXT
 *   | history ROOM | kick|ban|unban|promote|demote ROOM PEER | rotate ROOM | leave ROOM
 * ROOM is a room ID, the start of one, or a room's exact name; PEER is a device ID, the start
 * of one, or a peer's exact name. An ambiguous name is refused rather than guessed.
 */
import type { MessageInfo, RoomDetails, RoomSummary } from '../../../shared/api';
import { ParleyError } from '../../../shared/errors';
import type { CommandOptions } from '../args';
import { formatTable, printJson, UsageError, type CliIo } from '../cli-io';
import { connectLocalApi, type LocalApiClient } from '../local-api-client';
import { visible, visibleLines } from '../visible-text';

export type RoomCommand =
  | 'rooms'
  | 'invite'
  | 'join'
  | 'send'
  | 'history'
  | 'kick'
  | 'ban'
  | 'unban'
  | 'promote'
  | 'demote'
  | 'rotate'
  | 'leave';

const PASSWORD_OPTION = { password: { type: 'string' } } as const;

/** The options of each room command besides the common ones: it takes these and no others. */
export const ROOM_COMMAND_OPTIONS = {
  rooms: {},
  'rooms create': {
    topic: { type: 'string' },
    public: { type: 'boolean', default: false },
    ...PASSWORD_OPTION,
    capacity: { type: 'string' },
  },
  invite: {},
  join: PASSWORD_OPTION,
  send: {},
  history: { limit: { type: 'string' } },
  kick: {},
  ban: {},
  unban: {},
  promote: {},
  demote: {},
  rotate: {},
  leave: {},
} as const satisfies Record<RoomCommand | 'rooms create', CommandOptions>;

export interface RoomCommandOptions {
  dataDir: string;
  json: boolean;
  positionals: string[];
  password?: string | undefined;
  topic?: string | undefined;
  public?: boolean;
  capacity?: string | undefined;
  limit?: string | undefined;
}

/** How many positionals each command takes: [min, max]. */
const ARITY: Record<RoomCommand, [number, number]> = {
  rooms: [0, 2],
  invite: [2, 2],
  join: [1, 1],
  send: [2, 2],
  history: [1, 1],
  kick: [2, 2],
  ban: [2, 2],
  unban: [2, 2],
  promote: [2, 2],
  demote: [2, 2],
  rotate: [1, 1],
  leave: [1, 1],
};

export async function roomCommand(
  io: CliIo,
  command: RoomCommand,
  opts: RoomCommandOptions,
): Promise<number> {
  const args = opts.positionals;
  const [min, max] = ARITY[command];
  if (command === 'rooms' && args[0] !== undefined && !['list', 'create'].includes(args[0]))
    throw new UsageError(`Unknown rooms action: ${args[0]} (use list or create)`);
  if (command === 'rooms' && args[0] === 'create' && args[1] === undefined)
    throw new UsageError('parley rooms create needs a NAME');
  if (args.length < min) throw new UsageError(`parley ${command} needs more arguments`);
  if (args.length > max) throw new UsageError(`Unexpected argument: ${args[max]}`);
  const capacity = opts.capacity === undefined ? undefined : Number(opts.capacity);
  if (capacity !== undefined && !Number.isInteger(capacity))
    throw new UsageError('--capacity takes a whole number');
  const limit = opts.limit === undefined ? undefined : Number(opts.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    throw new UsageError('--limit takes a positive whole number');

  const api = connectLocalApi(opts.dataDir);
  const out = (value: unknown, text: string): void =>
    opts.json ? printJson(io, value) : io.out(text);

  switch (command) {
    case 'rooms': {
      if (args[0] === 'create') {
        const room = await api.invoke('rooms.create', {
          name: args[1]!,
          ...(opts.topic !== undefined ? { topic: opts.topic } : {}),
          ...(opts.public ? { visibility: 'public' as const } : {}),
          ...(opts.password !== undefined ? { password: opts.password } : {}),
          ...(capacity !== undefined ? { capacity } : {}),
        });
        out(room, room.id);
        return 0;
      }
      const rooms = await api.invoke('rooms.list', {});
      out(rooms, formatRooms(rooms));
      return 0;
    }
    case 'join': {
      const room = await resolvePublicRoom(api, args[0]!);
      const joined = await api.invoke('rooms.join', {
        roomId: room,
        ...(opts.password !== undefined ? { password: opts.password } : {}),
      });
      out(joined, `Joined ${visible(joined.name)} (${joined.id}).`);
      return 0;
    }
    case 'send': {
      const roomId = await resolveRoom(api, args[0]!);
      const sent = await api.invoke('messages.send', { roomId, text: args[1]! });
      out(sent, sent.id);
      return 0;
    }
    case 'history': {
      const roomId = await resolveRoom(api, args[0]!);
      const messages = await api.invoke('messages.history', {
        roomId,
        ...(limit !== undefined ? { limit } : {}),
      });
      out(messages, formatHistory(messages));
      return 0;
    }
    case 'rotate': {
      const roomId = await resolveRoom(api, args[0]!);
      const room = await api.invoke('rooms.rotate', { roomId });
      out(room, `Renewed the key of ${visible(room.name)}: epoch ${room.epoch}.`);
      return 0;
    }
    case 'leave': {
      const roomId = await resolveRoom(api, args[0]!);
      // Its name, for the message, while this node is still in it.
      const { name } = await api.invoke('rooms.get', { roomId });
      await api.invoke('rooms.leave', { roomId });
      out({ roomId }, `Left ${visible(name)}.`);
      return 0;
    }
    default: {
      const roomId = await resolveRoom(api, args[0]!);
      const room = await api.invoke('rooms.get', { roomId });
      const deviceId = await resolvePeer(api, room, args[1]!);
      const details = await memberAction(api, command, roomId, deviceId);
      out(
        details,
        `${verbFor(command)} ${visible(nameIn(details, deviceId))} ${command === 'invite' ? 'to' : 'in'} ${visible(details.name)}.`,
      );
      return 0;
    }
  }
}

function memberAction(
  api: LocalApiClient,
  command: RoomCommand,
  roomId: string,
  deviceId: string,
): Promise<RoomDetails> {
  switch (command) {
    case 'invite':
      return api.invoke('rooms.invite', { roomId, deviceId });
    case 'kick':
      return api.invoke('rooms.kick', { roomId, deviceId });
    case 'ban':
      return api.invoke('rooms.ban', { roomId, deviceId });
    case 'unban':
      return api.invoke('rooms.unban', { roomId, deviceId });
    case 'promote':
      return api.invoke('rooms.setRole', { roomId, deviceId, role: 'admin' });
    default:
      return api.invoke('rooms.setRole', { roomId, deviceId, role: 'member' });
  }
}

const VERBS: Partial<Record<RoomCommand, string>> = {
  invite: 'Added',
  kick: 'Removed',
  ban: 'Banned',
  unban: 'Unbanned',
  promote: 'Made admin:',
  demote: 'Made member:',
};
const verbFor = (c: RoomCommand): string => VERBS[c] ?? c;
const nameIn = (room: RoomDetails, id: string): string =>
  room.members.find((m) => m.deviceId === id)?.name ??
  room.banned.find((b) => b.deviceId === id)?.name ??
  id;

/** One match by ID, ID prefix or exact name; otherwise a clear error. */
function pick<T>(
  items: T[],
  key: string,
  id: (t: T) => string,
  name: (t: T) => string,
  what: string,
): T {
  const exact = items.filter(
    (t) => id(t) === key || id(t).replace(/-/g, '') === key.replace(/-/g, ''),
  );
  if (exact.length === 1) return exact[0]!;
  const named = items.filter((t) => name(t) === key);
  if (named.length === 1) return named[0]!;
  const prefixed = items.filter((t) => id(t).startsWith(key));
  if (named.length === 0 && prefixed.length === 1) return prefixed[0]!;
  if (named.length > 1 || prefixed.length > 1)
    throw new ParleyError('BAD_REQUEST', `More than one ${what} matches "${key}"; use the ID.`);
  throw new ParleyError(
    what === 'room' ? 'ROOM_NOT_FOUND' : 'PEER_UNKNOWN',
    `No ${what} matches "${key}".`,
  );
}

const pickRoom = (rooms: Array<{ id: string; name: string }>, key: string): string =>
  pick(
    rooms,
    key,
    (r) => r.id,
    (r) => r.name,
    'room',
  ).id;

async function resolveRoom(api: LocalApiClient, key: string): Promise<string> {
  return pickRoom(await api.invoke('rooms.list', {}), key);
}

async function resolvePublicRoom(api: LocalApiClient, key: string): Promise<string> {
  if (/^[0-9a-f]{32}$/.test(key)) return key;
  return pickRoom(await api.invoke('rooms.public', {}), key);
}

async function resolvePeer(api: LocalApiClient, room: RoomDetails, key: string): Promise<string> {
  const peers = await api.invoke('peers.list', {});
  const known = new Map<string, string>();
  for (const p of peers) known.set(p.deviceId, p.name);
  for (const m of room.members) known.set(m.deviceId, m.name);
  for (const b of room.banned) known.set(b.deviceId, b.name);
  const entries = [...known.entries()];
  return pick(
    entries,
    key,
    ([id]) => id,
    ([, name]) => name,
    'peer',
  )[0];
}

export function formatRooms(rooms: RoomSummary[]): string {
  if (rooms.length === 0) return 'No rooms yet. Create one with: parley rooms create NAME';
  const rows = rooms.map((r) => [
    r.name,
    r.id,
    r.kind === 'dm' ? 'direct' : r.visibility,
    `${r.memberCount}/${r.capacity}`,
    // Out of the room, in the role's place: the GUI's word for it (--json has kicked or banned).
    r.myRole ?? (r.departure === 'left' ? 'left' : 'removed'),
    r.unread > 0 ? `${r.unread} unread` : '',
  ]);
  return formatTable(['NAME', 'ID', 'KIND', 'MEMBERS', 'ROLE', ''], rows);
}

/**
 * One message per line, `[time] sender: text`. Names and text come from other members: their
 * control characters are shown, not written, and the lines of a multi-line message after its
 * first are indented, so that no message can fake another line (visible-text.ts).
 */
export function formatHistory(messages: MessageInfo[]): string {
  if (messages.length === 0) return 'No messages yet.';
  return messages
    .map(
      (m) =>
        `[${new Date(m.ts).toISOString().replace('T', ' ').slice(0, 19)}] ` +
        `${visible(m.senderName)}: ${visibleLines(m.text)}${deliveryNote(m)}`,
    )
    .join('\n');
}

/** For one's own messages, as the GUI says it: who is known to hold it so far. */
function deliveryNote(m: MessageInfo): string {
  if (!m.delivery || m.delivery.of === 0) return '';
  const { delivered, of } = m.delivery;
  if (delivered === 0) return '  (sent)';
  return delivered >= of ? '  (delivered)' : `  (delivered to ${delivered} of ${of})`;
}
