/**
 * Seal to a recipient: encrypt bytes so that only the holder of one P-256 private key can read
 * them (room master keys sealed to each member). ECIES-style: ECDH with a fresh ephemeral key,
 * HKDF-SHA256, AES-256-GCM. `sealToRecipients` seals one plaintext to several recipients with
 * one ephemeral key (see there why that is safe).
 *
 *   info = SEAL_HKDF_INFO_PREFIX || u8(len(context)) || context || ephemeralRaw || recipientRaw
 *   key (32) || nonce (12) = HKDF-SHA256(ikm = ECDH(ephemeral, recipient), salt = empty, info, 44)
 *   box  = ephemeralRaw (65) || aeadSeal(key, plaintext, aad = info, nonce)
 *
 * Why the nonce is derived, not random: each (ephemeral key, recipient, context) seals exactly
 * one box, so each derived key is used once and any nonce would be safe with it; deriving it costs nothing and makes the
 * box a pure function of (ephemeral key, recipient, context, plaintext), which is what lets the
 * self-test check a known answer.
 *
 * What must stay true:
 * - An ephemeral key is never reused across seals: reusing one for the same recipient and
 *   context reuses (key, nonce) and breaks GCM. Within one `sealToRecipients` call it serves
 *   distinct (recipient, context) pairs and one plaintext, which is safe. The `ephemeral`
 *   parameter exists for known-answer tests only.
 * - Both public keys and the context are bound into the key and the associated data, so a box
 *   cannot be opened by another recipient, under another context, or with a swapped ephemeral
 *   key.
 * - `openSealed` returns null, never throws, for anything a peer can send.
 */
import type { KeyObject } from 'node:crypto';
import { aeadOpen, aeadSeal, AEAD_KEY_BYTES, AEAD_NONCE_BYTES, AEAD_OVERHEAD_BYTES } from './aead';
import { asciiBytes, bytesEqual, concatBytes, toHex } from './bytes';
import { ecdh, ephemeralEcdhOf, newEphemeralEcdh } from './ecdh';
import { thisThreadOnly, type EcdhDeriver } from './ecdh-threads';
import { hkdfSha256 } from './hkdf';
import {
  assertP256Key,
  exportPublicKeyRaw,
  importPublicKeyRaw,
  P256_PUBLIC_RAW_BYTES,
  publicKeyOf,
} from './keys';
import { encodeLabel, SEAL_HKDF_INFO_PREFIX } from './labels';

/** Bytes a sealed box adds to its plaintext: ephemeral point, nonce and tag. */
export const SEAL_OVERHEAD_BYTES = P256_PUBLIC_RAW_BYTES + AEAD_OVERHEAD_BYTES;

const EMPTY_SALT = new Uint8Array(0);

export function sealToRecipient(
  recipientPublicKey: KeyObject,
  context: string,
  plaintext: Uint8Array,
  /** A private key to use as the ephemeral key. For known-answer tests only: never reuse one. */
  ephemeral?: KeyObject,
): Uint8Array<ArrayBuffer> {
  return sealToRecipients([{ publicKey: recipientPublicKey, context }], plaintext, {
    ephemeral,
  })[0]!;
}

/** One box of a multi-recipient seal: who opens it, and the context it is bound to. */
export interface SealTarget {
  publicKey: KeyObject;
  context: string;
}

/**
 * The same plaintext sealed to several recipients with ONE ephemeral key: one key generation
 * for the lot, then one ECDH per recipient (a rotation's cost is about N ECDH, not 2N). Each box
 * is exactly what `sealToRecipient` would make with that ephemeral key, so `openSealed` opens it;
 * each is on an ArrayBuffer of its own (the wire schemas' byte type), so callers keep it as is.
 *
 * Why sharing the ephemeral key is safe here (SECURITY.md, "Sealed boxes"): each box's key and
 * nonce come from ECDH(e, recipient) and an info that names the recipient's point and the
 * context, so no two boxes share a (key, nonce); every recipient point was checked to be on
 * the curve when it was imported (keys.ts), and P-256 has cofactor 1, so no recipient can
 * learn anything about e from its box; and all boxes carry the same plaintext, so a recipient
 * who could open another's box would learn only what it already holds. Randomness re-use in
 * DHIES-style multi-recipient encryption is a studied construction (Bellare, Boldyreva,
 * Kurosawa, Staddon, 2007).
 *
 * Throws (a programming error) when two targets name the same recipient and context.
 */
export function sealToRecipients(
  targets: readonly SealTarget[],
  plaintext: Uint8Array,
  options: {
    /** A private key to use as the ephemeral key. For known-answer tests only: never reuse one. */
    ephemeral?: KeyObject | undefined;
    /** Where the ECDH derives run (ecdh-threads.ts); the boxes are the same either way. */
    deriver?: EcdhDeriver;
  } = {},
): Uint8Array<ArrayBuffer>[] {
  const { ephemeral, deriver = thisThreadOnly } = options;
  // One-time keys are node ECDH objects (ecdh.ts): a fifth of an ECDH to make, and their
  // scalar can be handed to the deriver's threads.
  const one = ephemeral === undefined ? newEphemeralEcdh() : ephemeralEcdhOf(ephemeral);
  const ephemeralRaw = one.point;
  // Every target is checked (key, context, duplicates) before any derive is paid for.
  const seen = new Set<string>();
  const recipientRaws: Uint8Array[] = [];
  const infos = targets.map(({ publicKey, context }) => {
    const encodedContext = encodeLabel(context);
    const recipientRaw = exportPublicKeyRaw(publicKey);
    const target = `${context}\u0000${toHex(recipientRaw)}`;
    if (seen.has(target)) throw new RangeError('one recipient and context sealed to twice');
    seen.add(target);
    recipientRaws.push(recipientRaw);
    return sealInfo(encodedContext, ephemeralRaw, recipientRaw);
  });
  const boxes = new Array<Uint8Array<ArrayBuffer>>(targets.length);
  // Each box is made as soon as its secret is known, while other threads may still derive.
  deriver.deriveAll(one, recipientRaws, (i, secret) => {
    const info = infos[i]!;
    const { key, nonce } = deriveKeyAndNonce(secret, info);
    const sealed = aeadSeal(key, plaintext, info, nonce);
    // One copy, onto a buffer of its own: callers keep boxes (in ops), and a Buffer from the
    // shared pool would pin the pool's slab with it.
    const box = new Uint8Array(P256_PUBLIC_RAW_BYTES + sealed.length);
    box.set(ephemeralRaw);
    box.set(sealed, P256_PUBLIC_RAW_BYTES);
    boxes[i] = box;
  });
  return boxes;
}

export function openSealed(
  recipientPrivateKey: KeyObject,
  context: string,
  box: Uint8Array,
): Uint8Array | null {
  // Context and key come from our own code: a bad one throws, as a programming error should.
  const encodedContext = encodeLabel(context);
  assertP256Key(recipientPrivateKey, 'private');
  if (!(box instanceof Uint8Array) || box.length < SEAL_OVERHEAD_BYTES) return null;

  const ephemeralRaw = box.subarray(0, P256_PUBLIC_RAW_BYTES);
  let ephemeralPublic: KeyObject;
  try {
    ephemeralPublic = importPublicKeyRaw(ephemeralRaw);
  } catch {
    return null; // not a point on the curve
  }
  const recipientRaw = exportPublicKeyRaw(publicKeyOf(recipientPrivateKey));
  const info = sealInfo(encodedContext, ephemeralRaw, recipientRaw);
  const { key, nonce } = deriveKeyAndNonce(ecdh(recipientPrivateKey, ephemeralPublic), info);
  const sealed = box.subarray(P256_PUBLIC_RAW_BYTES);
  // The nonce is derivable, so a box carrying any other one was not made by sealToRecipient.
  if (!bytesEqual(sealed.subarray(0, AEAD_NONCE_BYTES), nonce)) return null;
  return aeadOpen(key, sealed, info);
}

/** The HKDF info, also used as the AEAD's associated data. */
function sealInfo(
  encodedContext: Uint8Array,
  ephemeralRaw: Uint8Array,
  recipientRaw: Uint8Array,
): Uint8Array {
  return concatBytes(SEAL_INFO_PREFIX, encodedContext, ephemeralRaw, recipientRaw);
}

const SEAL_INFO_PREFIX = asciiBytes(SEAL_HKDF_INFO_PREFIX);

function deriveKeyAndNonce(
  sharedSecret: Uint8Array,
  info: Uint8Array,
): { key: Uint8Array; nonce: Uint8Array } {
  const okm = hkdfSha256(sharedSecret, EMPTY_SALT, info, AEAD_KEY_BYTES + AEAD_NONCE_BYTES);
  return { key: okm.subarray(0, AEAD_KEY_BYTES), nonce: okm.subarray(AEAD_KEY_BYTES) };
}
