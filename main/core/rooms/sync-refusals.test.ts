// Who is refused a room's ops and messages, and with which answer (PROTOCOL.md §10, "Who may
// ask"): a departed member is told it is not a member; a stranger gets what a room this node
// does not hold gets, so knowing a room's ID does not tell it whether this node is in the room.
import { afterEach, describe, expect, it } from 'vitest';
import { testDevice } from '../messages/test-room.testing';
import { tempDirs } from '../testing/temp-dir';
import { buildOp, leaveAction } from './op-builder';
import { randomId } from '../crypto/random';
import { publicKeysOf, startLoneRoomService } from './testing/lone-room-service';
import { roomSyncRig } from './testing/room-sync-rig';

const dirs = tempDirs();
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  dirs.cleanup();
});

async function roomBenLeft() {
  const ben = testDevice();
  const ann = await startLoneRoomService(dirs, { peerPublicKey: publicKeysOf(ben) });
  closers.push(() => ann.close());
  const room = await ann.rooms.create({ name: 'Quiet' });
  await ann.rooms.invite(room.id, ben.deviceId);
  const entry = ann.rooms.book.get(room.id)!;
  const leave = buildOp(entry.state, room.id, ben, leaveAction(0).action);
  await ann.rooms.ingestOps(room.id, [leave.bytes], ben.deviceId);
  const rig = roomSyncRig(ann, closers);
  rig.start();
  return { rig, roomId: room.id, ben, opsHeld: entry.ops.size };
}

const codeOf = (answer: Promise<unknown>): Promise<unknown> =>
  answer.then(
    () => 'answered',
    (err: { code?: string }) => err.code,
  );

describe('room sync refusals', () => {
  it('tells a stranger the same as for a room this node does not hold', async () => {
    const { rig, roomId } = await roomBenLeft();
    const stranger = testDevice().deviceId;
    const ops = (room: string) => rig.answer('rooms.sync.ops', { room, have: [] }, stranger);
    const messages = (room: string) =>
      rig.answer('rooms.sync.messages', { room, vv: {}, limit: 10 }, stranger);

    expect(await codeOf(ops(roomId))).toBe('ROOM_NOT_FOUND');
    expect(await codeOf(ops(randomId()))).toBe('ROOM_NOT_FOUND');
    expect(await codeOf(messages(roomId))).toBe('ROOM_NOT_FOUND');
    expect(await codeOf(messages(randomId()))).toBe('ROOM_NOT_FOUND');
  });

  it('gives a departed member the log up to its departure, and no messages', async () => {
    const { rig, roomId, ben, opsHeld } = await roomBenLeft();
    const ops = (await rig.answer('rooms.sync.ops', { room: roomId, have: [] }, ben.deviceId)) as {
      ops: unknown[];
    };
    expect(ops.ops).toHaveLength(opsHeld);
    expect(
      await codeOf(
        rig.answer('rooms.sync.messages', { room: roomId, vv: {}, limit: 10 }, ben.deviceId),
      ),
    ).toBe('NOT_A_MEMBER');
  });
});

describe('delivery learnt from a sync request', () => {
  it("takes a pass's first version vector, not a continuing one's, which runs ahead", async () => {
    const ben = testDevice();
    const ann = await startLoneRoomService(dirs, { peerPublicKey: publicKeysOf(ben) });
    closers.push(() => ann.close());
    const room = await ann.rooms.create({ name: 'Post' });
    await ann.rooms.invite(room.id, ben.deviceId);
    const learnt: Array<[string, number]> = [];
    ann.rooms.learnDelivery = (_room, peer, heldUpTo) => void learnt.push([peer, heldUpTo]);
    const rig = roomSyncRig(ann, closers);
    rig.start();
    const me = ann.identity.deviceId;
    const ask = (vv: Record<string, number>, continues?: true) =>
      rig.answer(
        'rooms.sync.messages',
        { room: room.id, vv, limit: 10, ...(continues ? { continues } : {}) },
        ben.deviceId,
      );

    await ask({ [me]: 2 });
    await ask({ [me]: 7 }, true);
    expect(learnt).toEqual([[ben.deviceId, 2]]);

    // `continues` is true or absent: anything else is a bad request, which teaches nothing.
    for (const continues of [false, 'yes', 1, null]) {
      const body = { room: room.id, vv: { [me]: 9 }, limit: 10, continues };
      expect(await codeOf(rig.answer('rooms.sync.messages', body, ben.deviceId))).toBe(
        'BAD_REQUEST',
      );
    }
    expect(learnt).toEqual([[ben.deviceId, 2]]);
    expect(ann.rooms.rejects.snapshot()['malformed-link-body']).toBe(4);
  });
});
