// Admission (op-admission.ts): which verified ops a node stores. Junk that no fold can ever
// apply (an author the log never knew, a made-up parent, a bad Lamport time) is refused; an op
// the fold skips today but may apply in a larger log (a split) is kept.
import { describe, expect, it } from 'vitest';
import {
  asNewMember,
  opOnTop,
  TEST_SETTINGS,
  testDevice,
  testLog,
  type TestLog,
} from './control-log.testing';
import { ADMISSION_REASONS, admitOps } from './op-admission';
import { addAction, createAction, removeAction, setRoleAction } from './op-builder';
import { newRoomId } from './room-id';
import type { DecodedOp } from './op-codec';

const [ann, bob, cat, mallory, mallory2] = ['Ann', 'Bob', 'Cat', 'Mallory', 'Mal2'].map(testDevice);

const held = (ops: readonly DecodedOp[]) => new Map(ops.map((op) => [op.hash, op]));
const headsOf = (log: TestLog) => log.state.heads.map((h) => log.ops.find((op) => op.hash === h)!);
const reasons = (admission: ReturnType<typeof admitOps>) => admission.refused.map((r) => r.reason);

/** Ann's room with Bob (an admin) and Cat. */
function clubLog(): TestLog {
  const log = testLog(ann!);
  log.invite(ann!, bob!);
  log.invite(ann!, cat!);
  log.must(ann!, setRoleAction(bob!.deviceId, 'admin'));
  return log;
}

describe('admitOps', () => {
  it('admits a whole honest log, in any order of arrival, once each op is offered again', () => {
    const log = clubLog();
    log.must(bob!, removeAction(log.state, cat!.deviceId, false, 0));
    const all = [...log.ops].reverse();
    // Newest first, one per batch: each waits for its parents, and a re-offer (a sync) takes it.
    const have = new Map<string, DecodedOp>();
    for (let round = 0; round < all.length && have.size < all.length; round++)
      for (const op of all)
        for (const taken of admitOps(log.roomId, have, [op]).admitted) have.set(taken.hash, taken);
    expect(have.size).toBe(all.length);
    // In one batch the order does not matter at all.
    expect(admitOps(log.roomId, new Map(), all).admitted).toHaveLength(all.length);
  });

  it('refuses ops of a key that was never a member, whatever they say', () => {
    const log = clubLog();
    const on = headsOf(log);
    const forged = [
      opOnTop(log.roomId, on, mallory!, { type: 'update', settings: { name: 'pwned' } }),
      opOnTop(log.roomId, on, mallory!, {
        type: 'set-role',
        member: mallory!.deviceId,
        role: 'owner',
      }),
      opOnTop(log.roomId, on, mallory!, { type: 'rename', name: 'Ann' }),
    ];
    const got = admitOps(log.roomId, held(log.ops), forged);
    expect(got.admitted).toEqual([]);
    expect(reasons(got)).toEqual([
      ADMISSION_REASONS.authorUnknown,
      ADMISSION_REASONS.authorUnknown,
      ADMISSION_REASONS.authorUnknown,
    ]);
  });

  it('refuses a never-member who adds another key, and that key ops too', () => {
    const log = clubLog();
    const add = opOnTop(
      log.roomId,
      headsOf(log),
      mallory!,
      addAction(log.state, asNewMember(mallory2!), log.keys, 'invite').action,
    );
    const next = opOnTop(log.roomId, [add], mallory2!, {
      type: 'update',
      settings: { topic: 'x' },
    });
    const got = admitOps(log.roomId, held(log.ops), [next, add]);
    expect(got.admitted).toEqual([]);
    // The add is refused for its author, and its child with it (not as a gap to fill).
    expect(reasons(got)).toEqual([
      ADMISSION_REASONS.authorUnknown,
      ADMISSION_REASONS.authorUnknown,
    ]);
  });

  it('a member added in the same batch may author the ops after its add', () => {
    const log = clubLog();
    const before = [...log.ops];
    log.invite(bob!, mallory!);
    const add = log.last();
    const next = opOnTop(log.roomId, [add], mallory!, { type: 'leave', lastSeq: 0 });
    const got = admitOps(log.roomId, held(before), [next, add]);
    expect(got.admitted.map((op) => op.hash)).toEqual([add.hash, next.hash]);
  });

  it('keeps an op a departed admin made before it learnt of its removal (a split)', () => {
    const log = clubLog();
    const split = headsOf(log);
    const first = opOnTop(log.roomId, split, bob!, { type: 'update', settings: { topic: 'B' } });
    const theirs = opOnTop(log.roomId, [first], bob!, { type: 'unban', member: cat!.deviceId });
    const renamed = opOnTop(log.roomId, [theirs], bob!, { type: 'rename', name: 'Bobby' });
    log.must(ann!, removeAction(log.state, bob!.deviceId, false, 0));
    log.must(ann!, setRoleAction(cat!.deviceId, 'admin'));
    const got = admitOps(log.roomId, held(log.ops), [renamed, theirs, first]);
    expect(got.admitted).toEqual([first, theirs, renamed]);
    // The fold skips the later two today (Bob is gone before them); kept, another history may
    // apply them.
    log.receive(first, theirs, renamed);
    expect(log.state.rejected.map((r) => r.hash)).toEqual(
      expect.arrayContaining([theirs.hash, renamed.hash]),
    );
    expect(log.state.departed.get(bob!.deviceId)?.name).toBe('Bob');
  });

  it('refuses an op whose parent is not held, and takes it with its parent', () => {
    const log = clubLog();
    const before = [...log.ops];
    log.must(cat!, { type: 'leave', lastSeq: 0 });
    const parent = log.last();
    const child = opOnTop(log.roomId, [parent], ann!, { type: 'update', settings: { topic: 'x' } });
    const alone = admitOps(log.roomId, held(before), [child]);
    expect(alone.admitted).toEqual([]);
    expect(reasons(alone)).toEqual([ADMISSION_REASONS.missingParent]);
    expect(admitOps(log.roomId, held(before), [child, parent]).admitted).toEqual([parent, child]);
  });

  it('refuses an op naming a parent nobody has, and one with a bad Lamport time', () => {
    const log = clubLog();
    const fake = { ...headsOf(log)[0]!, hash: 'ab'.repeat(32) };
    const dangling = opOnTop(log.roomId, [fake], bob!, {
      type: 'update',
      settings: { topic: 'x' },
    });
    const jump = opOnTop(
      log.roomId,
      headsOf(log),
      bob!,
      { type: 'unban', member: cat!.deviceId },
      99,
    );
    const got = admitOps(log.roomId, held(log.ops), [dangling, jump]);
    expect(got.admitted).toEqual([]);
    expect(reasons(got).sort()).toEqual(
      [ADMISSION_REASONS.missingParent, ADMISSION_REASONS.badLamport].sort(),
    );
  });

  it('refuses a create op of another key than the founder, and ops already held are no news', () => {
    const log = clubLog();
    // A create of Mallory's under Ann's room ID: the ID is not the hash of Mallory's key.
    const made = createAction(
      newRoomId(mallory!.publicKeySpki),
      'room',
      TEST_SETTINGS,
      'M',
      mallory!,
    );
    const rival = opOnTop(log.roomId, [], mallory!, made.action, 1);
    const got = admitOps(log.roomId, held(log.ops), [rival, log.ops[1]!]);
    expect(got.admitted).toEqual([]);
    expect(reasons(got)).toEqual([ADMISSION_REASONS.authorUnknown]);
  });
});
