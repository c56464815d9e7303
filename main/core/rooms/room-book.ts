/**
 * The node's in-memory book of rooms: for each room, its ops, the state they fold to and the
 * epoch keys this node holds. The store is the truth; the book is rebuilt from it at start and
 * kept in step by RoomService, which is the only writer.
 *
 * What must stay true:
 * - `state` is always foldOps(ops): nothing edits it by hand.
 * - Work on one room is serialised (`exclusive`), so that two sends never take the same seq and
 *   an op is never authored on a state another op is about to change.
 */
import type { RoomRecord } from '../store/store';
import type { DecodedOp } from './op-codec';
import type { RoomState } from './room-state';
import { foldOps } from './fold';

export interface RoomEntry {
  readonly roomId: string;
  record: RoomRecord;
  readonly ops: Map<string, DecodedOp>;
  state: RoomState;
  /** Unsealed epoch keys: epoch ID → 256-bit key. */
  readonly keys: Map<string, Uint8Array>;
  /** Highest Lamport time seen in the room, ops and messages alike. */
  clock: number;
  /** Per sender, the highest seq n such that 1..n are stored (to notice gaps). */
  contiguous: Map<string, number>;
  /** Messages in the current epoch (auto-rotation): counted from the store at start, then kept. */
  epochMessages: number;
  /** Tail of the room's chain of exclusive work. */
  tail: Promise<unknown>;
}

export function newRoomEntry(record: RoomRecord, ops: readonly DecodedOp[]): RoomEntry {
  const entry: RoomEntry = {
    roomId: record.id,
    record,
    ops: new Map(ops.map((op) => [op.hash, op])),
    state: foldOps(record.id, ops),
    keys: new Map(),
    clock: 0,
    contiguous: new Map(),
    epochMessages: 0,
    tail: Promise.resolve(),
  };
  entry.clock = entry.state.lamport;
  return entry;
}

/** Refolds after ops were added; returns the previous state for comparison. */
export function refold(entry: RoomEntry): RoomState {
  const before = entry.state;
  entry.state = foldOps(entry.roomId, [...entry.ops.values()]);
  entry.clock = Math.max(entry.clock, entry.state.lamport);
  return before;
}

/** Runs `work` after every earlier piece of work on this room, one at a time. */
export function exclusive<T>(entry: RoomEntry, work: () => Promise<T>): Promise<T> {
  const run = entry.tail.then(work, work);
  entry.tail = run.catch(() => undefined);
  return run;
}
