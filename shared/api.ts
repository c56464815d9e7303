/**
 * The one API contract between the Parley node and every client of it: the Electron IPC
 * bridge, the web GUI's WebSocket bridge, the local REST API and the CLI. Every command and
 * event name is written here and nowhere else; adapters are derived from these tables.
 *
 * Commands are verbs (`identity.setName`); events are past tense (`identity.updated`).
 * Arguments and results are validated with these schemas on the node's side of every boundary.
 */
import { z } from 'zod';
import { hasControlChars } from './control-chars';
import type { Result } from './errors';
import { parsePeerAddress, formatPeerAddress } from './peer-address';
import {
  ROOM_CAPACITY_MAX,
  ROOM_CAPACITY_MIN,
  ROOM_NAME_MAX,
  ROOM_TOPIC_MAX,
  MAX_MESSAGE_TEXT,
} from './room-wire';
import { groupThousands } from './group-thousands';

export const DISPLAY_NAME_MAX_LENGTH = 64;

export const DisplayName = z
  .string()
  .trim()
  .min(1, 'A display name cannot be empty.')
  .max(DISPLAY_NAME_MAX_LENGTH, `A display name has at most ${DISPLAY_NAME_MAX_LENGTH} characters.`)
  // Control characters and line breaks are never part of a name (shared/control-chars.ts).
  .refine((s) => !hasControlChars(s), 'A display name cannot contain control characters.');

export const IdentityInfo = z.object({
  /** SHA-256 of the certificate's SubjectPublicKeyInfo, base32 with check characters, grouped. */
  deviceId: z.string(),
  /** The first group of the device ID: enough to tell peers apart in a list. */
  shortId: z.string(),
  /** A short digest of the public key for comparing by eye or reading aloud. */
  fingerprint: z.string(),
  name: z.string(),
});
export type IdentityInfo = z.infer<typeof IdentityInfo>;

export const NodeStatus = z.object({
  version: z.string(),
  startedAt: z.number(),
  dataDir: z.string(),
  storage: z.enum(['sqlite', 'mongodb']),
  keyProtection: z.enum(['none', 'safeStorage']),
  /** TCP port of the peer server (mutual TLS). */
  peerPort: z.number(),
  /** Whether LAN discovery (UDP multicast) is on. */
  discovery: z.boolean(),
});
export type NodeStatus = z.infer<typeof NodeStatus>;

/** A device ID as shown: eight groups of seven base32 characters. */
export const DeviceId = z
  .string()
  .regex(/^([A-Z2-7]{7}-){7}[A-Z2-7]{7}$/, 'That is not a device ID.');

/** `host:port`, normalised; the reason in words when it is not one. */
export const PeerAddressText = z.string().transform((text, ctx) => {
  const parsed = parsePeerAddress(text);
  if ('error' in parsed) {
    ctx.addIssue({ code: 'custom', message: parsed.error });
    return z.NEVER;
  }
  return formatPeerAddress(parsed);
});

export const PeerInfo = z.object({
  deviceId: z.string(),
  shortId: z.string(),
  /**
   * The peer's fingerprint (as IdentityInfo.fingerprint on its own screen), for verifying;
   * null until its key is known (heard on the LAN or linked).
   */
  fingerprint: z.string().nullable(),
  name: z.string(),
  /** Where the peer was last reached or heard from, `host:port` of its peer server. */
  address: z.string().nullable(),
  /** Heard on the LAN within the last three announce intervals, or linked. */
  online: z.boolean(),
  /** A mutually authenticated link is up right now. */
  linked: z.boolean(),
  /** When it was last heard from or linked (ms since epoch); null if never. */
  lastSeen: z.number().nullable(),
  /** The user compared fingerprints and marked it verified. */
  verified: z.boolean(),
  /** Added by hand (host:port) rather than found on the LAN. */
  manual: z.boolean(),
});
export type PeerInfo = z.infer<typeof PeerInfo>;

export const ManualPeerInfo = z.object({
  address: z.string(),
  /** The device found at the address, once it has been reached. */
  deviceId: z.string().nullable(),
});
export type ManualPeerInfo = z.infer<typeof ManualPeerInfo>;

export const SecurityAlert = z.object({
  /** Stable per mismatch (the same one met again keeps its ID), for dismissing it. */
  id: z.string().max(64),
  kind: z.enum(['key-mismatch']),
  /** The device ID that was expected at the address. */
  expected: z.string(),
  /** The device ID whose key was presented instead. */
  presented: z.string().nullable(),
  address: z.string(),
  message: z.string(),
  at: z.number(),
});
export type SecurityAlert = z.infer<typeof SecurityAlert>;

const NoArgs = z.object({}).strict();

/* ---- Rooms and messages ---- */

/** A room ID: 128 random bits as 32 lower-case hex characters. */
export const RoomId = z.string().regex(/^[0-9a-f]{32}$/, 'That is not a room ID.');
export const RoomRole = z.enum(['owner', 'admin', 'member']);
export type RoomRole = z.infer<typeof RoomRole>;

const RoomName = z
  .string()
  .trim()
  .min(1, 'A room needs a name.')
  .max(ROOM_NAME_MAX, `A room name has at most ${ROOM_NAME_MAX} characters.`)
  .refine((s) => !hasControlChars(s), 'A room name cannot contain control characters.');
const RoomTopic = z
  .string()
  .trim()
  .max(ROOM_TOPIC_MAX, `A topic has at most ${ROOM_TOPIC_MAX} characters.`)
  .refine((s) => !hasControlChars(s), 'A topic cannot contain control characters.');
const RoomPassword = z
  .string()
  .min(1, 'A password cannot be empty.')
  .max(1024, 'That password is too long.');
const RoomCapacity = z
  .number()
  .int('The capacity is a whole number.')
  .min(ROOM_CAPACITY_MIN, `A room holds at least ${ROOM_CAPACITY_MIN} members.`)
  .max(ROOM_CAPACITY_MAX, `A room holds at most ${ROOM_CAPACITY_MAX} members.`);

export const RoomSummary = z.object({
  id: z.string(),
  name: z.string(),
  topic: z.string(),
  /** 'dm': a direct-message room of two. */
  kind: z.enum(['room', 'dm']),
  visibility: z.enum(['private', 'public']),
  passwordRequired: z.boolean(),
  capacity: z.number(),
  historyShared: z.boolean(),
  memberCount: z.number(),
  /** This node's role; null once it is no longer a member. */
  myRole: RoomRole.nullable(),
  /** Why this node is no longer a member; null while it is one. */
  departure: z.enum(['left', 'kicked', 'banned']).nullable(),
  /** For a DM: the other member. */
  dmPeer: z.string().nullable(),
  /** Messages of others received since this node last read the room; 0 once it is not a member. */
  unread: z.number(),
  muted: z.boolean(),
  /** ms since the epoch; null when there are no messages. */
  lastMessageAt: z.number().nullable(),
  /** Index of the current key epoch (0 for the key the room was created with). */
  epoch: z.number(),
  /**
   * How many control ops this node holds for the room. It grows with every change of the
   * members, their names and roles, the settings and the keys, even one that changes nothing
   * else here (a rename): clients refetch a room's details when it does.
   */
  controlOps: z.number(),
});
export type RoomSummary = z.infer<typeof RoomSummary>;

export const RoomMember = z.object({
  deviceId: z.string(),
  name: z.string(),
  role: RoomRole,
  /** Linked right now (or this node itself). */
  online: z.boolean(),
  /** Holds the current epoch's key. */
  hasCurrentKey: z.boolean(),
});
export type RoomMember = z.infer<typeof RoomMember>;

export const KeyEpochInfo = z.object({
  index: z.number(),
  id: z.string(),
  /** Who started it. */
  author: z.string(),
  authorName: z.string(),
  /** ms since the epoch, the author's clock. */
  at: z.number(),
  reason: z.enum(['create', 'kick', 'ban', 'manual', 'auto', 'departure', 'repair']),
  /** Device IDs that may send with this key. */
  holders: z.array(z.string()),
});
export type KeyEpochInfo = z.infer<typeof KeyEpochInfo>;

export const RoomDetails = RoomSummary.extend({
  members: z.array(RoomMember),
  banned: z.array(z.object({ deviceId: z.string(), name: z.string() })),
  epochs: z.array(KeyEpochInfo),
});
export type RoomDetails = z.infer<typeof RoomDetails>;

export const PublicRoomInfo = z.object({
  id: z.string(),
  name: z.string(),
  topic: z.string(),
  memberCount: z.number(),
  capacity: z.number(),
  passwordRequired: z.boolean(),
  /** Whether this node is already a member. */
  joined: z.boolean(),
});
export type PublicRoomInfo = z.infer<typeof PublicRoomInfo>;

export const MessageInfo = z.object({
  /** SHA-256 of the envelope, hex. */
  id: z.string(),
  roomId: z.string(),
  sender: z.string(),
  senderName: z.string(),
  text: z.string(),
  /** The sender's clock, ms since the epoch. */
  ts: z.number(),
  lamport: z.number(),
  seq: z.number(),
  mine: z.boolean(),
  /** When this node stored it, ms since the epoch (local clock). */
  receivedAt: z.number(),
  /**
   * For this node's own messages: how many of the room's other current members are known to
   * hold it, out of how many other current members there are. null for messages of others.
   * Local bookkeeping (PROTOCOL.md §10.1): it only ever under-counts.
   */
  delivery: z.object({ delivered: z.number(), of: z.number() }).nullable(),
});
export type MessageInfo = z.infer<typeof MessageInfo>;

/* ---- Settings ---- */

/** An administratively scoped IPv4 multicast group, 239.x.y.z (RFC 2365). */
export const DiscoveryGroup = z
  .string()
  .trim()
  .refine(
    (s) =>
      /^239(\.\d{1,3}){3}$/.test(s) &&
      s.split('.').every((n) => Number(n) <= 255 && n === String(Number(n))),
    'The discovery group must be a multicast address of the form 239.x.y.z, each number from 0 to 255.',
  );
export const DISCOVERY_PORT_MIN = 1024;
export const DISCOVERY_PORT_MAX = 65535;
export const DiscoveryPort = z
  .number()
  .int('The discovery port must be a whole number.')
  .min(
    DISCOVERY_PORT_MIN,
    `The discovery port must be from ${DISCOVERY_PORT_MIN} to ${DISCOVERY_PORT_MAX}.`,
  )
  .max(
    DISCOVERY_PORT_MAX,
    `The discovery port must be from ${DISCOVERY_PORT_MIN} to ${DISCOVERY_PORT_MAX}.`,
  );

/** A day in ms: the rotation policy's age limit is set in whole days. */
export const DAY_MS = 24 * 60 * 60 * 1000;
/** The highest message limit of the rotation policy: far below AES-GCM's random-nonce bound (PROTOCOL.md §2.4). */
export const ROTATE_AFTER_MESSAGES_MAX = 10_000_000;
/** The highest age limit of the rotation policy, in days: ten years. */
export const ROTATE_AFTER_DAYS_MAX = 3650;
/** A limit of the rotation policy: a whole number from 0 (never) to `max`, refused in words. */
function rotationLimit(max: number, unit: string) {
  const range = `The number of ${unit} after which a room's key is renewed must be a whole number from 0 (never) to ${groupThousands(max)}.`;
  return z.number(range).int(range).min(0, range).max(max, range);
}
/** Renew a room's key once its current key has this many messages; 0 = never by count. */
export const RotateAfterMessages = rotationLimit(ROTATE_AFTER_MESSAGES_MAX, 'messages');
/** Renew a room's key once its current key is this many days old; 0 = never by age. */
export const RotateAfterDays = rotationLimit(ROTATE_AFTER_DAYS_MAX, 'days');

export const Settings = z.object({
  /** System notifications for new messages, for the whole app (rooms.setMuted mutes one room). */
  notifications: z.boolean(),
  /** The stored discovery group, applied at the next start; the one in use if none is stored. */
  discoveryGroup: z.string(),
  /** The stored discovery UDP port, applied at the next start; the one in use if none is stored. */
  discoveryPort: z.number(),
  /** The stored discovery group or port differs from what the running node uses. */
  restartRequired: z.boolean(),
  /**
   * The automatic rotation policy in use (where this node is a room's owner or admin): renew a
   * room's key once its current key has this many messages, or is this many days old. 0 turns
   * a limit off. Changes apply at once and are kept for later starts.
   */
  rotateAfterMessages: z.number().int().min(0),
  /** Whole days, unless a start was configured in ms (NodeConfig.rotation). */
  rotateAfterDays: z.number().min(0),
});
export type Settings = z.infer<typeof Settings>;

const RoomArgs = z.object({ roomId: RoomId }).strict();
const RoomPeerArgs = z.object({ roomId: RoomId, deviceId: DeviceId }).strict();

/** Every command: name → argument and result schemas. */
export const commands = {
  'identity.get': { args: NoArgs, result: IdentityInfo },
  'identity.setName': { args: z.object({ name: DisplayName }).strict(), result: IdentityInfo },
  'node.status': { args: NoArgs, result: NodeStatus },
  'peers.list': { args: NoArgs, result: z.array(PeerInfo) },
  'peers.add': { args: z.object({ address: PeerAddressText }).strict(), result: ManualPeerInfo },
  'peers.remove': { args: z.object({ address: PeerAddressText }).strict(), result: z.object({}) },
  'peers.manual': { args: NoArgs, result: z.array(ManualPeerInfo) },
  /** Security alerts raised and not dismissed yet (also those raised while no window was open). */
  'security.alerts': { args: NoArgs, result: z.array(SecurityAlert) },
  'security.dismiss': { args: z.object({ id: z.string().max(64) }).strict(), result: z.object({}) },
  'peers.setVerified': {
    args: z.object({ deviceId: DeviceId, verified: z.boolean() }).strict(),
    result: PeerInfo,
  },
  'rooms.list': { args: NoArgs, result: z.array(RoomSummary) },
  'rooms.get': { args: RoomArgs, result: RoomDetails },
  'rooms.create': {
    args: z
      .object({
        name: RoomName,
        topic: RoomTopic.optional(),
        visibility: z.enum(['private', 'public']).optional(),
        password: RoomPassword.optional(),
        capacity: RoomCapacity.optional(),
        historyShared: z.boolean().optional(),
      })
      .strict(),
    result: RoomDetails,
  },
  'rooms.update': {
    args: z
      .object({
        roomId: RoomId,
        name: RoomName.optional(),
        topic: RoomTopic.optional(),
        visibility: z.enum(['private', 'public']).optional(),
        /** null removes the password. */
        password: RoomPassword.nullable().optional(),
        capacity: RoomCapacity.optional(),
        historyShared: z.boolean().optional(),
      })
      .strict(),
    result: RoomDetails,
  },
  'rooms.invite': { args: RoomPeerArgs, result: RoomDetails },
  'rooms.kick': { args: RoomPeerArgs, result: RoomDetails },
  'rooms.ban': { args: RoomPeerArgs, result: RoomDetails },
  'rooms.unban': { args: RoomPeerArgs, result: RoomDetails },
  'rooms.setRole': {
    args: z.object({ roomId: RoomId, deviceId: DeviceId, role: RoomRole }).strict(),
    result: RoomDetails,
  },
  /** "Renew master key": a new epoch sealed to the current members. */
  'rooms.rotate': { args: RoomArgs, result: RoomDetails },
  'rooms.leave': { args: RoomArgs, result: z.object({}) },
  'rooms.markRead': { args: RoomArgs, result: RoomSummary },
  'rooms.setMuted': {
    args: z.object({ roomId: RoomId, muted: z.boolean() }).strict(),
    result: RoomSummary,
  },
  /** Public rooms that online peers are members of. */
  'rooms.public': { args: NoArgs, result: z.array(PublicRoomInfo) },
  'rooms.join': {
    args: z.object({ roomId: RoomId, password: z.string().max(1024).optional() }).strict(),
    result: RoomDetails,
  },
  /** Opens (or creates) the direct-message room with a peer. */
  'dm.open': { args: z.object({ deviceId: DeviceId }).strict(), result: RoomDetails },
  'messages.send': {
    args: z
      .object({
        roomId: RoomId,
        text: z
          .string()
          .refine((s) => s.trim().length > 0, 'A message cannot be empty.')
          .refine(
            (s) => s.length <= MAX_MESSAGE_TEXT,
            `A message has at most ${MAX_MESSAGE_TEXT} characters.`,
          ),
      })
      .strict(),
    result: MessageInfo,
  },
  /** A page of a room's messages, oldest first: the newest `limit` before `before`. */
  'messages.history': {
    args: z
      .object({
        roomId: RoomId,
        before: z.object({ lamport: z.number().int(), id: z.string() }).strict().optional(),
        limit: z.number().int().min(1).max(500).optional(),
      })
      .strict(),
    result: z.array(MessageInfo),
  },
  'messages.search': {
    args: z
      .object({
        query: z.string().max(500),
        roomId: RoomId.optional(),
        limit: z.number().int().min(1).max(200).optional(),
      })
      .strict(),
    result: z.array(MessageInfo),
  },
  'settings.get': { args: NoArgs, result: Settings },
  /**
   * Changes the given settings only; discovery changes apply at the next start, the rotation
   * policy at once.
   */
  'settings.update': {
    args: z
      .object({
        notifications: z.boolean().optional(),
        discoveryGroup: DiscoveryGroup.optional(),
        discoveryPort: DiscoveryPort.optional(),
        rotateAfterMessages: RotateAfterMessages.optional(),
        rotateAfterDays: RotateAfterDays.optional(),
      })
      .strict(),
    result: Settings,
  },
} as const;

/** Every event the node pushes to its clients: name → payload schema. */
export const events = {
  'identity.updated': IdentityInfo,
  /** A peer came online (first seen, or back after being offline). */
  'peer.discovered': PeerInfo,
  /** Something about a peer changed: name, address, link state, verification. */
  'peer.updated': PeerInfo,
  /** A peer went offline (not heard for three announce intervals and no link). */
  'peer.lost': PeerInfo,
  /** A peer presented a key that does not match the device ID expected there. */
  'security.alert': SecurityAlert,
  /** A room was created, joined, or changed (settings, members, keys, unread count). */
  'room.updated': RoomSummary,
  /** This node is no longer a member of a room. */
  'room.removed': z.object({
    roomId: z.string(),
    name: z.string(),
    reason: z.enum(['left', 'kicked', 'banned']),
  }),
  /** A message was stored (sent here or received). */
  'message.received': MessageInfo,
  /**
   * Peers were learnt to hold more of this node's own messages (batched: one event per room
   * for a burst). Each update is the message's new delivery state.
   */
  'message.delivery': z.object({
    roomId: z.string(),
    updates: z.array(z.object({ id: z.string(), delivered: z.number(), of: z.number() })),
  }),
  /** Settings changed (settings.update, from any client). */
  'settings.updated': Settings,
  /** Catching up a room from a peer: how far along, and whether it is done. */
  'sync.progress': z.object({
    roomId: z.string(),
    peer: z.string(),
    received: z.number(),
    done: z.boolean(),
  }),
} as const;

export type CommandName = keyof typeof commands;
export type EventName = keyof typeof events;
export type CommandArgs<N extends CommandName> = z.input<(typeof commands)[N]['args']>;
export type ParsedCommandArgs<N extends CommandName> = z.output<(typeof commands)[N]['args']>;
export type CommandResult<N extends CommandName> = z.output<(typeof commands)[N]['result']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const COMMAND_NAMES = Object.keys(commands) as CommandName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.hasOwn(commands, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}

/**
 * What a client of the node sees, whichever host it runs in: `window.parley` from the Electron
 * preload, or the browser client of `parley serve --ui`.
 */
export interface ParleyApi {
  invoke<N extends CommandName>(name: N, args: CommandArgs<N>): Promise<Result<CommandResult<N>>>;
  /** Subscribes to an event; the returned function unsubscribes. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** Electron IPC channel names, used only by the preload and main/shell. */
export const IPC_CHANNELS = {
  invoke: 'parley:invoke',
  event: 'parley:event',
  /** The page called window.focus() with user activation: main raises the window (no data). */
  windowFocus: 'parley:window-focus',
} as const;
