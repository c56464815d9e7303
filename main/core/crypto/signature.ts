/**
 * ECDSA P-256 / SHA-256 signatures with domain separation, as 64-byte IEEE-P1363 `r || s`.
 *
 * What is signed is `u8(len(label)) || label || data`, so a signature made for one purpose (a
 * discovery packet) never verifies for another (a control op), even over the same bytes.
 *
 * What must stay true:
 * - `verify` never throws for anything a peer can send: wrong length, junk, a high-S signature
 *   all give false. It throws only for a bad label, which is a programming error.
 * - Signatures are low-S (s <= n/2): `sign` normalises, `verify` rejects high-S. Plain ECDSA lets
 *   anyone turn a valid (r, s) into a second valid (r, n - s) without the key; because message
 *   and op IDs are hashes of bytes that include the signature, that would give one message two
 *   IDs. With low-S only the signer can make a second valid signature.
 */
import { sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { concatBytes } from './bytes';
import { assertP256Key, isP256Key } from './keys';
import { encodeLabel } from './labels';

export const SIGNATURE_BYTES = 64;

const SCALAR_BYTES = 32;
/** The order of the P-256 group (FIPS 186-4, D.1.2.3). */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const HALF_ORDER = P256_ORDER >> 1n;

export function sign(privateKey: KeyObject, label: string, data: Uint8Array): Uint8Array {
  assertP256Key(privateKey, 'private');
  const message = concatBytes(encodedLabel(label), data);
  const signature = nodeSign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return toLowS(signature);
}

export function verify(
  publicKey: KeyObject,
  label: string,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const message = labelledMessage(label, data, signature);
  return message !== null && verifyRaw(publicKey, message, signature);
}

/**
 * `verify` in two halves, for checking signatures on another thread (messages/verify-pool.ts):
 * every rule of `verify` but the curve arithmetic. Returns the bytes a plain ECDSA check must
 * accept (`u8(len(label)) || label || data`), or null when the signature is refused already
 * (wrong length, high S, data not bytes). Throws only for a bad label, as `verify` does.
 */
export function labelledMessage(
  label: string,
  data: Uint8Array,
  signature: Uint8Array,
): Uint8Array | null {
  const prefix = encodedLabel(label);
  if (!(data instanceof Uint8Array)) return null;
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return null;
  if (isHighS(signature)) return null;
  return concatBytes(prefix, data);
}

/**
 * Labels already encoded: every signature and check of a message encodes its label, and the
 * labels are the few constants of SIGN_LABELS. Bounded all the same, in case a caller ever
 * passes labels that vary.
 */
const encodedLabels = new Map<string, Uint8Array>();
const ENCODED_LABELS_MAX = 64;

function encodedLabel(label: string): Uint8Array {
  const known = encodedLabels.get(label);
  if (known !== undefined) return known;
  const encoded = encodeLabel(label); // throws for a label that is not one
  if (encodedLabels.size < ENCODED_LABELS_MAX) encodedLabels.set(label, encoded);
  return encoded;
}

/**
 * Plain ECDSA P-256 / SHA-256 verification of a P1363 signature: no label and no low-S rule.
 * Internal (not in index.ts): it exists so the self-test can check published vectors, which
 * were made without Parley's label. Never throws.
 */
export function verifyRaw(
  publicKey: KeyObject,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (!isP256Key(publicKey, 'public')) return false;
  if (!(message instanceof Uint8Array)) return false;
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return false;
  try {
    return nodeVerify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

/** s > n/2, compared as 32 big-endian bytes (no BigInt on every check). */
function isHighS(signature: Uint8Array): boolean {
  for (let i = 0; i < SCALAR_BYTES; i++) {
    const byte = signature[SCALAR_BYTES + i]!;
    const half = HALF_ORDER_BYTES[i]!;
    if (byte !== half) return byte > half;
  }
  return false; // s = n/2 exactly is low
}

const HALF_ORDER_BYTES = Buffer.from(
  HALF_ORDER.toString(16).padStart(SCALAR_BYTES * 2, '0'),
  'hex',
);

function readS(signature: Uint8Array): bigint {
  return BigInt('0x' + Buffer.from(signature.subarray(SCALAR_BYTES)).toString('hex'));
}

/** (r, s) -> (r, n - s) when s > n/2; both verify, only the low one is accepted by `verify`. */
function toLowS(signature: Uint8Array): Uint8Array {
  if (!isHighS(signature)) return signature;
  const s = readS(signature);
  const lowS = Buffer.from((P256_ORDER - s).toString(16).padStart(SCALAR_BYTES * 2, '0'), 'hex');
  return concatBytes(signature.subarray(0, SCALAR_BYTES), lowS);
}
