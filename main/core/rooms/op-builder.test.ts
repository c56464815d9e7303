import { describe, expect, it } from 'vitest';
import { randomId, thisThreadOnly, type EcdhDeriver } from '../crypto';
import { asNewMember, testDevice, testLog } from './control-log.testing';
import { openSealedKey } from './epoch-keys';
import { decodeSignedOp } from './op-codec';
import { addAction, buildOp, removeAction, rotateAction, updateAction } from './op-builder';
import { currentEpoch } from './rules';

const owner = testDevice('Olive');
const member = testDevice('Mia');
const newcomer = testDevice('Nia');

describe('op builder', () => {
  it('puts an op on top of the heads, one Lamport tick later, signed as the author', () => {
    const log = testLog(owner);
    log.invite(owner, member);
    const op = buildOp(log.state, log.roomId, owner, updateAction({ topic: 'x' }).action, 1234);
    expect(op.body).toMatchObject({
      v: 1,
      room: log.roomId,
      author: owner.deviceId,
      lamport: log.state.lamport + 1,
      prev: log.state.heads,
      ts: 1234,
    });
    expect(decodeSignedOp(op.bytes)).toMatchObject({ ok: true, op: { hash: op.hash } });
    expect(() => buildOp(log.state, randomId(), owner, updateAction({}).action)).toThrow(
      /another room/,
    );
  });

  it('seals new epochs to the members who stay, and gives the caller the key', () => {
    const log = testLog(owner);
    log.invite(owner, member);
    const rotate = rotateAction(log.state, 'manual');
    expect(rotate.action.epoch.keys.map((k) => k.to)).toEqual(
      [owner.deviceId, member.deviceId].sort(),
    );
    const box = rotate.action.epoch.keys.find((k) => k.to === member.deviceId)!.sealed;
    expect(openSealedKey(log.roomId, rotate.epoch!.id, box, member)).toEqual(rotate.epoch!.key);
    const remove = removeAction(log.state, member.deviceId, false, 3);
    expect(remove.action.epoch.keys.map((k) => k.to)).toEqual([owner.deviceId]);
    expect(remove.action).toMatchObject({ member: member.deviceId, ban: false, lastSeq: 3 });
  });

  it("runs the new key's derives where the caller says, one per recipient", () => {
    const log = testLog(owner);
    log.invite(owner, member);
    log.invite(owner, newcomer);
    const asked: number[] = [];
    const counting: EcdhDeriver = {
      deriveAll: (privateKey, publicKeys, each) => {
        asked.push(publicKeys.length);
        return thisThreadOnly.deriveAll(privateKey, publicKeys, each);
      },
    };
    const rotate = rotateAction(log.state, 'manual', counting);
    const remove = removeAction(log.state, member.deviceId, true, 0, counting);
    expect(asked).toEqual([3, 2]);
    const box = remove.action.epoch.keys.find((k) => k.to === newcomer.deviceId)!.sealed;
    expect(openSealedKey(log.roomId, remove.epoch!.id, box, newcomer)).toEqual(remove.epoch!.key);
    expect(log.act(owner, rotate)).toBeNull();
  });

  it('refuses to add someone when this device lacks a key they must get', () => {
    const log = testLog(owner, { historyShared: true });
    log.must(owner, rotateAction(log.state, 'manual'));
    const onlyCurrent = new Map([
      [currentEpoch(log.state)!.id, log.keys.get(currentEpoch(log.state)!.id)!],
    ]);
    expect(() => addAction(log.state, asNewMember(newcomer), onlyCurrent, 'invite')).toThrow(
      /does not have the room key of epoch 1/,
    );
    expect(() => addAction(log.state, asNewMember(newcomer), new Map(), 'invite')).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    );
    expect(addAction(log.state, asNewMember(newcomer), log.keys, 'join').action.keys).toHaveLength(
      2,
    );
  });
});
