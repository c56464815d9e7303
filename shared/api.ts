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
});
export type NodeStatus = z.infer<typeof NodeStatus>;

const NoArgs = z.object({}).strict();

/** Every command: name → argument and result schemas. */
export const commands = {
  'identity.get': { args: NoArgs, result: IdentityInfo },
  'identity.setName': { args: z.object({ name: DisplayName }).strict(), result: IdentityInfo },
  'node.status': { args: NoArgs, result: NodeStatus },
} as const;

/** Every event the node pushes to its clients: name → payload schema. */
export const events = {
  'identity.updated': IdentityInfo,
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
