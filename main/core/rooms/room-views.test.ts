// The room summary the GUI, the REST API and the CLI all show: a room this node is out of says
// why, and counts nothing unread however much it had not read.
import { describe, expect, it } from 'vitest';
import type { RoomRecord } from '../store/store';
import { opOnTop, testDevice, testLog } from './control-log.testing';
import { leaveAction, removeAction, renameAction } from './op-builder';
import { roomSummary } from './room-views';

const owner = testDevice('Ann');
const member = testDevice('Ben');

const record = (roomId: string): RoomRecord => ({
  id: roomId,
  name: 'Team',
  topic: '',
  kind: 'room',
  createdAt: 0,
  muted: false,
  lastReadAt: 0,
});

/** Ben's summary of the room, with three messages he had not read when the log ends. */
function bensSummary(log: ReturnType<typeof testLog>) {
  return roomSummary(
    log.state,
    record(log.roomId),
    { unread: 3, lastMessageAt: 5 },
    member.deviceId,
  );
}

describe('roomSummary', () => {
  it('counts the unread messages of a member, with no departure', () => {
    const log = testLog(owner);
    log.invite(owner, member);
    expect(bensSummary(log)).toMatchObject({ myRole: 'member', departure: null, unread: 3 });
  });

  it('says a room this node left is left, and counts nothing unread in it', () => {
    const log = testLog(owner);
    log.invite(owner, member);
    log.must(member, leaveAction(0));
    expect(bensSummary(log)).toMatchObject({
      myRole: null,
      departure: 'left',
      unread: 0,
      lastMessageAt: 5,
    });
  });

  it('says why a removed member is out: kicked or banned', () => {
    const kicked = testLog(owner);
    kicked.invite(owner, member);
    kicked.must(owner, removeAction(kicked.state, member.deviceId, false, 0));
    expect(bensSummary(kicked)).toMatchObject({ myRole: null, departure: 'kicked', unread: 0 });

    const banned = testLog(owner);
    banned.invite(owner, member);
    banned.must(owner, removeAction(banned.state, member.deviceId, true, 0));
    expect(bensSummary(banned)).toMatchObject({ myRole: null, departure: 'banned', unread: 0 });
  });

  it('counts again, with no departure, once the member is added back', () => {
    const log = testLog(owner);
    log.invite(owner, member);
    log.must(member, leaveAction(0));
    log.invite(owner, member);
    expect(bensSummary(log)).toMatchObject({ myRole: 'member', departure: null, unread: 3 });
  });

  it('counts the control ops held, so that a rename, which changes nothing else in it, shows', () => {
    const log = testLog(owner);
    log.invite(owner, member);
    const before = bensSummary(log);
    expect(before.controlOps).toBe(2);
    log.must(member, renameAction('Benjamin'));
    const after = bensSummary(log);
    expect(after).toEqual({ ...before, controlOps: 3 });
    // A skipped op is held too (it may apply in a larger log).
    log.receive(opOnTop(log.roomId, [log.last()], testDevice('Xena'), renameAction('X').action));
    expect(bensSummary(log).controlOps).toBe(4);
  });
});
