/**
 * Every domain-separation label Parley's cryptography uses, in one place.
 *
 * A signature or a sealed box made for one purpose must never be accepted for another, so each
 * purpose has its own label, and the label is bound into what is signed or derived (see
 * signature.ts and seal.ts).
 *
 * What must stay true:
 * - A label, once released, never changes: peers and stored data depend on its exact bytes. A
 *   new meaning gets a new label (and a new version segment if the format changes).
 * - No two labels are equal. Labels are always encoded with a one-byte length in front
 *   (`encodeLabel`), so `label || data` for one label can never be read as another label
 *   followed by different data.
 * - Labels are printable ASCII and at most 255 bytes, so the length fits in one byte.
 */
import { asciiBytes, concatBytes } from './bytes';

/** Labels for ECDSA signatures (signature.ts). */
export const SIGN_LABELS = {
  discovery: 'parley/v1/sign/discovery',
  controlOp: 'parley/v1/sign/control-op',
  envelope: 'parley/v1/sign/envelope',
  selfTest: 'parley/v1/sign/self-test',
} as const;

/** Contexts for boxes sealed to one recipient's public key (seal.ts). */
export const SEAL_CONTEXTS = {
  roomKey: 'parley/v1/seal/room-key',
  selfTest: 'parley/v1/seal/self-test',
} as const;

export type SignLabel = (typeof SIGN_LABELS)[keyof typeof SIGN_LABELS];
export type SealContext = (typeof SEAL_CONTEXTS)[keyof typeof SEAL_CONTEXTS];

/**
 * The fixed start of the HKDF info (and AEAD associated data) of every sealed box. It keeps the
 * sealing key derivation apart from any other HKDF use of the same ECDH secret.
 */
export const SEAL_HKDF_INFO_PREFIX = 'parley/v1/seal/hkdf';

/** Hashed with the creator's SPKI and the create op's nonce into the room ID (rooms/room-id.ts). */
export const ROOM_ID_LABEL = 'parley/v1/room-id';

export const MAX_LABEL_BYTES = 255;

const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/**
 * `u8(len(label)) || label`. Throws RangeError for an empty, non-ASCII or over-long label:
 * labels are chosen by code, not by peers, so a bad one is a programming error.
 */
export function encodeLabel(label: string): Uint8Array {
  if (typeof label !== 'string' || !PRINTABLE_ASCII.test(label)) {
    throw new RangeError('crypto label must be non-empty printable ASCII');
  }
  if (label.length > MAX_LABEL_BYTES) {
    throw new RangeError(`crypto label must be at most ${MAX_LABEL_BYTES} bytes`);
  }
  return concatBytes(Uint8Array.of(label.length), asciiBytes(label));
}
