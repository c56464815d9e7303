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
import { asBuffer } from './bytes';
import { assertP256Key, p256Agreement, P256_PUBLIC_RAW_BYTES, type P256Agreement } from './keys';

export const ECDH_SECRET_BYTES = 32;

export function ecdh(privateKey: KeyObject, publicKey: KeyObject): Uint8Array {
  assertP256Key(privateKey, 'private');
  assertP256Key(publicKey, 'public');
  return diffieHellman({ privateKey, publicKey });
}

/**
 * A one-time key for sealing (seal.ts): node's ECDH object rather than a KeyObject. Making one
 * costs a fifth of an ECDH (a KeyObject needs an import that checks the key, close to a whole
 * one); its scalar can be handed to another thread, which sets up the same key as cheaply
 * (ecdh-threads.ts); and it never goes through a key-generation job (keys.ts says why that
 * matters on Node 20).
 *
 * What must stay true: `derive` gives exactly `ecdh` of the same two keys (the self-test checks
 * RFC 5903's vector both ways), and is only given points that keys.ts's imports accepted.
 */
export interface EphemeralEcdh {
  /** The private scalar, 32 bytes big-endian. */
  readonly scalar: Uint8Array;
  /** The public point, 65 bytes uncompressed. */
  readonly point: Uint8Array;
  /** The shared secret with a peer's 65-byte uncompressed point. */
  derive(peerPoint: Uint8Array): Uint8Array;
}

export function newEphemeralEcdh(): EphemeralEcdh {
  return ephemeralOf(p256Agreement());
}

/** The same, around a given private key: for known-answer tests only (never reuse one). */
export function ephemeralEcdhOf(privateKey: KeyObject): EphemeralEcdh {
  assertP256Key(privateKey, 'private');
  const d = privateKey.export({ format: 'jwk' }).d;
  if (d === undefined) throw new TypeError('a P-256 private key without its scalar');
  return ephemeralOf(p256Agreement(Buffer.from(d, 'base64url')));
}

function ephemeralOf({ agreement, scalar, point }: P256Agreement): EphemeralEcdh {
  return {
    scalar,
    point,
    derive(peerPoint: Uint8Array): Uint8Array {
      if (!(peerPoint instanceof Uint8Array) || peerPoint.length !== P256_PUBLIC_RAW_BYTES) {
        throw new TypeError('expected a 65-byte P-256 point');
      }
      return agreement.computeSecret(asBuffer(peerPoint));
    },
  };
}
