// dm.open (RoomService.openDm) opens the direct message both people are still in: a DM either
// side has left is dead, so a new one is made; of two DMs both are in (both opened one at the
// same moment), both sides use the one with the lower room ID.
import { afterEach, describe, expect, it } from 'vitest';
import { tempDirs } from '../testing/temp-dir';
import { opOnTop, testDevice, testLog, type TestLog } from './control-log.testing';
import type { RoomService } from './room-service';
import { startLoneRoomService, type LoneRoomService } from './testing/lone-room-service';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

const bob = testDevice('Bob');

/** Runs `test` on a lone service (this node) that knows Bob's key, then closes it. */
async function withService(test: (service: LoneRoomService) => Promise<void>): Promise<void> {
  const service = await startLoneRoomService(dirs, {
    peerPublicKey: (id) => Promise.resolve(id === bob.deviceId ? bob.publicKeySpki : undefined),
  });
  try {
    await test(service);
  } finally {
    await service.close();
  }
}

/** Bob leaves the DM `roomId`; his leave op reaches this node. */
async function bobLeaves(rooms: RoomService, roomId: string): Promise<void> {
  const entry = rooms.book.get(roomId)!;
  const heads = entry.state.heads.map((h) => entry.ops.get(h)!);
  const leave = opOnTop(roomId, heads, bob, { type: 'leave', lastSeq: 0 });
  expect((await rooms.ingestOps(roomId, [leave.bytes], bob.deviceId)).added).toBe(1);
  expect(entry.state.departed.has(bob.deviceId)).toBe(true);
}

/** Bob opens a DM to this node (one with a room ID below `below`, when given); it arrives. */
async function bobsDm({ rooms, identity }: LoneRoomService, below?: string): Promise<TestLog> {
  let his = testLog(bob, { capacity: 2 }, 'dm');
  while (below !== undefined && his.roomId > below) his = testLog(bob, { capacity: 2 }, 'dm');
  his.invite(bob, { ...bob, deviceId: identity.deviceId, publicKeySpki: identity.publicKeySpki });
  const ops = his.ops.map((op) => op.bytes);
  expect((await rooms.ingestOps(his.roomId, ops, bob.deviceId)).added).toBe(ops.length);
  return his;
}

describe('RoomService.openDm', () => {
  it('opens the same DM again while both are in it', () =>
    withService(async ({ rooms }) => {
      const dm = await rooms.openDm(bob.deviceId);
      expect(dm).toMatchObject({ kind: 'dm', memberCount: 2 });
      expect((await rooms.openDm(bob.deviceId)).id).toBe(dm.id);
    }));

  it('opens a new DM once the other person has left the old one', () =>
    withService(async ({ rooms }) => {
      const old = await rooms.openDm(bob.deviceId);
      await bobLeaves(rooms, old.id);
      const fresh = await rooms.openDm(bob.deviceId);
      expect(fresh.id).not.toBe(old.id);
      expect(rooms.book.get(fresh.id)!.state.members.has(bob.deviceId)).toBe(true);
      expect((await rooms.openDm(bob.deviceId)).id).toBe(fresh.id);
    }));

  it('opens a new DM once this node has left the old one', () =>
    withService(async ({ rooms }) => {
      const old = await rooms.openDm(bob.deviceId);
      await rooms.leave(old.id);
      const fresh = await rooms.openDm(bob.deviceId);
      expect(fresh.id).not.toBe(old.id);
      expect(fresh).toMatchObject({ kind: 'dm', memberCount: 2 });
    }));

  it('opens the new DM the other person made after leaving the old one, not a third', () =>
    withService(async (service) => {
      const old = await service.rooms.openDm(bob.deviceId);
      await bobLeaves(service.rooms, old.id);
      const his = await bobsDm(service);
      expect((await service.rooms.openDm(bob.deviceId)).id).toBe(his.roomId);
      expect(service.rooms.book.size).toBe(2);
    }));

  it('of two DMs both are in, opens the one with the lower room ID', () =>
    withService(async (service) => {
      const mine = await service.rooms.openDm(bob.deviceId);
      // Bob opened one at the same moment. His has the lower ID (room IDs are random: made
      // until it does), so the DM this node opened first is not the answer.
      const his = await bobsDm(service, mine.id);
      expect((await service.rooms.openDm(bob.deviceId)).id).toBe(his.roomId);
    }));
});
