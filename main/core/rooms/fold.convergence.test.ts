/**
 * Convergence: members that hold the same ops reach the same state, whatever the order the ops
 * arrived in (docs/PROTOCOL.md §8.2). Histories are made by replicas that each author ops on
 * their own partial view (network partitions, admins on both sides changing membership) and
 * sync now and then; the union is then folded in many arrival orders.
 */
import { describe, expect, it } from 'vitest';
import type { Role } from '../../../shared/room-wire';
import { newRoomId } from './room-id';
import {
  asNewMember,
  summarize,
  testDevice,
  testLog,
  type TestDevice,
} from './control-log.testing';
import { currentEpoch, foldOps, inFoldOrder } from './fold';
import {
  addAction,
  buildOp,
  createAction,
  leaveAction,
  removeAction,
  renameAction,
  rotateAction,
  setRoleAction,
  unbanAction,
  updateAction,
  whyNot,
  type ActionPlan,
} from './op-builder';
import type { DecodedOp } from './op-codec';
import type { RoomState } from './room-state';

/** Mulberry32: a small seeded PRNG, so the choices of a failing history can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Folds `ops` in `orders` random arrival orders (with repeats) and checks they all agree. */
function foldInEveryOrder(roomId: string, ops: readonly DecodedOp[], orders: number, seed: number) {
  const rand = prng(seed);
  const reference = foldOps(roomId, ops);
  const expected = summarize(reference);
  for (let i = 0; i < orders; i++) {
    const repeats = ops.filter(() => rand() < 0.1);
    expect(summarize(foldOps(roomId, shuffled([...ops, ...repeats], rand)))).toEqual(expected);
  }
  return reference;
}

const DEVICES = Array.from({ length: 9 }, (_, i) => testDevice(`D${i}`));
const ROLES: Role[] = ['owner', 'admin', 'member'];

interface Replica {
  /** The devices on this side of the network. */
  devices: TestDevice[];
  ops: Map<string, DecodedOp>;
}

/**
 * A random history: D0 creates the room, adds D1–D5 (D1 admin, D2 a second owner) and shares
 * that with three replicas; then each replica authors ops on its own view, honestly (asking
 * whyNot first) most of the time and as a forger otherwise, and replicas sync one way now and
 * then. Returns every op any replica made.
 */
function randomHistory(seed: number, steps: number): { roomId: string; ops: DecodedOp[] } {
  const rand = prng(seed);
  const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(rand() * items.length)];
  const room = newRoomId(DEVICES[0]!.publicKeySpki);
  const roomId = room.roomId;
  const keys = new Map<string, Uint8Array>();
  let clock = 1_700_000_000_000;
  const viewOf = (ops: Map<string, DecodedOp>) => foldOps(roomId, [...ops.values()]);
  const author = (ops: Map<string, DecodedOp>, device: TestDevice, plan: ActionPlan) => {
    if (plan.epoch) keys.set(plan.epoch.id, plan.epoch.key);
    const op = buildOp(viewOf(ops), roomId, device, plan.action, clock++);
    ops.set(op.hash, op);
  };

  const start = new Map<string, DecodedOp>();
  const [owner, admin, coOwner] = DEVICES as [TestDevice, TestDevice, TestDevice];
  const settings = { name: 'Sim', topic: '', visibility: 'private' as const, password: null };
  author(
    start,
    owner,
    createAction(
      room,
      'room',
      { ...settings, capacity: 7, historyShared: rand() < 0.5 },
      'D0',
      owner,
    ),
  );
  for (const d of DEVICES.slice(1, 6))
    author(start, owner, addAction(viewOf(start), asNewMember(d), keys, 'invite'));
  author(start, owner, setRoleAction(admin.deviceId, 'admin'));
  author(start, owner, setRoleAction(coOwner.deviceId, 'owner'));

  const replicas: Replica[] = [0, 1, 2].map((r) => ({
    devices: DEVICES.filter((_, i) => i % 3 === r),
    ops: new Map(start),
  }));

  const planFor = (state: RoomState, me: TestDevice): ActionPlan | undefined => {
    const other = pick(DEVICES.filter((d) => d !== me))!;
    const seq = Math.floor(rand() * 20);
    // Leaving is rare: a history where everyone has left has nothing left to fold.
    if (rand() < 0.02) return leaveAction(seq);
    const choices = ['add', 'add', 'add', 'remove', 'ban', 'rotate', 'role', 'update', 'rename'];
    switch (pick([...choices, 'unban'])) {
      case 'add': {
        const outsider = pick(DEVICES.filter((d) => !state.members.has(d.deviceId)));
        return outsider && addAction(state, asNewMember(outsider), keys, 'invite');
      }
      case 'remove':
        return removeAction(state, other.deviceId, false, seq);
      case 'ban':
        return removeAction(state, other.deviceId, true, seq);
      case 'rotate':
        return rotateAction(state, 'manual');
      case 'role':
        return setRoleAction(other.deviceId, pick(ROLES)!);
      case 'update':
        return updateAction({ topic: `t${seq}`, historyShared: rand() < 0.5 });
      case 'rename':
        // A few names only, so that renames to the name a member already has happen too.
        return renameAction(`${me.name}.${seq % 3}`);
      default:
        return unbanAction(other.deviceId);
    }
  };

  for (let step = 0; step < steps; step++) {
    const here = pick(replicas)!;
    if (rand() < 0.25) {
      const there = pick(replicas.filter((r) => r !== here))!;
      for (const [hash, op] of there.ops) here.ops.set(hash, op);
      continue;
    }
    const state = viewOf(here.ops);
    const forger = rand() < 0.15;
    const me = pick(
      forger ? here.devices : here.devices.filter((d) => state.members.has(d.deviceId)),
    );
    if (me === undefined) continue;
    const plan = planFor(state, me);
    if (plan === undefined) continue;
    if (!forger && whyNot(state, me.deviceId, plan.action) !== null) continue;
    try {
      author(here.ops, me, plan);
    } catch (err) {
      // A forger's action may not even be a valid op (a new epoch sealed to nobody); an
      // honest author's always is.
      if (!forger) throw err;
    }
  }
  const all = new Map<string, DecodedOp>();
  for (const r of replicas) for (const [hash, op] of r.ops) all.set(hash, op);
  return { roomId, ops: [...all.values()] };
}

/**
 * An oracle for renames: each member's name is the one of their last applied rename since they
 * became a member (in fold order), else the one they were introduced with. Some renames applied.
 */
function expectNamesFromRenames(state: RoomState, ops: readonly DecodedOp[]): void {
  const skipped = new Set(state.rejected.map((r) => r.hash));
  const applied = ops.filter((op) => !skipped.has(op.hash)).sort(inFoldOrder);
  const renames = applied.filter((op) => op.body.action.type === 'rename');
  expect(renames.length).toBeGreaterThan(0);
  for (const [id, member] of state.members) {
    const last = renames
      .filter((op) => op.body.author === id && applied.indexOf(op) > member.sinceIndex)
      .at(-1)?.body.action;
    const introduced = DEVICES.find((d) => d.deviceId === id)!.name;
    expect(member.name).toBe(last?.type === 'rename' ? last.name : introduced);
  }
}

describe('convergence', () => {
  it.each([11, 22, 33])(
    'history %i: 200 arrival orders of the same ops fold to one state',
    (seed) => {
      const { roomId, ops } = randomHistory(seed, 300);
      const state = foldInEveryOrder(roomId, ops, 200, seed);
      // The history had concurrency and conflicts for the fold to settle.
      expect(ops.some((op) => op.body.prev.length > 1)).toBe(true);
      expect(state.rejected.length).toBeGreaterThan(0);
      expect(state.epochs.length).toBeGreaterThan(2);
      expect(state.opCount + state.rejected.length).toBe(ops.length);
      expectNamesFromRenames(state, ops);
    },
  );

  it('a node that receives ops one by one ends where a node that got them at once starts', () => {
    const { roomId, ops } = randomHistory(44, 120);
    const expected = summarize(foldOps(roomId, ops));
    const rand = prng(44);
    for (let round = 0; round < 4; round++) {
      const arrival = shuffled(ops, rand);
      const held: DecodedOp[] = [];
      for (const [i, op] of arrival.entries()) {
        held.push(op);
        // Any subset folds the same in any order, too.
        if (i % 15 === 0) {
          expect(summarize(foldOps(roomId, shuffled(held, rand)))).toEqual(
            summarize(foldOps(roomId, held)),
          );
        }
      }
      expect(summarize(foldOps(roomId, held))).toEqual(expected);
    }
  });
});

describe('both sides of a network split', () => {
  /** Owner Olive, a second owner Otto, admins Ada and Abe, members Mia and Max. */
  function room() {
    const [olive, otto, ada, abe, mia, max] = ['Olive', 'Otto', 'Ada', 'Abe', 'Mia', 'Max'].map(
      testDevice,
    ) as [TestDevice, TestDevice, TestDevice, TestDevice, TestDevice, TestDevice];
    const log = testLog(olive);
    for (const d of [otto, ada, abe, mia, max]) log.invite(olive, d);
    log.must(olive, setRoleAction(otto.deviceId, 'owner'));
    log.must(olive, setRoleAction(ada.deviceId, 'admin'));
    log.must(olive, setRoleAction(abe.deviceId, 'admin'));
    /** An op authored on one side's view; the view grows by it. */
    const on = (side: DecodedOp[], by: TestDevice, made: (s: RoomState) => ActionPlan) => {
      const state = foldOps(log.roomId, side);
      const plan = made(state);
      expect(whyNot(state, by.deviceId, plan.action)).toBeNull();
      const op = buildOp(state, log.roomId, by, plan.action);
      side.push(op);
      return op;
    };
    return {
      log,
      olive,
      otto,
      ada,
      abe,
      mia,
      max,
      on,
      /** Two sides of a split, each holding the history so far. */
      split: (): [DecodedOp[], DecodedOp[]] => [[...log.ops], [...log.ops]],
    };
  }

  it('two owners who remove each other: exactly one stays, the same one in every order', () => {
    const r = room();
    const [left, right] = r.split();
    const byOlive = r.on(left, r.olive, (s) => removeAction(s, r.otto.deviceId, false, 0));
    const byOtto = r.on(right, r.otto, (s) => removeAction(s, r.olive.deviceId, false, 0));
    // Each side goes on without the other's owner.
    r.on(left, r.olive, (s) => rotateAction(s, 'manual'));
    r.on(right, r.otto, () => updateAction({ topic: 'ours now' }));
    const merged = [...new Set([...left, ...right])];
    const state = foldInEveryOrder(r.log.roomId, merged, 100, 1);
    const [first, second] = [byOlive, byOtto].sort((a, b) => (a.hash < b.hash ? -1 : 1));
    const winner = first === byOlive ? r.olive : r.otto;
    const loser = winner === r.olive ? r.otto : r.olive;
    expect(state.members.has(winner.deviceId)).toBe(true);
    expect(state.members.has(loser.deviceId)).toBe(false);
    expect(state.rejected.find((x) => x.hash === second!.hash)?.reason).toBe(
      'Only members can change the room.',
    );
  });

  it('an admin rotates while a member leaves on the other side: a rekey is due after the merge', () => {
    const r = room();
    const [left, right] = r.split();
    r.on(left, r.ada, (s) => rotateAction(s, 'manual'));
    r.on(right, r.mia, () => leaveAction(4));
    const merged = [...new Set([...left, ...right])];
    const state = foldInEveryOrder(r.log.roomId, merged, 100, 2);
    expect(state.members.has(r.mia.deviceId)).toBe(false);
    expect(state.rekeyNeeded).toBe(true);
    // The first admin online repairs it.
    const repair = buildOp(state, r.log.roomId, r.abe, rotateAction(state, 'repair').action);
    const repaired = foldOps(r.log.roomId, [...merged, repair]);
    expect(repaired.rekeyNeeded).toBe(false);
    expect(currentEpoch(repaired)!.holders.has(r.mia.deviceId)).toBe(false);
  });

  it('a member renames while being kicked on the other side: the fold order decides, everywhere', () => {
    const r = room();
    const [left] = r.split();
    const kick = r.on(left, r.ada, (s) => removeAction(s, r.mia.deviceId, false, 0));
    // Same parents, same Lamport time: the hash orders the two. A rename made before its author
    // was removed stands only when it sorts before the removal; after it, the author is gone.
    // New names give new hashes, until both orders have been seen.
    const seen = new Set<boolean>();
    for (let i = 0; seen.size < 2; i++) {
      const right = [...r.log.ops];
      const rename = r.on(right, r.mia, () => renameAction(`Mia ${i}`));
      r.on(right, r.max, () => renameAction('Max M'));
      const state = foldInEveryOrder(r.log.roomId, [...new Set([...left, ...right])], 20, i);
      const renameFirst = rename.hash < kick.hash;
      seen.add(renameFirst);
      expect(state.departed.get(r.mia.deviceId)?.name).toBe(renameFirst ? `Mia ${i}` : 'Mia');
      expect(state.rejected).toEqual(
        renameFirst ? [] : [{ hash: rename.hash, reason: 'Only members can change the room.' }],
      );
      expect(state.members.get(r.max.deviceId)?.name).toBe('Max M');
    }
  });

  it('two admins kick different members at once: both kicks stand, and a repair rotation is due', () => {
    const r = room();
    const [left, right] = r.split();
    const kickMia = r.on(left, r.ada, (s) => removeAction(s, r.mia.deviceId, false, 0));
    const kickMax = r.on(right, r.abe, (s) => removeAction(s, r.max.deviceId, true, 0));
    const state = foldInEveryOrder(r.log.roomId, [...new Set([...left, ...right])], 100, 3);
    const [first, second] = [kickMia, kickMax].sort((a, b) => (a.hash < b.hash ? -1 : 1));
    // The later kick's new key was also sealed to the member the earlier kick removed. Both
    // kicks stand (nothing sent under either epoch is lost), that member is no holder, and the
    // state asks the first admin online for a repair rotation that leaves them out.
    expect(state.rejected).toEqual([]);
    expect(state.epochs.map((e) => e.op)).toEqual([
      r.log.state.epochs[0]!.op,
      first!.hash,
      second!.hash,
    ]);
    expect(state.members.has(r.mia.deviceId) || state.members.has(r.max.deviceId)).toBe(false);
    expect(state.rekeyNeeded).toBe(true);
    const repair = rotateAction(state, 'repair');
    expect(whyNot(state, r.ada.deviceId, repair.action)).toBeNull();
  });
});
