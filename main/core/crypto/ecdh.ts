/**
 * ECDH on P-256: a private key and a peer's public key give a 32-byte shared secret (the x
 * coordinate of the shared point).
 *
 * What must stay true: the secret is never used as a key directly, only as HKDF input keying
 * material (seal.ts), and the peer's public key has been through keys.ts's import, which rejects
 * points off the curve.
 */
import { diffieHellman } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { assertP256Key } from './keys';

export const ECDH_SECRET_BYTES = 32;

export function ecdh(privateKey: KeyObject, publicKey: KeyObject): Uint8Array {
  assertP256Key(privateKey, 'private');
  assertP256Key(publicKey, 'public');
  return diffieHellman({ privateKey, publicKey });
}
