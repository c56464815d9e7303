/**
 * The one API contract between the Parley node and every client of it: the Electron IPC
 * bridge, the web GUI's WebSocket bridge, the local REST API and the CLI. Every command and
 * event name is written here and nowhere else; adapters are derived from these tables.
 *
 * Commands are verbs (`identity.setName`); events are past tense (`identity.updated`).
 * Arguments and results are validated with these schemas on the node's side of every boundary.
 */
import { z } from 'zod';
import type { Result } from './errors';
import { parsePeerAddress, formatPeerAddress } from './peer-address';

/** Control characters and line breaks are never part of a display name. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export const DISPLAY_NAME_MAX_LENGTH = 64;

export const DisplayName = z
  .string()
  .trim()
  .min(1, 'A display name cannot be empty.')
  .max(DISPLAY_NAME_MAX_LENGTH, `A display name has at most ${DISPLAY_NAME_MAX_LENGTH} characters.`)
  .refine((s) => !CONTROL_CHARS.test(s), 'A display name cannot contain control characters.');

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

/** Every command: name → argument and result schemas. */
export const commands = {
  'identity.get': { args: NoArgs, result: IdentityInfo },
  'identity.setName': { args: z.object({ name: DisplayName }).strict(), result: IdentityInfo },
  'node.status': { args: NoArgs, result: NodeStatus },
  'peers.list': { args: NoArgs, result: z.array(PeerInfo) },
  'peers.add': { args: z.object({ address: PeerAddressText }).strict(), result: ManualPeerInfo },
  'peers.remove': { args: z.object({ address: PeerAddressText }).strict(), result: z.object({}) },
  'peers.manual': { args: NoArgs, result: z.array(ManualPeerInfo) },
  'peers.setVerified': {
    args: z.object({ deviceId: DeviceId, verified: z.boolean() }).strict(),
    result: PeerInfo,
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
} as const;
