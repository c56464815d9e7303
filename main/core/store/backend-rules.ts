/**
 * The small readings of the Store interface that every backend must make the same way: what a
 * limit means, when two keys are the same key, what an absent sender in a version vector
 * stands for. Kept in one place so that SQLite and MongoDB cannot drift apart on them.
 */
import { ParleyError } from '../../../shared/errors';
import type { RoomKeyRecord } from './store';

/** A page or result size as a whole number a database accepts; 0 means "return nothing". */
export function toLimit(limit: number): number {
  if (!(limit > 0)) return 0;
  return Math.min(Math.floor(limit), Number.MAX_SAFE_INTEGER);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** putRoomKey's refusal of a second, different key for an epoch that has one. */
export function conflictingKeyError(key: RoomKeyRecord): ParleyError {
  return new ParleyError(
    'STORE_FAILED',
    `Room ${key.roomId} already has a different key for epoch ${key.epochId}; the stored key ` +
      `was kept and the new one was not saved.`,
  );
}

/**
 * The seq up to which a peer with version vector `vv` has `sender`'s messages: 0 (none; seqs
 * start at 1) when the sender is absent. Only own properties count, so a sender named
 * "constructor" or "__proto__" is just a sender.
 */
export function seenUpTo(vv: Record<string, number>, sender: string): number {
  return (Object.hasOwn(vv, sender) ? vv[sender] : undefined) ?? 0;
}
