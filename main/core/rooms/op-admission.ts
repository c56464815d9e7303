/**
 * Which verified ops a node takes into a room's log (docs/PROTOCOL.md §8.2, "Admission"). The
 * fold judges ops again at every fold, in any order, so an op it skips today is still kept: it
 * may apply once an op that sorts before it arrives (a split). Admission refuses only what no
 * fold of any larger log can ever apply, and what it cannot judge yet:
 *
 * - an op whose author the log does not know: not the room's founder, and not named by an
 *   `add` op the node holds (or admits in the same batch) whose own author the log knows. Only
 *   create and add make members, so no fold applies such an op; a key made yesterday could
 *   otherwise fill the log of every member without end;
 * - an op whose parents are not all held (or admitted earlier in the same batch, which comes
 *   in fold order): a sync brings it again with its ancestors. Kept, an op naming made-up
 *   parents would wait for them forever and be served to every member. A child of an op
 *   refused in the same batch is refused for the same reason;
 * - an op whose Lamport time is not one more than its highest parent's: the fold refuses it
 *   whatever else it holds.
 *
 * What must stay true:
 * - Monotone: an op admitted against some held set is admitted against any larger one. So a
 *   refusal only ever means "not yet", and two members that sync both ways hold the same ops.
 * - Pure: no I/O, no clock; signatures were checked by op-codec.ts.
 */
import { inFoldOrder } from './fold';
import type { DecodedOp } from './op-codec';
import { deriveRoomId } from './room-id';

/** Why admission refused an op: reject-counter reasons (room-service.ts counts them). */
export const ADMISSION_REASONS = {
  authorUnknown: 'op-author-unknown',
  missingParent: 'op-missing-parent',
  badLamport: 'op-bad-lamport',
} as const;

export type AdmissionReason = (typeof ADMISSION_REASONS)[keyof typeof ADMISSION_REASONS];

export interface Admission {
  /** The ops to store, in fold order. */
  admitted: DecodedOp[];
  refused: Array<{ op: DecodedOp; reason: AdmissionReason }>;
}

/** Sorts `incoming` (new to `held`, of room `roomId`) into what to store and what to refuse. */
export function admitOps(
  roomId: string,
  held: ReadonlyMap<string, DecodedOp>,
  incoming: readonly DecodedOp[],
): Admission {
  const known = new Set<string>();
  // Held ops in fold order: an honest author's own add is among its ancestors, so it sorts
  // first. Ops held from before admission existed may be junk; they vouch for nobody.
  for (const op of [...held.values()].sort(inFoldOrder)) learn(roomId, known, op);

  const taken = new Map<string, DecodedOp>();
  const refused: Admission['refused'] = [];
  const fresh = new Map<string, DecodedOp>();
  for (const op of incoming) if (!held.has(op.hash)) fresh.set(op.hash, op);
  const refusedHere = new Map<string, AdmissionReason>();
  for (const op of [...fresh.values()].sort(inFoldOrder)) {
    // A child of an op refused here shares its verdict: junk on junk is junk, not a gap.
    const inherited = op.body.prev.map((p) => refusedHere.get(p)).find((r) => r !== undefined);
    const reason =
      inherited ?? whyRefused(roomId, known, op, (hash) => held.get(hash) ?? taken.get(hash));
    if (reason !== null) {
      refused.push({ op, reason });
      refusedHere.set(op.hash, reason);
      continue;
    }
    taken.set(op.hash, op);
    learn(roomId, known, op);
  }
  return { admitted: [...taken.values()], refused };
}

function whyRefused(
  roomId: string,
  known: ReadonlySet<string>,
  op: DecodedOp,
  parentOf: (hash: string) => DecodedOp | undefined,
): AdmissionReason | null {
  let top = 0;
  for (const hash of op.body.prev) {
    const parent = parentOf(hash);
    if (parent === undefined) return ADMISSION_REASONS.missingParent;
    top = Math.max(top, parent.body.lamport);
  }
  if (op.body.lamport !== top + 1) return ADMISSION_REASONS.badLamport;
  return known.has(op.body.author) || foundsRoom(roomId, op)
    ? null
    : ADMISSION_REASONS.authorUnknown;
}

/** Adds who `op` vouches for to `known`, when its own author is known (or it founds the room). */
function learn(roomId: string, known: Set<string>, op: DecodedOp): void {
  if (foundsRoom(roomId, op)) known.add(op.body.author);
  else if (known.has(op.body.author) && op.body.action.type === 'add')
    known.add(op.body.action.member.deviceId);
}

/** A create op whose room ID is the hash of its author's key and nonce (§8.1). */
function foundsRoom(roomId: string, op: DecodedOp): boolean {
  const action = op.body.action;
  return action.type === 'create' && deriveRoomId(op.body.authorKey, action.nonce) === roomId;
}
