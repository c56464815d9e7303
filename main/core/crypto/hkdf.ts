/**
 * HKDF-SHA256 (RFC 5869): turns input keying material (an ECDH secret) into keys, bound to a
 * context through `info`.
 *
 * What must stay true: every use passes an `info` that starts with a label from labels.ts, so
 * keys derived for different purposes from the same secret are unrelated.
 */
import { hkdfSync } from 'node:crypto';

/** RFC 5869 allows at most 255 blocks of the hash length. */
export const HKDF_SHA256_MAX_LENGTH = 255 * 32;

export function hkdfSha256(
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  length: number,
): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', ikm, salt, info, length));
}
