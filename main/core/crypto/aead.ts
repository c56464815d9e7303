/**
 * AES-256-GCM authenticated encryption. A box is `nonce (12) || ciphertext || tag (16)`.
 *
 * What must stay true:
 * - A (key, nonce) pair never encrypts twice: GCM loses both secrecy and integrity if it does.
 *   Nonces are random (96 bits), so one key must seal well under 2^32 boxes (NIST SP 800-38D
 *   8.3); room keys rotate long before that. The `nonce` parameter is for known-answer tests
 *   and for seal.ts, whose keys are used exactly once.
 * - `aeadOpen` returns null for anything a peer can send (short box, wrong key, wrong AAD, any
 *   flipped bit) and never returns unauthenticated plaintext. It throws only for a key of the
 *   wrong length, which is a programming error.
 * - The tag is always 16 bytes: node would otherwise accept a truncated tag on decryption.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { concatBytes } from './bytes';
import { randomBytes } from './random';

export const AEAD_KEY_BYTES = 32;
export const AEAD_NONCE_BYTES = 12;
export const AEAD_TAG_BYTES = 16;
/** Bytes a box adds to its plaintext. */
export const AEAD_OVERHEAD_BYTES = AEAD_NONCE_BYTES + AEAD_TAG_BYTES;

const ALGORITHM = 'aes-256-gcm';

export function aeadSeal(
  key: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
  nonce?: Uint8Array,
): Uint8Array {
  checkKey(key);
  if (nonce !== undefined && nonce.length !== AEAD_NONCE_BYTES) {
    throw new RangeError(`AEAD nonce must be ${AEAD_NONCE_BYTES} bytes`);
  }
  const iv = nonce ?? randomBytes(AEAD_NONCE_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: AEAD_TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = concatBytes(cipher.update(plaintext), cipher.final());
  return concatBytes(iv, ciphertext, cipher.getAuthTag());
}

export function aeadOpen(key: Uint8Array, box: Uint8Array, aad: Uint8Array): Uint8Array | null {
  checkKey(key);
  if (!(box instanceof Uint8Array) || !(aad instanceof Uint8Array)) return null;
  if (box.length < AEAD_OVERHEAD_BYTES) return null;
  const iv = box.subarray(0, AEAD_NONCE_BYTES);
  const ciphertext = box.subarray(AEAD_NONCE_BYTES, box.length - AEAD_TAG_BYTES);
  const tag = box.subarray(box.length - AEAD_TAG_BYTES);
  try {
    const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: AEAD_TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    const plaintext = decipher.update(ciphertext);
    // final() throws if the tag does not match; only then is `plaintext` known to be genuine.
    return concatBytes(plaintext, decipher.final());
  } catch {
    return null;
  }
}

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== AEAD_KEY_BYTES) {
    throw new RangeError(`AEAD key must be ${AEAD_KEY_BYTES} bytes`);
  }
}
