/**
 * HKDF-SHA256 (RFC 5869): turns input keying material (an ECDH secret) into keys, bound to a
 * context through `info`.
 *
 * Written as RFC 5869 section 2 with node's HMAC-SHA256 rather than with `hkdfSync`: node's
 * one-shot HKDF turns the key material into a KeyObject and runs a KDF job for every call,
 * which costs about half again the three HMACs it computes for a 44-byte output, and a key
 * rotation derives once per member. The output is the RFC's, byte for byte: the unit tests
 * check every SHA-256 case of RFC 5869 appendix A and compare with `hkdfSync` across lengths,
 * and the start-up self-test checks two of them.
 *
 * What must stay true: every use passes an `info` that starts with a label from labels.ts, so
 * keys derived for different purposes from the same secret are unrelated.
 */
import { createHmac } from 'node:crypto';

const SHA256_BYTES = 32;

/** RFC 5869 allows at most 255 blocks of the hash length. */
export const HKDF_SHA256_MAX_LENGTH = 255 * SHA256_BYTES;

/**
 * `length` bytes of output keying material. An empty `salt` is the RFC's "not provided": HMAC
 * pads its key with zeros to the block size, so it is the same as HashLen zero bytes. Throws
 * RangeError for a length outside 0..HKDF_SHA256_MAX_LENGTH (a programming error).
 */
export function hkdfSha256(
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  length: number,
): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > HKDF_SHA256_MAX_LENGTH) {
    throw new RangeError(`HKDF-SHA256 output must be 0 to ${HKDF_SHA256_MAX_LENGTH} bytes`);
  }
  // Extract: PRK = HMAC-Hash(salt, IKM).
  const prk = createHmac('sha256', salt).update(ikm).digest();
  // Expand: T(i) = HMAC-Hash(PRK, T(i-1) || info || i), OKM = the first `length` bytes of T(1) || T(2) || ...
  const okm = new Uint8Array(length);
  let previous: Uint8Array = new Uint8Array(0);
  for (let block = 1, offset = 0; offset < length; block++, offset += SHA256_BYTES) {
    previous = createHmac('sha256', prk)
      .update(previous)
      .update(info)
      .update(Uint8Array.of(block))
      .digest();
    okm.set(previous.subarray(0, Math.min(SHA256_BYTES, length - offset)), offset);
  }
  return okm;
}
