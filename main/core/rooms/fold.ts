/**
 * The fold: a room's state from the set of control ops a node holds (docs/PROTOCOL.md §8.2,
 * §8.3). Ops go in one order, Lamport time then hash; each is checked against the state so far
 * (rules.ts) and applied or skipped.
 *
 * What must stay true:
 * - `foldOps` is a pure function of the SET of ops: neither the order they arrived in nor
 *   duplicates change anything (ops of other rooms are only listed as skipped). That is the
 *   whole convergence argument: members that hold the same ops compute the same state.
 * - An op is checked only after all its parents: one whose parent is not held (a gap) is
 *   skipped as 'missing parent', and so are its descendants, until the gap is filled and the
 *   node folds again. An op whose parent was skipped by a rule is still checked: a skipped op
 *   is part of the history all the same, and skipping its children too would let one bad op
 *   erase everything built on top of it.
 * - Nothing here verifies signatures: ops come from op-codec.ts, which did.
 */
import { deriveRoomId } from './room-id';
import type { EpochGrant, OpAction } from '../../../shared/room-wire';
import type { DecodedOp } from './op-codec';
import type { DepartedState, EpochState, RoomState } from './room-state';
import { currentEpoch, memberKey, whyNot, type ActionOf } from './rules';

export { currentEpoch };

/** Why the fold skips an op before looking at its action (rules.ts gives the other reasons). */
export const FOLD_REASONS = {
  otherRoom: 'op of another room',
  missingParent: 'missing parent',
  lamportNotAboveParents: 'lamport time not one more than its parents',
  foreignRoomId: 'The room ID does not belong to the creator of this op.',
} as const;

/**
 * Why the fold refuses a message: the reasons messages/verify-envelope.ts counts by name
 * (SENDER_REJECT_REASONS there).
 */
export const SENDER_REASONS = {
  unknownEpoch: 'unknown-epoch',
  notAHolder: 'not-a-holder',
  departed: 'departed',
} as const;

/**
 * The fold's one order: Lamport time, then hash. Parents come before their children (an op's
 * Lamport time is one more than its highest parent's), so batches sent in it can be admitted
 * and stored op by op.
 */
export const inFoldOrder = (a: DecodedOp, b: DecodedOp): number =>
  a.body.lamport - b.body.lamport || (a.hash < b.hash ? -1 : 1);

export function foldOps(roomId: string, ops: readonly DecodedOp[]): RoomState {
  const byHash = new Map<string, DecodedOp>();
  for (const op of ops) if (!byHash.has(op.hash)) byHash.set(op.hash, op);
  const order = [...byHash.values()].sort(inFoldOrder);

  const state = emptyState(roomId);
  /** Ops already checked, applied or skipped by a rule: their children may be checked. */
  const checked = new Set<string>();
  const applied: DecodedOp[] = [];
  for (const op of order) {
    const gap = gapOf(op, roomId, checked, byHash);
    if (gap !== null) {
      state.rejected.push({ hash: op.hash, reason: gap });
      continue;
    }
    checked.add(op.hash);
    const reason =
      lamportProblem(op, byHash) ??
      roomIdProblem(op, roomId) ??
      whyNot(state, op.body.author, op.body.action);
    if (reason !== null) {
      state.rejected.push({ hash: op.hash, reason });
      continue;
    }
    applyOp(state, op, applied.length);
    applied.push(op);
  }
  state.heads = headsOf(applied);
  state.rekeyNeeded = needsRekey(state);
  return state;
}

/**
 * Whether `sender` may send message `seq` under epoch `epochId`: null when yes, else one of
 * SENDER_REASONS. Only holders of an epoch send in it, and a departed member's messages past
 * their last seq are refused under every epoch that started before they departed.
 */
export function checkMessageSender(
  state: RoomState,
  sender: string,
  epochId: string,
  seq: number,
): string | null {
  const epoch = state.epochs.find((e) => e.id === epochId);
  if (epoch === undefined) return SENDER_REASONS.unknownEpoch;
  if (!epoch.holders.has(sender)) return SENDER_REASONS.notAHolder;
  const gone = state.departed.get(sender);
  if (gone !== undefined) {
    for (const cutoff of [...(gone.earlier ?? []), gone]) {
      if (epoch.index <= cutoff.epochIndex && seq > cutoff.lastSeq) return SENDER_REASONS.departed;
    }
  }
  return null;
}

function emptyState(roomId: string): RoomState {
  return {
    roomId,
    kind: 'room',
    // Placeholder until the create op is folded (createOp === ''); nothing reads it before.
    settings: {
      name: '',
      topic: '',
      visibility: 'private',
      password: null,
      capacity: 0,
      historyShared: false,
    },
    createOp: '',
    createdAt: 0,
    members: new Map(),
    departed: new Map(),
    banned: new Set(),
    epochs: [],
    lamport: 0,
    heads: [],
    opCount: 0,
    rejected: [],
    rekeyNeeded: false,
  };
}

/**
 * Why the op cannot be folded (yet): it is of another room, or a parent is not held or is
 * itself waiting for a missing ancestor. A parent held but sorted after the op is no gap: that
 * is a bad Lamport time, for `lamportProblem`.
 */
function gapOf(
  op: DecodedOp,
  roomId: string,
  checked: ReadonlySet<string>,
  held: ReadonlyMap<string, DecodedOp>,
): string | null {
  if (op.body.room !== roomId) return FOLD_REASONS.otherRoom;
  for (const parent of op.body.prev) {
    if (checked.has(parent)) continue;
    const later = held.get(parent);
    if (later?.body.room === roomId && later.body.lamport >= op.body.lamport) continue;
    return FOLD_REASONS.missingParent;
  }
  return null;
}

/**
 * An op's Lamport time is exactly one more than its highest parent's (1 for create), §8.1.
 * Exactly, not "more than": a member who could jump to a huge time would leave nobody able to
 * author the next op. Every parent is held (see gapOf).
 */
function lamportProblem(op: DecodedOp, held: ReadonlyMap<string, DecodedOp>): string | null {
  const top = Math.max(0, ...op.body.prev.map((p) => held.get(p)!.body.lamport));
  return op.body.lamport === top + 1 ? null : FOLD_REASONS.lamportNotAboveParents;
}

/** A create op founds only the room whose ID is the hash of its author's key and nonce. */
function roomIdProblem(op: DecodedOp, roomId: string): string | null {
  const action = op.body.action;
  if (action.type !== 'create') return null;
  return deriveRoomId(op.body.authorKey, action.nonce) === roomId
    ? null
    : FOLD_REASONS.foreignRoomId;
}

function applyOp(state: RoomState, op: DecodedOp, index: number): void {
  const action: OpAction = op.body.action;
  switch (action.type) {
    case 'create':
      applyCreate(state, op, action, index);
      break;
    case 'add':
      applyAdd(state, op, action, index);
      break;
    case 'leave':
      depart(state, op, op.body.author, action.lastSeq, 'left');
      break;
    case 'remove':
      if (state.members.has(action.member)) {
        depart(state, op, action.member, action.lastSeq, action.ban ? 'banned' : 'kicked');
      }
      if (action.ban) state.banned.add(action.member);
      // After the departure: the old epoch is the one the departed member's cutoff names.
      startEpoch(state, op, action.epoch, action.ban ? 'ban' : 'kick');
      break;
    case 'unban':
      state.banned.delete(action.member);
      break;
    case 'set-role':
      state.members.get(action.member)!.role = action.role;
      break;
    case 'update':
      state.settings = { ...state.settings, ...definedOnly(action.settings) };
      break;
    case 'rotate':
      startEpoch(state, op, action.epoch, action.reason);
      break;
    case 'rename':
      // whyNot checked that the author is a member; a departed one keeps the name they left with.
      state.members.get(op.body.author)!.name = action.name;
      break;
  }
  state.lamport = Math.max(state.lamport, op.body.lamport);
  state.opCount++;
}

function applyCreate(
  state: RoomState,
  op: DecodedOp,
  action: ActionOf<'create'>,
  index: number,
): void {
  state.kind = action.kind;
  state.settings = { ...action.settings };
  state.createOp = op.hash;
  state.createdAt = op.body.ts;
  state.members.set(op.body.author, {
    deviceId: op.body.author,
    publicKey: op.authorKey,
    publicKeyDer: op.body.authorKey,
    name: action.creatorName,
    role: 'owner',
    since: op.hash,
    sinceIndex: index,
  });
  startEpoch(state, op, action.epoch, 'create');
}

function applyAdd(state: RoomState, op: DecodedOp, action: ActionOf<'add'>, index: number): void {
  const { deviceId, publicKey, name } = action.member;
  state.members.set(deviceId, {
    deviceId,
    publicKey: memberKey(action.member)!, // checked by whyNot
    publicKeyDer: publicKey,
    name,
    role: 'member',
    since: op.hash,
    sinceIndex: index,
  });
  // The newcomer may send only in the current epoch; older keys (history) are for reading.
  currentEpoch(state)!.holders.add(deviceId);
  for (const grant of action.keys) {
    state.epochs.find((e) => e.id === grant.epoch)!.sealed.set(deviceId, grant.sealed);
  }
}

/**
 * Moves a member to `departed`. A device that departed before (and was added back) keeps its
 * earlier cutoffs: each still guards the epochs that started before that departure.
 */
function depart(
  state: RoomState,
  op: DecodedOp,
  deviceId: string,
  lastSeq: number,
  kind: DepartedState['kind'],
): void {
  const member = state.members.get(deviceId)!;
  const before = state.departed.get(deviceId);
  const earlier =
    before === undefined
      ? undefined
      : [...(before.earlier ?? []), { lastSeq: before.lastSeq, epochIndex: before.epochIndex }];
  state.departed.set(deviceId, {
    deviceId,
    publicKey: member.publicKey,
    name: member.name,
    lastSeq,
    epochIndex: state.epochs.length - 1,
    kind,
    op: op.hash,
    ...(earlier === undefined ? {} : { earlier }),
  });
  state.members.delete(deviceId);
}

function startEpoch(
  state: RoomState,
  op: DecodedOp,
  grant: EpochGrant,
  reason: EpochState['reason'],
): void {
  state.epochs.push({
    id: grant.id,
    index: state.epochs.length,
    op: op.hash,
    author: op.body.author,
    at: op.body.ts,
    reason,
    // Only recipients who are members may send in it (a split may have sealed it to others).
    holders: new Set(grant.keys.map((k) => k.to).filter((id) => state.members.has(id))),
    sealed: new Map(grant.keys.map((k) => [k.to, k.sealed])),
  });
}

/** The accepted ops no other accepted op names as a parent, sorted. */
function headsOf(applied: readonly DecodedOp[]): string[] {
  const heads = new Set(applied.map((op) => op.hash));
  for (const op of applied) for (const parent of op.body.prev) heads.delete(parent);
  return [...heads].sort();
}

/**
 * A holder of the current epoch can no longer use it as a member should: they are not a member
 * (left, or removed on the other side of a split), or they were added back after departing in
 * this very epoch, so their old cutoff still binds them in it. Either way a new epoch fixes it.
 */
function needsRekey(state: RoomState): boolean {
  const current = currentEpoch(state);
  if (current === undefined) return false;
  // Split-brain leftovers (see rules.ts whyNotEpoch): the key went to someone who is not a
  // member, or a member never got it.
  for (const recipient of current.sealed.keys()) if (!state.members.has(recipient)) return true;
  for (const member of state.members.keys()) if (!current.holders.has(member)) return true;
  for (const holder of current.holders) {
    if (!state.members.has(holder)) return true;
    const gone = state.departed.get(holder);
    if (gone !== undefined && gone.epochIndex >= current.index) return true;
  }
  return false;
}

/** The keys an `update` sets: a key present with value undefined changes nothing. */
function definedOnly<T extends object>(partial: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(partial).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
