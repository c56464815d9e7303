/**
 * ECDH on P-256: a private key and a peer's public key give a 32-byte shared secret (the x
 * coordinate of the shared point).
 *
 * What must stay true: the secret is never used as a key directly, only as HKDF input keying
 * material (seal.ts), and the peer's public key has been through keys.ts's import, which rejects
 * points off the curve.
 */
import { createECDH, diffieHellman } from 'node:crypto';
import type { ECDH, KeyObject } from 'node:crypto';
import { asBuffer, concatBytes } from './bytes';
import { assertP256Key, P256_PUBLIC_RAW_BYTES } from './keys';

export const ECDH_SECRET_BYTES = 32;

/** OpenSSL's (and BoringSSL's) name for P-256. */
const P256_CURVE = 'prime256v1';
const P256_SCALAR_BYTES = 32;

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
  const agreement = createECDH(P256_CURVE);
  agreement.generateKeys();
  return ephemeralOf(agreement);
}

/** The same, around a given private key: for known-answer tests only (never reuse one). */
export function ephemeralEcdhOf(privateKey: KeyObject): EphemeralEcdh {
  assertP256Key(privateKey, 'private');
  const d = privateKey.export({ format: 'jwk' }).d;
  if (d === undefined) throw new TypeError('a P-256 private key without its scalar');
  const agreement = createECDH(P256_CURVE);
  agreement.setPrivateKey(Buffer.from(d, 'base64url'));
  return ephemeralOf(agreement);
}

function ephemeralOf(agreement: ECDH): EphemeralEcdh {
  const raw = agreement.getPrivateKey();
  // The scalar comes back without leading zero bytes.
  const scalar = concatBytes(new Uint8Array(P256_SCALAR_BYTES - raw.length), raw);
  const point = Uint8Array.from(agreement.getPublicKey());
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
