import { describe, expect, it } from 'vitest';
import {
  opOnTop,
  summarize,
  testDevice,
  testLog,
  type TestDevice,
  type TestLog,
} from './control-log.testing';
import { checkMessageSender, currentEpoch, FOLD_REASONS, foldOps, SENDER_REASONS } from './fold';
import {
  buildOp,
  leaveAction,
  removeAction,
  renameAction,
  rotateAction,
  setRoleAction,
  updateAction,
} from './op-builder';

/** Owner Olive and member Mia. */
function pair(): { log: TestLog; owner: TestDevice; member: TestDevice } {
  const owner = testDevice('Olive');
  const member = testDevice('Mia');
  const log = testLog(owner);
  log.invite(owner, member);
  return { log, owner, member };
}

describe('fold mechanics', () => {
  it('skips ops of another room', () => {
    const { log, owner } = pair();
    const other = testLog(owner);
    log.receive(other.ops[0]!);
    expect(log.state.rejected).toEqual([
      { hash: other.ops[0]!.hash, reason: FOLD_REASONS.otherRoom },
    ]);
    expect(log.state.createOp).toBe(log.ops[0]!.hash);
  });

  it('holds back an op whose parent is missing, and its descendants, until the gap fills', () => {
    const { log, owner, member } = pair();
    const rename = buildOp(log.state, log.roomId, owner, updateAction({ name: 'Renamed' }).action);
    const after = opOnTop(
      log.roomId,
      [rename],
      owner,
      setRoleAction(member.deviceId, 'admin').action,
    );
    const without = foldOps(log.roomId, [...log.ops, after]);
    expect(without.rejected).toEqual([{ hash: after.hash, reason: FOLD_REASONS.missingParent }]);
    const grandchild = opOnTop(log.roomId, [after], owner, updateAction({ topic: 't' }).action);
    const stillWithout = foldOps(log.roomId, [...log.ops, after, grandchild]);
    expect(stillWithout.rejected.map((r) => r.reason)).toEqual([
      FOLD_REASONS.missingParent,
      FOLD_REASONS.missingParent,
    ]);
    const filled = foldOps(log.roomId, [...log.ops, grandchild, after, rename]);
    expect(filled.rejected).toEqual([]);
    expect(filled.settings).toMatchObject({ name: 'Renamed', topic: 't' });
    expect(filled.heads).toEqual([grandchild.hash]);
  });

  it('skips an op whose Lamport time is not above a parent', () => {
    const { log, owner } = pair();
    const head = log.last();
    const flat = opOnTop(
      log.roomId,
      [head],
      owner,
      updateAction({ name: 'x' }).action,
      head.body.lamport,
    );
    log.receive(flat);
    expect(log.state.rejected).toEqual([
      { hash: flat.hash, reason: FOLD_REASONS.lamportNotAboveParents },
    ]);
  });

  it('still checks an op whose parent was skipped by a rule', () => {
    const { log, owner, member } = pair();
    const before = log.last();
    const forged = buildOp(log.state, log.roomId, member, rotateAction(log.state, 'manual').action);
    const child = opOnTop(
      log.roomId,
      [forged],
      owner,
      updateAction({ topic: 'still here' }).action,
    );
    log.receive(forged, child);
    expect(log.state.rejected.map((r) => r.hash)).toEqual([forged.hash]);
    expect(log.state.settings.topic).toBe('still here');
    // Heads are of accepted ops only: the skipped op does not hide its parent.
    expect(log.state.heads).toEqual([before.hash, child.hash].sort());
  });

  it('ignores duplicates and arrival order, and keeps every concurrent head', () => {
    const { log, owner, member } = pair();
    const base = log.state;
    const a = buildOp(base, log.roomId, owner, updateAction({ topic: 'a' }).action);
    const b = buildOp(base, log.roomId, member, leaveAction(0).action);
    const state = foldOps(log.roomId, [b, ...log.ops, a, b, a]);
    expect(state.heads).toEqual([a.hash, b.hash].sort());
    expect(state.opCount).toBe(log.ops.length + 2);
    expect(summarize(foldOps(log.roomId, [...log.ops, a, b]))).toEqual(summarize(state));
    const merge = buildOp(state, log.roomId, owner, updateAction({ topic: 'm' }).action);
    expect(merge.body.prev).toEqual(state.heads);
    expect(merge.body.lamport).toBe(state.lamport + 1);
  });

  it('returns an empty state for an empty log', () => {
    const state = foldOps('0'.repeat(32), []);
    expect(state).toMatchObject({ createOp: '', opCount: 0, heads: [], rekeyNeeded: false });
    expect(currentEpoch(state)).toBeUndefined();
  });
});

describe('renames', () => {
  it("change the author's name only; the latest wins; a departure keeps the name of that moment", () => {
    const { log, owner, member } = pair();
    const first = log.must(member, renameAction('Mia R'));
    log.must(member, renameAction('Mia Rossi'));
    expect(log.state.members.get(member.deviceId)?.name).toBe('Mia Rossi');
    expect(log.state.members.get(owner.deviceId)?.name).toBe('Olive');
    // Nothing a rename does is about membership or keys: those fold as before.
    const without = foldOps(
      log.roomId,
      log.ops.filter((op) => op.body.action.type !== 'rename'),
    );
    expect(log.state.members.get(member.deviceId)).toEqual({
      ...without.members.get(member.deviceId),
      name: 'Mia Rossi',
    });
    expect(log.state.epochs).toEqual(without.epochs);
    expect(log.state.opCount).toBe(without.opCount + 2);
    // Held alone, the first rename is what the room shows.
    expect(
      foldOps(log.roomId, log.ops.slice(0, log.ops.indexOf(first) + 1)).members.get(member.deviceId)
        ?.name,
    ).toBe('Mia R');
    log.must(owner, removeAction(log.state, member.deviceId, false, 0));
    expect(log.state.departed.get(member.deviceId)?.name).toBe('Mia Rossi');
  });

  it('a rename forged by a departed member after its leave is skipped', () => {
    const { log, member } = pair();
    const leave = log.must(member, leaveAction(0));
    const late = opOnTop(log.roomId, [leave], member, renameAction('Ghost').action);
    log.receive(late);
    expect(log.state.rejected).toEqual([
      { hash: late.hash, reason: 'Only members can change the room.' },
    ]);
    expect(log.state.departed.get(member.deviceId)?.name).toBe('Mia');
  });
});

describe('rekeyNeeded', () => {
  it('is raised when a holder of the current epoch leaves, and cleared by a rotation', () => {
    const { log, owner, member } = pair();
    expect(log.state.rekeyNeeded).toBe(false);
    log.must(member, leaveAction(3));
    expect(log.state.rekeyNeeded).toBe(true);
    log.must(owner, rotateAction(log.state, 'departure'));
    expect(log.state.rekeyNeeded).toBe(false);
  });

  it('stays down when two admins rotate at once: both epochs stand, every member holds both', () => {
    const { log, owner, member } = pair();
    log.must(owner, setRoleAction(member.deviceId, 'admin'));
    const before = log.state;
    const mine = buildOp(before, log.roomId, owner, rotateAction(before, 'auto').action);
    const theirs = buildOp(before, log.roomId, member, rotateAction(before, 'auto').action);
    log.receive(mine, theirs);
    expect(log.state.rejected).toEqual([]);
    expect(log.state.epochs.map((e) => e.reason)).toEqual(['create', 'auto', 'auto']);
    for (const epoch of log.state.epochs.slice(1))
      expect([...epoch.holders].sort()).toEqual([owner.deviceId, member.deviceId].sort());
    expect(log.state.rekeyNeeded).toBe(false);
  });

  it('is raised when a member is added back in the epoch they left, and cleared by a rotation', () => {
    const { log, owner, member } = pair();
    log.must(member, leaveAction(3));
    log.invite(owner, member);
    expect(log.state.rekeyNeeded).toBe(true);
    const epoch = currentEpoch(log.state)!.id;
    // Their old cutoff binds them in this epoch...
    expect(checkMessageSender(log.state, member.deviceId, epoch, 4)).toBe(SENDER_REASONS.departed);
    log.must(owner, rotateAction(log.state, 'repair'));
    expect(log.state.rekeyNeeded).toBe(false);
    // ...but not in the next.
    expect(
      checkMessageSender(log.state, member.deviceId, currentEpoch(log.state)!.id, 4),
    ).toBeNull();
  });
});

describe('checkMessageSender', () => {
  it('accepts holders of an epoch and refuses anyone else, or an unknown epoch', () => {
    const { log, owner, member } = pair();
    const epoch = currentEpoch(log.state)!.id;
    expect(checkMessageSender(log.state, owner.deviceId, epoch, 1)).toBeNull();
    expect(checkMessageSender(log.state, member.deviceId, epoch, 99)).toBeNull();
    expect(checkMessageSender(log.state, testDevice('X').deviceId, epoch, 1)).toBe(
      SENDER_REASONS.notAHolder,
    );
    expect(checkMessageSender(log.state, owner.deviceId, 'f'.repeat(32), 1)).toBe(
      SENDER_REASONS.unknownEpoch,
    );
  });

  it("refuses a kicked member's later (and back-dated) messages, and accepts them once re-added", () => {
    const { log, owner, member } = pair();
    const old = currentEpoch(log.state)!.id;
    log.must(owner, removeAction(log.state, member.deviceId, false, 5));
    const next = currentEpoch(log.state)!.id;
    expect(checkMessageSender(log.state, member.deviceId, old, 5)).toBeNull(); // sent before
    expect(checkMessageSender(log.state, member.deviceId, old, 6)).toBe(SENDER_REASONS.departed);
    expect(checkMessageSender(log.state, member.deviceId, next, 6)).toBe(SENDER_REASONS.notAHolder);

    log.invite(owner, member);
    const readded = currentEpoch(log.state)!.id;
    expect(readded).toBe(next);
    expect(checkMessageSender(log.state, member.deviceId, next, 6)).toBeNull();
    expect(checkMessageSender(log.state, member.deviceId, old, 6)).toBe(SENDER_REASONS.departed);
  });

  it('keeps the cutoff of every departure of a device that came back and left again', () => {
    const { log, owner, member } = pair();
    const first = currentEpoch(log.state)!.id;
    log.must(owner, removeAction(log.state, member.deviceId, false, 5));
    log.invite(owner, member);
    const second = currentEpoch(log.state)!.id;
    log.must(member, leaveAction(10));
    expect(log.state.departed.get(member.deviceId)).toMatchObject({
      kind: 'left',
      lastSeq: 10,
      epochIndex: 1,
      earlier: [{ lastSeq: 5, epochIndex: 0 }],
    });
    expect(checkMessageSender(log.state, member.deviceId, first, 5)).toBeNull();
    expect(checkMessageSender(log.state, member.deviceId, first, 7)).toBe(SENDER_REASONS.departed);
    expect(checkMessageSender(log.state, member.deviceId, second, 10)).toBeNull();
    expect(checkMessageSender(log.state, member.deviceId, second, 11)).toBe(
      SENDER_REASONS.departed,
    );
  });
});
