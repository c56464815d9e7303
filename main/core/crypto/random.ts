/**
 * Random bytes and random IDs from the operating system's CSPRNG (through node:crypto).
 *
 * What must stay true: every key, nonce and ID comes from here or from node:crypto's key
 * generation, never from Math.random.
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto';

/** Bits in a random ID: enough that two IDs made anywhere never collide (birthday bound 2^64). */
export const RANDOM_ID_BITS = 128;

export function randomBytes(n: number): Uint8Array {
  return nodeRandomBytes(n);
}

/** 128 random bits as 32 lowercase hex characters (room IDs and the like). */
export function randomId(): string {
  return nodeRandomBytes(RANDOM_ID_BITS / 8).toString('hex');
}
