/**
 * EC private keys on any curve a certificate test needs, made without generateKeyPair(Sync):
 * on Node 20 a key that a key-generation job made can deadlock the process once it is read
 * (main/core/crypto/keys.ts generateEcKeyPair says how). A key imported from its parts, as
 * here, has no job behind it.
 */
import { createECDH, createPrivateKey, type KeyObject } from 'node:crypto';

const CURVES = {
  'P-256': { openssl: 'prime256v1', bytes: 32 },
  'P-384': { openssl: 'secp384r1', bytes: 48 },
  'P-521': { openssl: 'secp521r1', bytes: 66 },
} as const;

export function ecPrivateKey(curve: keyof typeof CURVES): KeyObject {
  const { openssl, bytes } = CURVES[curve];
  const ecdh = createECDH(openssl);
  const point = ecdh.generateKeys(); // uncompressed: 0x04, x, y
  const scalar = ecdh.getPrivateKey(); // without leading zero bytes, which JWK wants
  const d = Buffer.concat([Buffer.alloc(bytes - scalar.length), scalar]);
  return createPrivateKey({
    key: {
      kty: 'EC',
      crv: curve,
      d: d.toString('base64url'),
      x: point.subarray(1, 1 + bytes).toString('base64url'),
      y: point.subarray(1 + bytes).toString('base64url'),
    },
    format: 'jwk',
  });
}
