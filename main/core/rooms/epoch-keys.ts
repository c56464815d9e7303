/**
 * Epoch keys: the 256-bit key of each epoch of a room, made fresh by the op that starts the
 * epoch and sealed (crypto/seal.ts) to each member it is meant for (docs/PROTOCOL.md §8.3).
 *
 * What must stay true:
 * - A box is sealed under `parley/v1/seal/room-key/<room>/<epoch>/<recipient>`, so a box made
 *   for one member, room or epoch opens for no other, even if someone copies it into another
 *   op.
 * - `openSealedKey` returns null, never throws, for anything a peer can put in an op.
 * - Keys come from the CSPRNG (crypto/random.ts) and are never derived from one another: losing
 *   one epoch's key reveals nothing about any other.
 */
import type { KeyObject } from 'node:crypto';
import type { EpochGrant } from '../../../shared/room-wire';
import {
  openSealed,
  randomBytes,
  randomId,
  SEAL_CONTEXTS,
  sealToRecipient,
  sealToRecipients,
  type EcdhDeriver,
} from '../crypto';

/** An epoch key is an AES-256 key. */
export const EPOCH_KEY_BYTES = 32;

/** A new epoch as its author knows it: the ID goes in the op, the key only in sealed boxes. */
export interface EpochSecret {
  id: string;
  key: Uint8Array;
}

/** Who a key is sealed to. */
export interface KeyRecipient {
  deviceId: string;
  publicKey: KeyObject;
}

/** Who opens a sealed key: this device. */
export interface KeyOpener {
  deviceId: string;
  privateKey: KeyObject;
}

export function newEpoch(): EpochSecret {
  return { id: randomId(), key: randomBytes(EPOCH_KEY_BYTES) };
}

/** The seal context binding a box to one room, one epoch and one recipient (§8.3). */
export function roomKeyContext(roomId: string, epochId: string, recipientDeviceId: string): string {
  return `${SEAL_CONTEXTS.roomKey}/${roomId}/${epochId}/${recipientDeviceId}`;
}

/**
 * The EpochGrant of an op that starts an epoch: the key sealed to each recipient, ordered by
 * device ID so the op does not depend on the order the caller listed members in.
 */
export function grantEpoch(
  roomId: string,
  epoch: EpochSecret,
  recipients: readonly KeyRecipient[],
  /** Where the ECDH derives run: the node passes its threads (crypto/ecdh-threads.ts). */
  deriver?: EcdhDeriver,
): EpochGrant {
  // Code-unit order, the same on every node (localeCompare is not).
  const sorted = [...recipients].sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1));
  // One ephemeral key for the whole grant (crypto/seal.ts sealToRecipients): every box carries
  // the same key, each bound to its recipient, so a rotation costs about one ECDH per member.
  const boxes = sealToRecipients(
    sorted.map((r) => ({
      publicKey: r.publicKey,
      context: roomKeyContext(roomId, epoch.id, r.deviceId),
    })),
    epoch.key,
    { deriver },
  );
  // Each box is on its own ArrayBuffer already (the wire schemas' byte type): no copy.
  return { id: epoch.id, keys: sorted.map((r, i) => ({ to: r.deviceId, sealed: boxes[i]! })) };
}

export function sealKeyFor(
  roomId: string,
  epochId: string,
  key: Uint8Array,
  recipient: KeyRecipient,
): Uint8Array<ArrayBuffer> {
  const context = roomKeyContext(roomId, epochId, recipient.deviceId);
  // On its own ArrayBuffer already (crypto/seal.ts): the wire schemas' byte type.
  return sealToRecipient(recipient.publicKey, context, key);
}

/** The epoch key in a box sealed to `me`; null when it is not one (any failure at all). */
export function openSealedKey(
  roomId: string,
  epochId: string,
  sealed: Uint8Array,
  me: KeyOpener,
): Uint8Array | null {
  try {
    const key = openSealed(me.privateKey, roomKeyContext(roomId, epochId, me.deviceId), sealed);
    return key !== null && key.length === EPOCH_KEY_BYTES ? key : null;
  } catch {
    // A room or epoch ID that is not printable ASCII makes the context invalid: no key either.
    return null;
  }
}
