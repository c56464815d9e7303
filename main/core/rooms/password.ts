/**
 * Room passwords. The control log keeps an scrypt hash (PasswordHash in shared/room-wire.ts),
 * never the password: every member holds the log, and a former member must not be able to
 * read the password out of it.
 *
 * What must stay true:
 * - `verifyPassword` never throws and compares in constant time. The hash comes from the
 *   control log, which any admin writes, so its parameters are checked against a work and
 *   memory bound before scrypt runs: a hostile admin cannot make every node that checks a
 *   join request allocate gigabytes.
 * - The same password typed on any system gives the same hash: it is NFC-normalised first
 *   (macOS and Windows keyboards may produce different code points for the same letters).
 */
import { scryptSync, timingSafeEqual } from 'node:crypto';
import { PasswordHash as PasswordHashSchema, type PasswordHash } from '../../../shared/room-wire';
import { ParleyError } from '../../../shared/errors';
import { randomBytes } from '../crypto';

/** scrypt cost: 16 MiB and about 40 ms per hash on a laptop (RFC 7914's interactive setting). */
export const SCRYPT_N = 16_384;
export const SCRYPT_R = 8;
export const SCRYPT_P = 1;
export const PASSWORD_SALT_BYTES = 16;
export const PASSWORD_HASH_BYTES = 32;
/** Longest password, in characters (UTF-16 code units); the JoinRequest schema's bound. */
export const PASSWORD_MAX_CHARS = 1024;
/** Most memory a hash from the log may make us use: 4x the default (scrypt needs 128·N·r bytes). */
export const MAX_SCRYPT_MEMORY_BYTES = 64 * 1024 * 1024;
/** Most work (N·r·p) a hash from the log may make us do: 16x the default, under a second. */
export const MAX_SCRYPT_WORK = 16 * SCRYPT_N * SCRYPT_R * SCRYPT_P;
/** Besides its 128·N·r-byte table, scrypt needs 128·r·p bytes and a little more: at most 1 MiB. */
const SCRYPT_OVERHEAD_BYTES = 1024 * 1024;

/** Hashes a password chosen by this node's user. Throws BAD_REQUEST for an empty or huge one. */
export function hashPassword(password: string): PasswordHash {
  if (typeof password !== 'string' || password.length === 0) {
    throw new ParleyError('BAD_REQUEST', 'A room password cannot be empty.');
  }
  if (password.length > PASSWORD_MAX_CHARS) {
    throw new ParleyError(
      'BAD_REQUEST',
      `A room password can be at most ${PASSWORD_MAX_CHARS} characters.`,
    );
  }
  // Copies on their own ArrayBuffers: the schema's byte type, and no shared Buffer pool.
  const salt = new Uint8Array(randomBytes(PASSWORD_SALT_BYTES));
  const params = { n: SCRYPT_N, r: SCRYPT_R, p: SCRYPT_P, salt };
  return { ...params, hash: new Uint8Array(derive(password, params)) };
}

/** Whether `password` is the one `hash` was made from. Never throws. */
export function verifyPassword(password: string, hash: PasswordHash): boolean {
  if (typeof password !== 'string' || password.length > PASSWORD_MAX_CHARS) return false;
  const parsed = PasswordHashSchema.safeParse(hash);
  if (!parsed.success) return false;
  const { n, r, p, hash: expected } = parsed.data;
  if (128 * n * r > MAX_SCRYPT_MEMORY_BYTES || n * r * p > MAX_SCRYPT_WORK) return false;
  try {
    return timingSafeEqual(derive(password, parsed.data), expected);
  } catch {
    return false; // N not a power of two, or scrypt refused the parameters otherwise
  }
}

function derive(
  password: string,
  { n, r, p, salt }: Pick<PasswordHash, 'n' | 'r' | 'p' | 'salt'>,
): Uint8Array {
  return scryptSync(password.normalize('NFC'), salt, PASSWORD_HASH_BYTES, {
    N: n,
    r,
    p,
    maxmem: MAX_SCRYPT_MEMORY_BYTES + SCRYPT_OVERHEAD_BYTES,
  });
}
