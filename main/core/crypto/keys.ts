/**
 * P-256 key pairs and their encodings: the raw uncompressed point (65 bytes, what travels in
 * discovery packets and sealed boxes), SPKI DER (what the device ID hashes) and PKCS#8 DER (how
 * the identity private key is stored).
 *
 * What must stay true:
 * - Every key that comes from outside (a peer, a file) enters through an import function here,
 *   which accepts only a valid P-256 key and throws ParleyError('BAD_REQUEST') for anything
 *   else. In particular a public point is checked to lie on the curve, which is what protects
 *   ECDH from invalid-curve attacks.
 * - A public key has one accepted encoding: SPKI must be exactly the canonical DER with an
 *   uncompressed point, because the device ID is the hash of those bytes and one key must not
 *   have two device IDs.
 * - Passing a key of the wrong kind to an export function (a P-384 key, a private key where a
 *   public one is expected) is a programming error and throws TypeError, which the API edge
 *   reports as INTERNAL.
 */
import { createECDH, createPrivateKey, createPublicKey } from 'node:crypto';
import type { ECDH, KeyObject } from 'node:crypto';
import { ParleyError } from '../../../shared/errors';
import { asBuffer, bytesEqual, concatBytes, fromHex, toHex } from './bytes';

/** Uncompressed point: 0x04 || x (32) || y (32). */
export const P256_PUBLIC_RAW_BYTES = 65;
/** A private scalar. */
export const P256_PRIVATE_RAW_BYTES = 32;
/** One coordinate of a point. */
const P256_FIELD_BYTES = 32;

/** OpenSSL's (and BoringSSL's) name for P-256, as reported in `asymmetricKeyDetails`. */
const P256_CURVE_NAME = 'prime256v1';

/**
 * The DER of SubjectPublicKeyInfo { id-ecPublicKey, prime256v1 } up to the BIT STRING contents;
 * followed by a 65-byte uncompressed point it is the whole SPKI. Fixed for P-256 (RFC 5480).
 */
const P256_SPKI_PREFIX = fromHex('3059301306072a8648ce3d020106082a8648ce3d030107034200');

export interface EcKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function isP256Key(key: unknown, type: 'public' | 'private'): key is KeyObject {
  if (typeof key !== 'object' || key === null) return false;
  const k = key as KeyObject;
  if (generated.has(k)) return k.type === type;
  return (
    k.type === type &&
    k.asymmetricKeyType === 'ec' &&
    k.asymmetricKeyDetails?.namedCurve === P256_CURVE_NAME
  );
}

/**
 * Keys `generateEcKeyPair` made, so P-256 by construction. Asking a fresh private key for its
 * details costs node about a fifth of an ECDH (it is cached per key after that), a check that
 * cannot fail for these.
 */
const generated = new WeakSet<KeyObject>();

export function assertP256Key(key: unknown, type: 'public' | 'private'): asserts key is KeyObject {
  if (!isP256Key(key, type)) throw new TypeError(`expected a P-256 ${type} key`);
}

/**
 * A fresh P-256 key pair. Not `generateKeyPairSync`: on Node 20 a key it made can deadlock the
 * process. Its key-generation job shares the key's mutex and locks it when the garbage
 * collector destroys the job; if that collection runs inside a call that holds the same mutex
 * and allocates (`asymmetricKeyDetails`, `export`), the main thread waits on itself forever
 * (seen as a test run and a benchmark that hung in a futex; reproduced in a loop within a few
 * seconds). Keys imported from their parts have no job behind them.
 */
export function generateEcKeyPair(): EcKeyPair {
  const { scalar, point } = p256Agreement();
  const privateKey = privateKeyFromParts(scalar, point);
  const publicKey = createPublicKey(privateKey);
  // Known to be P-256, and its point known: a fresh key would otherwise pay for a curve lookup
  // and a JWK export (a fifth of an ECDH together). (Seals' one-time keys are not made here
  // but as ECDH objects, ecdh.ts.)
  generated.add(privateKey).add(publicKey);
  exportedRaw.set(publicKey, Uint8Array.from(point));
  publicHalves.set(privateKey, publicKey);
  return { privateKey, publicKey };
}

/** The public half of a P-256 private key. */
export function publicKeyOf(privateKey: KeyObject): KeyObject {
  const known = publicHalves.get(privateKey);
  if (known !== undefined) return known;
  assertP256Key(privateKey, 'private');
  const publicKey = createPublicKey(privateKey);
  publicHalves.set(privateKey, publicKey);
  return publicKey;
}

/**
 * Public halves already made, by private key: a member opens every sealed key with its device
 * key, and each open needs that key's point (a new public KeyObject would be exported again).
 * KeyObjects never change; the map lets go of keys nobody holds.
 */
const publicHalves = new WeakMap<KeyObject, KeyObject>();

/**
 * The 65-byte uncompressed point. Built from the coordinates rather than taken from the
 * decoder's DER, because OpenSSL re-exports a key in whatever point form it was imported in.
 */
export function exportPublicKeyRaw(publicKey: KeyObject): Uint8Array {
  const known = exportedRaw.get(publicKey);
  // A copy: callers may write into what they get.
  if (known !== undefined) return Uint8Array.from(known);
  assertP256Key(publicKey, 'public');
  const { x, y } = publicKey.export({ format: 'jwk' });
  if (x === undefined || y === undefined) throw new Error('P-256 JWK export lacks x or y');
  const raw = concatBytes(Uint8Array.of(0x04), coordinate(x), coordinate(y));
  exportedRaw.set(publicKey, Uint8Array.from(raw));
  return raw;
}

/**
 * Points already exported, by key: a rotation seals to every member and needs each one's
 * point, and the JWK export costs about a tenth of an ECDH. A KeyObject never changes, and
 * the map lets go of keys nobody holds.
 */
const exportedRaw = new WeakMap<KeyObject, Uint8Array>();

/** Imports a 65-byte uncompressed point; throws ParleyError BAD_REQUEST unless it is on P-256. */
export function importPublicKeyRaw(raw: Uint8Array): KeyObject {
  if (!(raw instanceof Uint8Array) || raw.length !== P256_PUBLIC_RAW_BYTES || raw[0] !== 0x04) {
    throw new ParleyError('BAD_REQUEST', 'Not a P-256 public key: expected a 65-byte 0x04 point.');
  }
  try {
    // The SPKI decoder rejects coordinates >= p and points not on the curve.
    return createPublicKey({
      key: asBuffer(concatBytes(P256_SPKI_PREFIX, raw)),
      format: 'der',
      type: 'spki',
    });
  } catch (cause) {
    throw new ParleyError('BAD_REQUEST', 'Not a P-256 public key: not a point on the curve.', {
      cause,
    });
  }
}

/**
 * SubjectPublicKeyInfo DER in its one canonical form, the fixed P-256 prefix followed by the
 * uncompressed point (91 bytes), however the key was decoded. The device ID is its SHA-256.
 */
export function exportPublicKeySpki(publicKey: KeyObject): Uint8Array {
  return concatBytes(P256_SPKI_PREFIX, exportPublicKeyRaw(publicKey));
}

/**
 * Imports SPKI DER. Throws ParleyError BAD_REQUEST unless it is a P-256 key in canonical form
 * (uncompressed point, nothing trailing): DER allows a compressed point too, and that would
 * give one key a second device ID.
 */
export function importPublicKeySpki(der: Uint8Array): KeyObject {
  if (
    !(der instanceof Uint8Array) ||
    der.length !== P256_SPKI_PREFIX.length + P256_PUBLIC_RAW_BYTES ||
    !bytesEqual(der.subarray(0, P256_SPKI_PREFIX.length), P256_SPKI_PREFIX)
  ) {
    throw new ParleyError('BAD_REQUEST', 'Not a P-256 public key in canonical SPKI form.');
  }
  const raw = der.subarray(P256_SPKI_PREFIX.length);
  const id = toHex(raw);
  const known = importedSpki.get(id);
  if (known !== undefined) return known;
  const key = importPublicKeyRaw(raw);
  if (importedSpki.size >= SPKI_CACHE_MAX_KEYS) {
    importedSpki.delete(importedSpki.keys().next().value!);
  }
  importedSpki.set(id, key);
  return key;
}

/**
 * Members' keys imported so far, by their point in hex. Importing (decoding and checking the
 * point) costs about an ECDH, and the fold meets every member's SPKI again at every refold;
 * a KeyObject is immutable, so sharing one is safe. Only keys that passed every check are
 * kept; the oldest goes first when the cache is full.
 */
const importedSpki = new Map<string, KeyObject>();
/** Enough for every member of hundreds of rooms; about 300 bytes each. */
const SPKI_CACHE_MAX_KEYS = 4096;

export function exportPrivateKeyPkcs8(privateKey: KeyObject): Uint8Array {
  assertP256Key(privateKey, 'private');
  return privateKey.export({ type: 'pkcs8', format: 'der' });
}

/**
 * Imports PKCS#8 DER. Throws ParleyError BAD_REQUEST unless it is a P-256 key whose stored public
 * point matches its private scalar: the decoder does not check that, and a mismatch would make
 * us publish one key while signing with another.
 */
export function importPrivateKeyPkcs8(der: Uint8Array): KeyObject {
  if (!(der instanceof Uint8Array)) {
    throw new ParleyError('BAD_REQUEST', 'Not a private key: expected bytes.');
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: asBuffer(der), format: 'der', type: 'pkcs8' });
  } catch (cause) {
    throw new ParleyError('BAD_REQUEST', 'Not a private key: the PKCS#8 could not be decoded.', {
      cause,
    });
  }
  if (!isP256Key(key, 'private')) {
    throw new ParleyError('BAD_REQUEST', 'Not a P-256 private key.');
  }
  const d = key.export({ format: 'jwk' }).d;
  const stored = exportPublicKeyRaw(createPublicKey(key));
  if (d === undefined || !bytesEqual(pointOfScalar(Buffer.from(d, 'base64url')), stored)) {
    throw new ParleyError('BAD_REQUEST', 'P-256 private key does not match its public key.');
  }
  return key;
}

/**
 * Imports a raw 32-byte private scalar, computing its public point. Parley stores keys as
 * PKCS#8; this exists for the known-answer self-tests, whose published vectors give scalars.
 */
export function importPrivateKeyRaw(d: Uint8Array): KeyObject {
  if (!(d instanceof Uint8Array) || d.length !== P256_PRIVATE_RAW_BYTES) {
    throw new ParleyError('BAD_REQUEST', 'Not a P-256 private key: expected 32 bytes.');
  }
  let point: Uint8Array;
  try {
    point = pointOfScalar(d);
  } catch (cause) {
    // 0 and values >= the group order are not private keys.
    throw new ParleyError('BAD_REQUEST', 'Not a P-256 private key: scalar out of range.', {
      cause,
    });
  }
  return privateKeyFromParts(d, point);
}

/** A private KeyObject from a scalar and its point, both already known to be right. */
function privateKeyFromParts(d: Uint8Array, point: Uint8Array): KeyObject {
  const b64 = (bytes: Uint8Array): string => asBuffer(bytes).toString('base64url');
  return createPrivateKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      d: b64(d),
      x: b64(point.subarray(1, 33)),
      y: b64(point.subarray(33, 65)),
    },
    format: 'jwk',
  });
}

/** A JWK coordinate as exactly 32 bytes (left-padded, should an encoder drop leading zeros). */
function coordinate(base64url: string): Uint8Array {
  const bytes = Buffer.from(base64url, 'base64url');
  if (bytes.length > P256_FIELD_BYTES) throw new Error('P-256 coordinate is too long');
  return concatBytes(new Uint8Array(P256_FIELD_BYTES - bytes.length), bytes);
}

/** d·G as an uncompressed point. The JWK importer takes x and y on trust, so we compute them. */
function pointOfScalar(d: Uint8Array): Uint8Array {
  return p256Agreement(d).point;
}

/** Node's ECDH object on P-256, with its key's scalar (all 32 bytes) and uncompressed point. */
export interface P256Agreement {
  agreement: ECDH;
  scalar: Uint8Array;
  point: Uint8Array;
}

/**
 * An ECDH object on P-256 with a fresh key, or with the given scalar (which it checks: 0 and
 * values >= the group order throw). Generating this way has no key-generation job behind it
 * (see generateEcKeyPair).
 */
export function p256Agreement(scalar?: Uint8Array): P256Agreement {
  const agreement = createECDH(P256_CURVE_NAME);
  if (scalar === undefined) agreement.generateKeys();
  else agreement.setPrivateKey(asBuffer(scalar));
  const raw = agreement.getPrivateKey();
  // The scalar comes back without leading zero bytes; JWK and other threads want all 32.
  return {
    agreement,
    scalar: concatBytes(new Uint8Array(P256_PRIVATE_RAW_BYTES - raw.length), raw),
    point: Uint8Array.from(agreement.getPublicKey()),
  };
}
