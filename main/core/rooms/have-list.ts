/**
 * The `have` list of a `rooms.sync.ops` request, both sides (docs/PROTOCOL.md §10): what the
 * asker says it holds, and which ops the answerer takes it to lack.
 *
 * A held op's ancestors are all held (admission, op-admission.ts, stores no op before its
 * parents), so naming an op says "this and all its ancestors". The asker names the ops whose
 * ancestry it holds whole, at most SYNC_OPS_HAVE_MAX of them (the tips, then the newest): a log
 * of any size then fits in one frame (every hash of a 63,000-op log would not). The answerer
 * takes the asker to hold every op it names and every ancestor of those, and sends the rest.
 *
 * What must stay true:
 * - Nothing the asker lacks is taken as held: only ops whose ancestry the asker holds whole are
 *   named (an op kept from before admission may wait for a parent; it is not named).
 * - Below the cap the answer is exact, as when every hash was sent. Above it the answerer may
 *   send ops the asker has: ancestors only of named ops the answerer lacks, or everything under
 *   tips left out when there are more tips than the cap (tens of thousands of skipped ops).
 *   The asker stores each op once, so that costs bytes, never a wrong state.
 */
import { SYNC_OPS_HAVE_MAX } from '../../../shared/room-wire';
import { FOLD_REASONS, inFoldOrder } from './fold';
import type { DecodedOp } from './op-codec';
import type { RoomState } from './room-state';

const newestFirst = (a: DecodedOp, b: DecodedOp): number => inFoldOrder(b, a);

/** The asker's `have`: held ops whose ancestry is held whole (`state` is their fold), newest first. */
export function haveList(
  ops: ReadonlyMap<string, DecodedOp>,
  state: RoomState,
  max = SYNC_OPS_HAVE_MAX,
): string[] {
  const waiting = new Set(
    state.rejected.filter((r) => r.reason === FOLD_REASONS.missingParent).map((r) => r.hash),
  );
  const whole = [...ops.values()].filter((op) => !waiting.has(op.hash));
  if (whole.length <= max) return whole.map((op) => op.hash);
  // The tips first (ops no held op names as a parent): they stand for every op held. Skipped
  // ops are tips for good (nobody builds on them), however old; the newest after, so that
  // ops the answerer has not seen yet (this node's own) do not hide what lies below them.
  const parents = new Set(whole.flatMap((op) => op.body.prev));
  const tips = whole.filter((op) => !parents.has(op.hash)).sort(newestFirst);
  const inner = whole.filter((op) => parents.has(op.hash)).sort(newestFirst);
  return [...tips, ...inner].slice(0, max).map((op) => op.hash);
}

/** The answerer's side: the held ops that are neither named in `have` nor an ancestor of one. */
export function opsNotIn(
  ops: ReadonlyMap<string, DecodedOp>,
  have: readonly string[],
): DecodedOp[] {
  const covered = new Set(have.filter((hash) => ops.has(hash)));
  const todo = [...covered];
  while (todo.length > 0) {
    for (const parent of ops.get(todo.pop()!)!.body.prev) {
      if (covered.has(parent) || !ops.has(parent)) continue;
      covered.add(parent);
      todo.push(parent);
    }
  }
  return [...ops.values()].filter((op) => !covered.has(op.hash));
}
