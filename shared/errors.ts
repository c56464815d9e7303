/**
 * Parley's closed set of error codes. Every error that crosses a boundary (IPC, the local
 * REST/WebSocket API, the CLI's exit message, the peer wire) is reduced to `{ code, message }`
 * with one of these codes; no Error object is expected to survive a boundary.
 *
 * Each code carries the words a user sees when no more specific message is given.
 */
export const ERROR_CODES = {
  BAD_REQUEST: 'The request was not valid.',
  UNKNOWN_COMMAND: 'That command does not exist.',
  INTERNAL: 'Something went wrong inside Parley.',
  NOT_RUNNING: 'The Parley node is not running.',
  CRYPTO_SELF_TEST_FAILED: 'The cryptography self-test failed; Parley will not start.',
  IDENTITY_CORRUPT: 'The identity key file is damaged.',
  IDENTITY_LOCKED: 'The identity key could not be unlocked on this computer.',
  STORE_CORRUPT: 'The message database is damaged.',
  STORE_TOO_NEW: 'The message database was written by a newer version of Parley.',
  STORE_FAILED: 'The message database could not be read or written.',
  DATA_DIR_UNWRITABLE: 'The data folder cannot be written.',
  DATA_DIR_LOCKED: 'Another Parley node is already using this data folder.',
  PEER_UNREACHABLE: 'That peer could not be reached.',
  PEER_TIMEOUT: 'The peer did not answer in time.',
  LINK_CLOSED: 'The connection to the peer closed.',
  PEER_UNKNOWN: 'Parley does not know that peer.',
  DISCOVERY_FAILED: 'LAN discovery could not start.',
  ROOM_NOT_FOUND: 'That room does not exist here.',
  NOT_A_MEMBER: 'You are not a member of that room.',
  NOT_ALLOWED: 'You are not allowed to do that in this room.',
  ROOM_FULL: 'That room is full.',
  BANNED: 'You are banned from that room.',
  WRONG_PASSWORD: 'That password is not right.',
  RATE_LIMITED: 'Too many attempts; wait a minute and try again.',
  NO_ROOM_KEY: 'This device does not hold the room key yet; it arrives when a member is online.',
  NO_ADMIN_ONLINE: 'No admin of that room is online to let you in.',
  ROOM_CLOCK_EXHAUSTED:
    'No more messages can be sent in this room: its message counter has run out. Start a new room.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The serialisable shape of an error at every boundary. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}

/** A value or a coded error, the shape every API call answers with. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** An error with a stable code, thrown inside one side of a boundary and reduced at the edge. */
export class ParleyError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? ERROR_CODES[code], options);
    this.name = 'ParleyError';
    this.code = code;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** Reduces anything thrown to `{ code, message }`; unknown errors become INTERNAL. */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof ParleyError) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: ERROR_CODES.INTERNAL };
}

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(code: ErrorCode, message?: string): Result<T> => ({
  ok: false,
  error: { code, message: message ?? ERROR_CODES[code] },
});
