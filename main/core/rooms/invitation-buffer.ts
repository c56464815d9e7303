/**
 * Ops of rooms this node does not know yet, gathered across pushes until they show an
 * invitation. A newcomer gets a room's whole log in batches of SYNC_BATCH_MAX, sorted by
 * Lamport time: the create op comes in the first batch and the `add` that names the newcomer
 * in the last, so a log longer than one batch shows the invitation only once every batch is
 * in hand. Until then the ops wait here, per room and sender.
 *
 * What must stay true:
 * - Bounded: a peer can make this node hold at most `maxOpsPerRoom` ops and `maxBytesPerRoom`
 *   bytes for each of at most `maxRooms` (room, sender) pairs at once, for `ttlMs` at most;
 *   the oldest pair goes first when a new one does not fit. Nothing here is stored or served.
 * - Gathering starts only with a batch that holds the room's create op (a log sent to a
 *   newcomer starts with it), so ops of a room nobody is inviting this node to are dropped.
 * - One sender's ops never mix with another's: a hostile peer cannot spoil an invitation
 *   that an honest one is sending.
 */
import { inFoldOrder } from './fold';
import type { DecodedOp } from './op-codec';

export interface InvitationBufferLimits {
  maxRooms: number;
  maxOpsPerRoom: number;
  maxBytesPerRoom: number;
  ttlMs: number;
}

/** Room for logs of tens of thousands of ops from a few inviters at once, for two minutes. */
export const INVITATION_BUFFER_LIMITS: InvitationBufferLimits = {
  maxRooms: 4,
  maxOpsPerRoom: 100_000,
  maxBytesPerRoom: 64 * 1024 * 1024,
  ttlMs: 120_000,
};

interface Gathering {
  ops: Map<string, DecodedOp>;
  bytes: number;
  since: number;
}

export interface InvitationBuffer {
  /**
   * Adds one batch of decoded ops of `roomId` from `from` and returns every op gathered from
   * that sender for that room so far, in Lamport order (then hash); undefined when the batch
   * is dropped: gathering has not started and the batch holds no create op, or a limit is
   * passed (which also forgets what was gathered).
   */
  add(roomId: string, from: string, ops: readonly DecodedOp[]): DecodedOp[] | undefined;
  /**
   * The hashes gathered for the room from `from`, for the `have` of a sync that asks `from`
   * for the rest of the log (every one has its parents here: the log comes in fold order).
   */
  hashes(roomId: string, from: string): string[];
  /** Forgets what was gathered for the room from `from` (the room is known now). */
  forget(roomId: string, from: string): void;
  /** How many (room, sender) pairs are gathering; for tests. */
  readonly size: number;
}

export function createInvitationBuffer(
  limits: InvitationBufferLimits = INVITATION_BUFFER_LIMITS,
  now: () => number = Date.now,
): InvitationBuffer {
  const gatherings = new Map<string, Gathering>();
  const keyOf = (roomId: string, from: string): string => `${roomId}\n${from}`;

  function dropExpired(): void {
    const oldest = now() - limits.ttlMs;
    for (const [key, g] of gatherings) if (g.since < oldest) gatherings.delete(key);
  }

  function add(roomId: string, from: string, ops: readonly DecodedOp[]): DecodedOp[] | undefined {
    dropExpired();
    const key = keyOf(roomId, from);
    let g = gatherings.get(key);
    if (!g) {
      if (!ops.some((op) => op.body.action.type === 'create')) return undefined;
      g = { ops: new Map(), bytes: 0, since: now() };
      // Maps keep insertion order: the first key is the oldest gathering.
      while (gatherings.size >= limits.maxRooms) {
        const oldestKey = gatherings.keys().next().value as string;
        gatherings.delete(oldestKey);
      }
      gatherings.set(key, g);
    }
    for (const op of ops) {
      if (g.ops.has(op.hash)) continue;
      g.ops.set(op.hash, op);
      g.bytes += op.bytes.length;
    }
    if (g.ops.size > limits.maxOpsPerRoom || g.bytes > limits.maxBytesPerRoom) {
      gatherings.delete(key);
      return undefined;
    }
    return [...g.ops.values()].sort(inFoldOrder);
  }

  return {
    add,
    hashes(roomId, from) {
      dropExpired();
      return [...(gatherings.get(keyOf(roomId, from))?.ops.keys() ?? [])];
    },
    forget: (roomId, from) => void gatherings.delete(keyOf(roomId, from)),
    get size() {
      dropExpired();
      return gatherings.size;
    },
  };
}
