/**
 * Room IDs are bound to their creator: ID = first 128 bits of
 * SHA-256(u8(len label) || label || creator SPKI || nonce), hex. The fold accepts a create op
 * only when its room ID is this hash of its author's key and its nonce, so nobody who learns a
 * room's ID (public rooms advertise theirs) can found a rival log under it.
 */
import { encodeLabel, ROOM_ID_LABEL } from '../crypto/labels';
import { concatBytes, toHex } from '../crypto/bytes';
import { sha256 } from '../crypto/hash';
import { randomBytes } from '../crypto/random';
import { ROOM_NONCE_BYTES } from '../../../shared/room-wire';

export function deriveRoomId(creatorSpki: Uint8Array, nonce: Uint8Array): string {
  return toHex(sha256(concatBytes(encodeLabel(ROOM_ID_LABEL), creatorSpki, nonce)).subarray(0, 16));
}

/** A fresh room of this creator: its ID and the nonce the create op must carry. */
export function newRoomId(creatorSpki: Uint8Array): { roomId: string; nonce: Uint8Array } {
  const nonce = randomBytes(ROOM_NONCE_BYTES);
  return { roomId: deriveRoomId(creatorSpki, nonce), nonce };
}
