/**
 * SHA-256, the one hash Parley uses (device IDs, message IDs, control-op hashes). It is the same
 * in OpenSSL and in Electron's BoringSSL.
 */
import { createHash } from 'node:crypto';

export const SHA256_BYTES = 32;

export function sha256(data: Uint8Array): Uint8Array {
  return createHash('sha256').update(data).digest();
}
