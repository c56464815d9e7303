/**
 * SHA-256, the one hash Parley uses (device IDs, message IDs, control-op hashes). It is the same
 * in OpenSSL and in Electron's BoringSSL.
 */
import { hash } from 'node:crypto';

export const SHA256_BYTES = 32;

export function sha256(data: Uint8Array): Uint8Array {
  // The one-shot form: no hash object for a single input (a third of the cost of a short one).
  return hash('sha256', data, 'buffer');
}

/** SHA-256 as lower-case hex: message IDs and op hashes, written by node's one-shot directly. */
export function sha256Hex(data: Uint8Array): string {
  return hash('sha256', data, 'hex');
}
