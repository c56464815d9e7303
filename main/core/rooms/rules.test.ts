/**
 * The table of docs/PROTOCOL.md §8.2, row by row: each action allowed and refused for each role.
 * Every verdict is checked twice (verdictOf): the fold's reason for the op equals whyNot's for
 * the action, so the API refuses exactly what peers would skip.
 */
import { describe, expect, it } from 'vitest';
import { OpAction, type RoomSettings } from '../../../shared/room-wire';
import { randomBytes, randomId } from '../crypto';
import { newRoomId } from './room-id';
import {
  asNewMember,
  opOnTop,
  testDevice,
  testLog,
  TEST_SETTINGS,
  verdictOf,
  type TestDevice,
  type TestLog,
} from './control-log.testing';
import { grantEpoch, newEpoch, openSealedKey } from './epoch-keys';
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
} from './op-builder';
import { FOLD_REASONS, foldOps } from './fold';
import { currentEpoch, memberKey } from './rules';

/** Owner Olive, admin Adam, member Mia; Xena is not in the room. */
function team(settings: Partial<RoomSettings> = {}) {
  const owner = testDevice('Olive');
  const admin = testDevice('Adam');
  const member = testDevice('Mia');
  const outsider = testDevice('Xena');
  const log = testLog(owner, settings);
  log.invite(owner, admin);
  log.must(owner, setRoleAction(admin.deviceId, 'admin'));
  log.invite(owner, member);
  const add = (by: TestDevice, who: TestDevice) =>
    verdictOf(log, by, addAction(log.state, asNewMember(who), log.keys, 'invite'));
  const remove = (by: TestDevice, who: TestDevice | string, ban = false) =>
    verdictOf(
      log,
      by,
      removeAction(log.state, typeof who === 'string' ? who : who.deviceId, ban, 0),
    );
  return { log, owner, admin, member, outsider, add, remove };
}

describe('create', () => {
  it('makes the creator the owner of epoch 0, sealed to them alone', () => {
    const owner = testDevice('Olive');
    const log = testLog(owner);
    const me = log.state.members.get(owner.deviceId)!;
    expect(me).toMatchObject({ role: 'owner', name: 'Olive', since: log.state.createOp });
    const [epoch] = log.state.epochs;
    expect(epoch).toMatchObject({ index: 0, reason: 'create', op: log.state.createOp });
    expect([...epoch!.holders]).toEqual([owner.deviceId]);
    const key = openSealedKey(log.roomId, epoch!.id, epoch!.sealed.get(owner.deviceId)!, owner);
    expect(key).toEqual(log.keys.get(epoch!.id));
    expect(log.state.settings).toEqual(TEST_SETTINGS);
  });

  it('happens once: a second create by the creator is refused', () => {
    const a = testDevice('A');
    const log = testLog(a);
    const again = buildOp(
      undefined,
      log.roomId,
      a,
      createAction(log.room, 'room', TEST_SETTINGS, 'A again', a).action,
    );
    log.receive(again);
    const [first, second] = [log.ops[0]!, again].sort((x, y) => (x.hash < y.hash ? -1 : 1));
    expect(log.state.createOp).toBe(first!.hash);
    expect(log.state.rejected).toEqual([
      { hash: second!.hash, reason: 'The room already exists.' },
    ]);
  });

  it('cannot be hijacked: a create by anyone else for a known room ID is refused', () => {
    const [a, b] = [testDevice('A'), testDevice('B')];
    const log = testLog(a);
    // B knows the ID and signs a create for it with its own key and any nonce it likes.
    for (let i = 0; i < 20; i++) {
      const rival = buildOp(
        undefined,
        log.roomId,
        b,
        createAction({ roomId: log.roomId, nonce: randomBytes(16) }, 'room', TEST_SETTINGS, 'B', b)
          .action,
      );
      log.receive(rival);
      expect(log.state.createOp).toBe(log.ops[0]!.hash);
      expect(log.state.rejected).toContainEqual({
        hash: rival.hash,
        reason: FOLD_REASONS.foreignRoomId,
      });
    }
  });

  it('refuses a first key sealed to anyone but the creator, and then the room does not exist', () => {
    const [owner, other] = [testDevice('Olive'), testDevice('Xena')];
    const room = newRoomId(owner.publicKeySpki);
    const roomId = room.roomId;
    const made = createAction(room, 'room', TEST_SETTINGS, 'Olive', owner).action;
    const widened = { ...made, epoch: grantEpoch(roomId, newEpoch(), [owner, other]) };
    const create = buildOp(undefined, roomId, owner, widened);
    const child = opOnTop(roomId, [create], owner, leaveAction(0).action);
    const state = foldOps(roomId, [create, child]);
    expect(state.createOp).toBe('');
    expect(state.rejected.map((r) => r.reason)).toEqual([
      'The first key must be sealed to the creator only.',
      'The room does not exist yet.',
    ]);
  });

  it('makes a direct message private with exactly two places', () => {
    const owner = testDevice('Olive');
    const dm = { ...TEST_SETTINGS, capacity: 2 };
    expect(testLog(owner, dm, 'dm').state.kind).toBe('dm');
    expect(() => testLog(owner, { ...dm, capacity: 3 }, 'dm')).toThrow(/exactly 2 places/);
    expect(() => testLog(owner, { ...dm, visibility: 'public' }, 'dm')).toThrow(/private/);
  });
});

describe('add', () => {
  it('is for the owner and admins: members and outsiders cannot add (forged adds are skipped)', () => {
    const t = team();
    const [n1, n2] = [testDevice('N1'), testDevice('N2')];
    expect(t.add(t.owner, n1)).toBeNull();
    expect(t.add(t.admin, n2)).toBeNull();
    expect(t.add(t.member, t.outsider)).toBe('Only the owner or an admin can add members.');
    expect(t.add(t.outsider, t.outsider)).toBe('Only members can change the room.');
    const joined = t.log.state.members.get(n2.deviceId)!;
    expect(joined).toMatchObject({ role: 'member', name: 'N2' });
    expect(currentEpoch(t.log.state)!.holders.has(n2.deviceId)).toBe(true);
  });

  it('refuses a member, a banned device and a full room', () => {
    const t = team({ capacity: 4 });
    expect(t.add(t.owner, t.member)).toBe('Mia is already a member.');
    expect(t.remove(t.owner, t.outsider, true)).toBeNull();
    expect(t.add(t.owner, t.outsider)).toMatch(/banned; lift the ban first/);
    expect(t.add(t.owner, testDevice('Fourth'))).toBeNull();
    expect(t.add(t.owner, testDevice('Fifth'))).toBe('The room is full (4 members).');
  });

  it("refuses a key that is not the newcomer's", () => {
    const t = team();
    const plan = addAction(t.log.state, asNewMember(t.outsider), t.log.keys, 'invite');
    // Xena's key under another device's ID: whoever holds that ID could not open the keys.
    const other = testDevice('Other').deviceId;
    const forged = { ...plan.action, member: { ...plan.action.member, deviceId: other } };
    expect(verdictOf(t.log, t.owner, forged)).toBe("The new member's key does not match their ID.");
  });

  it("reads a newcomer's key by content, and the same answer again for the same intro", () => {
    const mia = testDevice('Mia');
    const intro = {
      deviceId: mia.deviceId,
      publicKey: new Uint8Array(mia.publicKeySpki),
      name: 'Mia',
    };
    const key = memberKey(intro);
    expect(key?.equals(mia.publicKey)).toBe(true);
    expect(memberKey(intro)).toBe(key);
    // Other objects are checked afresh: the same bytes under another ID, junk, a copy.
    const other = testDevice('Other').deviceId;
    expect(memberKey({ ...intro, deviceId: other })).toBeNull();
    const junk = { ...intro, publicKey: new Uint8Array(randomBytes(91)) };
    expect(memberKey(junk)).toBeNull();
    expect(memberKey(junk)).toBeNull();
    expect(memberKey({ ...intro, publicKey: new Uint8Array(intro.publicKey) })).toBe(key);
  });

  it('must hand over the current key, once, and only keys of epochs the room has', () => {
    const t = team();
    t.log.must(t.owner, rotateAction(t.log.state, 'manual'));
    const plan = addAction(t.log.state, asNewMember(t.outsider), t.log.keys, 'invite');
    const current = plan.action.keys[0]!;
    const withKeys = (keys: typeof plan.action.keys) => ({ ...plan.action, keys });
    const old = { epoch: t.log.state.epochs[0]!.id, sealed: current.sealed };
    expect(verdictOf(t.log, t.owner, withKeys([old]))).toBe(
      'The new member must be given the current room key.',
    );
    expect(verdictOf(t.log, t.owner, withKeys([current, { ...current, epoch: randomId() }]))).toBe(
      'A key grant names an epoch this room does not have.',
    );
    expect(verdictOf(t.log, t.owner, withKeys([current, current]))).toBe(
      'A key grant names the same epoch twice.',
    );
    expect(verdictOf(t.log, t.owner, withKeys([old, current]))).toBeNull();
  });

  it('hands over every earlier key when the room shares history, and must', () => {
    const t = team({ historyShared: true });
    t.log.must(t.owner, rotateAction(t.log.state, 'manual'));
    const plan = addAction(t.log.state, asNewMember(t.outsider), t.log.keys, 'invite');
    expect(plan.action.keys.map((k) => k.epoch)).toEqual(t.log.state.epochs.map((e) => e.id));
    const currentOnly = { ...plan.action, keys: plan.action.keys.slice(-1) };
    expect(verdictOf(t.log, t.owner, currentOnly)).toMatch(/every earlier room key/);
    expect(verdictOf(t.log, t.owner, plan)).toBeNull();
    for (const epoch of t.log.state.epochs) {
      const box = epoch.sealed.get(t.outsider.deviceId)!;
      expect(openSealedKey(t.log.roomId, epoch.id, box, t.outsider)).toEqual(
        t.log.keys.get(epoch.id),
      );
      // Reading history is not sending in it: the newcomer holds the current epoch only.
      expect(epoch.holders.has(t.outsider.deviceId)).toBe(epoch === currentEpoch(t.log.state));
    }
  });

  it('hands over only the current key when history is not shared', () => {
    const t = team({ historyShared: false });
    t.log.must(t.owner, rotateAction(t.log.state, 'manual'));
    const plan = addAction(t.log.state, asNewMember(t.outsider), t.log.keys, 'invite');
    expect(plan.action.keys.map((k) => k.epoch)).toEqual([currentEpoch(t.log.state)!.id]);
    expect(verdictOf(t.log, t.owner, plan)).toBeNull();
    expect(t.log.state.epochs[0]!.sealed.has(t.outsider.deviceId)).toBe(false);
  });
});

describe('leave', () => {
  it('lets a member or an admin leave, recording their last seq', () => {
    const t = team();
    expect(verdictOf(t.log, t.member, leaveAction(7))).toBeNull();
    expect(verdictOf(t.log, t.admin, leaveAction(0))).toBeNull();
    expect(t.log.state.members.has(t.member.deviceId)).toBe(false);
    expect(t.log.state.departed.get(t.member.deviceId)).toMatchObject({
      kind: 'left',
      lastSeq: 7,
      epochIndex: 0,
      name: 'Mia',
    });
    expect(verdictOf(t.log, t.member, leaveAction(7))).toBe('Only members can change the room.');
  });

  it('lets the owner leave only when another owner or an admin stays', () => {
    const t = team();
    t.log.must(t.owner, removeAction(t.log.state, t.admin.deviceId, false, 0));
    expect(verdictOf(t.log, t.owner, leaveAction(0))).toMatch(/another owner or an admin stays/);
    t.log.must(t.owner, setRoleAction(t.member.deviceId, 'admin'));
    expect(verdictOf(t.log, t.owner, leaveAction(0))).toBeNull();
    const u = team();
    u.log.must(u.owner, setRoleAction(u.member.deviceId, 'owner'));
    u.log.must(u.owner, removeAction(u.log.state, u.admin.deviceId, false, 0));
    expect(verdictOf(u.log, u.owner, leaveAction(0))).toBeNull();
  });

  it('lets either side of a direct message leave', () => {
    const owner = testDevice('Olive');
    const log = testLog(owner, { capacity: 2 }, 'dm');
    log.invite(owner, testDevice('Bob'));
    expect(verdictOf(log, owner, leaveAction(0))).toBeNull();
  });
});

describe('remove and ban', () => {
  it('owner removes anyone but themselves; the new epoch leaves the removed member out', () => {
    const t = team();
    expect(t.remove(t.owner, t.owner)).toBe('You cannot remove yourself; leave the room instead.');
    expect(t.remove(t.owner, t.admin)).toBeNull();
    const epoch = currentEpoch(t.log.state)!;
    expect(epoch).toMatchObject({ index: 1, reason: 'kick' });
    expect([...epoch.holders].sort()).toEqual([t.owner.deviceId, t.member.deviceId].sort());
    expect(epoch.sealed.has(t.admin.deviceId)).toBe(false);
    expect(t.log.state.departed.get(t.admin.deviceId)).toMatchObject({
      kind: 'kicked',
      epochIndex: 0,
    });
    expect(t.log.state.rekeyNeeded).toBe(false);

    const u = team();
    u.log.must(u.owner, setRoleAction(u.member.deviceId, 'owner'));
    expect(u.remove(u.owner, u.member)).toBeNull(); // another owner
  });

  it('admin removes members only; members remove no one (forged kicks are skipped)', () => {
    const t = team();
    t.log.invite(t.owner, t.outsider);
    t.log.must(t.owner, setRoleAction(t.outsider.deviceId, 'admin'));
    expect(t.remove(t.admin, t.outsider)).toBe(
      'An admin can remove only members, not other admins or owners.',
    );
    expect(t.remove(t.admin, t.owner)).toBe(
      'An admin can remove only members, not other admins or owners.',
    );
    expect(t.remove(t.member, t.admin)).toBe('Only the owner or an admin can remove members.');
    expect(t.remove(t.member, t.admin, true)).toBe('Only the owner or an admin can ban members.');
    expect(t.remove(t.admin, t.member)).toBeNull();
  });

  it('refuses removing a non-member, unless it is a ban', () => {
    const t = team();
    expect(t.remove(t.owner, t.outsider)).toBe(
      'Device ' + t.outsider.deviceId.slice(0, 7) + ' is not a member.',
    );
    expect(t.remove(t.admin, t.outsider, true)).toBeNull();
    expect(t.log.state.banned.has(t.outsider.deviceId)).toBe(true);
    expect(t.log.state.departed.has(t.outsider.deviceId)).toBe(false);
    expect(t.remove(t.owner, t.outsider, true)).toMatch(/is already banned/);
  });

  it('bans a member: departed, banned, and back only after an unban', () => {
    const t = team();
    expect(t.remove(t.owner, t.member, true)).toBeNull();
    expect(currentEpoch(t.log.state)!.reason).toBe('ban');
    expect(t.log.state.departed.get(t.member.deviceId)).toMatchObject({ kind: 'banned' });
    expect(t.add(t.owner, t.member)).toMatch(/banned/);
    expect(verdictOf(t.log, t.owner, unbanAction(t.member.deviceId))).toBeNull();
    expect(t.add(t.owner, t.member)).toBeNull();
    expect(t.log.state.members.get(t.member.deviceId)!.role).toBe('member');
    // The old departure stays on record: its cutoff still guards the epochs before it.
    expect(t.log.state.departed.get(t.member.deviceId)!.kind).toBe('banned');
  });

  it('must not seal the new epoch to the removed member; a grant that misses someone needs repair', () => {
    const t = team();
    const plan = removeAction(t.log.state, t.member.deviceId, false, 0);
    const sealedTo = (devices: TestDevice[]) => ({
      ...plan.action,
      epoch: grantEpoch(t.log.roomId, newEpoch(), devices),
    });
    expect(verdictOf(t.log, t.owner, sealedTo([t.owner, t.admin, t.member]))).toMatch(
      /must not be sealed to/,
    );
    // Made on one side of a split, a grant may miss a member or reach a non-member: applied, but
    // the state asks for a repair rotation (see rules.ts, whyNotEpoch).
    const partial = foldOps(t.log.roomId, [
      ...t.log.ops,
      buildOp(t.log.state, t.log.roomId, t.owner, sealedTo([t.owner, t.outsider])),
    ]);
    expect(partial.rejected).toEqual([]);
    expect(partial.rekeyNeeded).toBe(true);
    expect([...currentEpoch(partial)!.holders]).toEqual([t.owner.deviceId]);
    const twice = sealedTo([t.owner, t.admin]);
    twice.epoch.keys.push(twice.epoch.keys[0]!);
    expect(verdictOf(t.log, t.owner, twice)).toBe('The new key is sealed twice to one member.');
    const reused = {
      ...plan.action,
      epoch: { ...plan.action.epoch, id: t.log.state.epochs[0]!.id },
    };
    expect(verdictOf(t.log, t.owner, reused)).toBe('The new epoch reuses an epoch ID.');
    expect(verdictOf(t.log, t.owner, plan)).toBeNull();
  });
});

describe('unban', () => {
  it('is for the owner and admins, and only for the banned', () => {
    const t = team();
    t.remove(t.owner, t.outsider, true);
    const unban = unbanAction(t.outsider.deviceId);
    expect(verdictOf(t.log, t.member, unban)).toBe('Only the owner or an admin can lift a ban.');
    expect(verdictOf(t.log, t.admin, unban)).toBeNull();
    expect(t.log.state.banned.size).toBe(0);
    expect(verdictOf(t.log, t.owner, unban)).toMatch(/is not banned/);
  });
});

describe('set-role', () => {
  it('is for owners only, on members', () => {
    const t = team();
    expect(verdictOf(t.log, t.admin, setRoleAction(t.member.deviceId, 'admin'))).toBe(
      'Only an owner can change roles.',
    );
    expect(verdictOf(t.log, t.member, setRoleAction(t.member.deviceId, 'owner'))).toBe(
      'Only an owner can change roles.',
    );
    expect(verdictOf(t.log, t.owner, setRoleAction(t.outsider.deviceId, 'admin'))).toMatch(
      /is not a member/,
    );
    expect(verdictOf(t.log, t.owner, setRoleAction(t.member.deviceId, 'owner'))).toBeNull();
    expect(verdictOf(t.log, t.owner, setRoleAction(t.admin.deviceId, 'member'))).toBeNull();
    expect(t.log.state.members.get(t.member.deviceId)!.role).toBe('owner');
    expect(t.log.state.members.get(t.admin.deviceId)!.role).toBe('member');
  });

  it('never demotes the last owner', () => {
    const t = team();
    const stepDown = setRoleAction(t.owner.deviceId, 'admin');
    expect(verdictOf(t.log, t.owner, stepDown)).toBe(
      'The last owner cannot step down; make someone else owner first.',
    );
    t.log.must(t.owner, setRoleAction(t.admin.deviceId, 'owner'));
    expect(verdictOf(t.log, t.owner, stepDown)).toBeNull();
    expect(verdictOf(t.log, t.admin, setRoleAction(t.admin.deviceId, 'member'))).toMatch(
      /last owner/,
    );
  });
});

describe('update', () => {
  it('is for the owner and admins, and changes only the settings it names', () => {
    const t = team();
    expect(verdictOf(t.log, t.member, updateAction({ name: 'Mine' }))).toBe(
      'Only the owner or an admin can change the room settings.',
    );
    expect(verdictOf(t.log, t.admin, updateAction({ topic: 'Plans', name: undefined }))).toBeNull();
    expect(verdictOf(t.log, t.owner, updateAction({ historyShared: true }))).toBeNull();
    expect(t.log.state.settings).toEqual({ ...TEST_SETTINGS, topic: 'Plans', historyShared: true });
  });

  it("never changes a direct message's settings", () => {
    const owner = testDevice('Olive');
    const log = testLog(owner, { capacity: 2 }, 'dm');
    expect(verdictOf(log, owner, updateAction({ name: 'x' }))).toBe(
      "A direct message's settings never change.",
    );
  });
});

describe('rotate', () => {
  it('is for the owner and admins (a forged rotation is skipped); extra recipients need repair', () => {
    const t = team();
    expect(verdictOf(t.log, t.member, rotateAction(t.log.state, 'manual'))).toBe(
      'Only the owner or an admin can change the room key.',
    );
    const plan = rotateAction(t.log.state, 'repair');
    const extra = {
      ...plan.action,
      epoch: grantEpoch(t.log.roomId, newEpoch(), [t.owner, t.admin, t.member, t.outsider]),
    };
    const withExtra = foldOps(t.log.roomId, [
      ...t.log.ops,
      buildOp(t.log.state, t.log.roomId, t.admin, extra),
    ]);
    expect(withExtra.rekeyNeeded).toBe(true);
    expect(currentEpoch(withExtra)!.holders.has(t.outsider.deviceId)).toBe(false);
    expect(verdictOf(t.log, t.admin, plan)).toBeNull();
    expect(t.log.state.rekeyNeeded).toBe(false);
    const epoch = currentEpoch(t.log.state)!;
    expect(epoch).toMatchObject({ index: 1, reason: 'repair', author: t.admin.deviceId });
    expect(epoch.holders.size).toBe(3);
  });
});

describe('rename', () => {
  const nameOf = (log: TestLog, d: TestDevice) => log.state.members.get(d.deviceId)?.name;

  it('lets any member, whatever the role, change their own name', () => {
    const t = team();
    expect(verdictOf(t.log, t.member, renameAction('Mia Rossi'))).toBeNull();
    expect(verdictOf(t.log, t.admin, renameAction('Adam (laptop)'))).toBeNull();
    expect(verdictOf(t.log, t.owner, renameAction('Olive B'))).toBeNull();
    expect([t.owner, t.admin, t.member].map((d) => nameOf(t.log, d))).toEqual([
      'Olive B',
      'Adam (laptop)',
      'Mia Rossi',
    ]);
    // Roles, keys and the rest of the room are untouched.
    expect(t.log.state.members.get(t.admin.deviceId)?.role).toBe('admin');
    expect(t.log.state.epochs).toHaveLength(1);
    expect(t.log.state.settings).toEqual(TEST_SETTINGS);
  });

  it('cannot name anyone else: the op has no field for it, and a forged one is malformed', () => {
    const t = team();
    const aboutMia = { type: 'rename', name: 'Mallory', member: t.member.deviceId };
    expect(OpAction.safeParse(aboutMia).success).toBe(false);
    expect(OpAction.safeParse({ type: 'rename', name: 'Mallory' }).success).toBe(true);
    // The admin's rename renames the admin, never the member.
    expect(verdictOf(t.log, t.admin, renameAction('Mia'))).toBeNull();
    expect(nameOf(t.log, t.admin)).toBe('Mia');
    expect(nameOf(t.log, t.member)).toBe('Mia');
  });

  it('takes the rule of member names: 1 to 64 characters, no control characters', () => {
    for (const name of ['', 'x'.repeat(65), 'Mia\nOlive: hi', 'Mia\u001b[2J', 'Mia\u2028'])
      expect(OpAction.safeParse({ type: 'rename', name }).success, JSON.stringify(name)).toBe(
        false,
      );
    expect(OpAction.safeParse({ type: 'rename', name: 'x'.repeat(64) }).success).toBe(true);
  });

  it('is refused from outsiders and departed members, and when the name does not change', () => {
    const t = team();
    expect(verdictOf(t.log, t.outsider, renameAction('Xena'))).toBe(
      'Only members can change the room.',
    );
    expect(verdictOf(t.log, t.member, renameAction('Mia'))).toBe(
      'Your name in this room is already Mia.',
    );
    t.log.must(t.member, leaveAction(0));
    expect(verdictOf(t.log, t.member, renameAction('Mia again'))).toBe(
      'Only members can change the room.',
    );
    t.remove(t.owner, t.admin, true);
    expect(verdictOf(t.log, t.admin, renameAction('Adam again'))).toBe(
      'Only members can change the room.',
    );
    // The departed keep the names they had when they went.
    expect(t.log.state.departed.get(t.member.deviceId)?.name).toBe('Mia');
    expect(t.log.state.departed.get(t.admin.deviceId)?.name).toBe('Adam');
  });

  it('is allowed in a direct message, whose settings never change', () => {
    const owner = testDevice('Olive');
    const bob = testDevice('Bob');
    const log = testLog(owner, { capacity: 2 }, 'dm');
    log.invite(owner, bob);
    expect(verdictOf(log, bob, renameAction('Robert'))).toBeNull();
    expect(nameOf(log, bob)).toBe('Robert');
  });
});
