// RoomService.ingestOps stores only what admission takes (op-admission.ts): ops of a key that
// was never a member, pushed by a departed member or by a member, are counted and dropped, so
// they are neither stored nor served; an op of a split that the fold skips today is kept.
import { afterEach, describe, expect, it } from 'vitest';
import { tempDirs } from '../testing/temp-dir';
import { asNewMember, opOnTop, testDevice, testLog, type TestDevice } from './control-log.testing';
import { ADMISSION_REASONS } from './op-admission';
import { addAction } from './op-builder';
import type { DecodedOp } from './op-codec';
import type { RoomEntry } from './room-book';
import { startLoneRoomService, type LoneRoomService } from './testing/lone-room-service';
import { roomSyncRig } from './testing/room-sync-rig';
import { ROOM_LINK_MESSAGES as MSG } from '../../../shared/room-wire';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

const [bob, cat, mallory, mallory2] = ['Bob', 'Cat', 'Mallory', 'Mal2'].map(testDevice) as [
  TestDevice,
  TestDevice,
  TestDevice,
  TestDevice,
];

const headOps = (entry: RoomEntry): DecodedOp[] => entry.state.heads.map((h) => entry.ops.get(h)!);

async function storedHashes(service: LoneRoomService, roomId: string): Promise<string[]> {
  return (await service.store.listControlOps(roomId)).map((op) => op.hash);
}

/** Ann's room with Bob (an admin, then kicked) and Cat; Bob's op made on his side of a split. */
async function clubWithKickedBob(service: LoneRoomService) {
  const { rooms } = service;
  const room = await rooms.create({ name: 'Club' });
  await rooms.invite(room.id, bob.deviceId);
  await rooms.invite(room.id, cat.deviceId);
  await rooms.setRole(room.id, bob.deviceId, 'admin');
  const entry = rooms.book.get(room.id)!;
  const first = opOnTop(room.id, headOps(entry), bob, {
    type: 'update',
    settings: { topic: 'from the other side' },
  });
  // One more on his side, so that it sorts after the kick: the fold skips it.
  const second = opOnTop(room.id, [first], bob, {
    type: 'set-role',
    member: cat.deviceId,
    role: 'admin',
  });
  await rooms.kick(room.id, bob.deviceId);
  return { roomId: room.id, entry, split: [first, second] };
}

const keysOf = new Map([bob, cat].map((d) => [d.deviceId, d.publicKeySpki]));
const start = () =>
  startLoneRoomService(dirs, { peerPublicKey: (id) => Promise.resolve(keysOf.get(id)) });

describe('RoomService.ingestOps', () => {
  it('refuses, counts and does not store or serve ops of a key that was never a member', async () => {
    const service = await start();
    try {
      const { rooms } = service;
      const { roomId, entry } = await clubWithKickedBob(service);
      expect(entry.state.departed.has(bob.deviceId)).toBe(true);
      const before = await storedHashes(service, roomId);
      const on = headOps(entry);
      const update = opOnTop(roomId, on, mallory, { type: 'update', settings: { name: 'pwned' } });
      const setRole = opOnTop(roomId, on, mallory, {
        type: 'set-role',
        member: mallory.deviceId,
        role: 'owner',
      });
      const add = opOnTop(
        roomId,
        on,
        mallory,
        addAction(entry.state, asNewMember(mallory2), entry.keys, 'invite').action,
      );
      const byAdded = opOnTop(roomId, [add], mallory2, { type: 'leave', lastSeq: 0 });

      // Pushed by Bob, who was kicked, and by Cat, a member: the same verdict.
      expect(await rooms.ingestOps(roomId, [update.bytes], bob.deviceId)).toEqual({
        added: 0,
        missingParents: false,
      });
      expect(
        await rooms.ingestOps(roomId, [setRole.bytes, add.bytes, byAdded.bytes], cat.deviceId),
      ).toEqual({ added: 0, missingParents: false });

      const counted = rooms.rejects.snapshot();
      // The op of the key Mallory "added" is refused with the add: junk on junk, not a gap.
      expect(counted[ADMISSION_REASONS.authorUnknown]).toBe(4);
      expect(counted[ADMISSION_REASONS.missingParent]).toBeUndefined();
      expect(await storedHashes(service, roomId)).toEqual(before);
      // What rooms.sync.ops serves is entry.ops (room-sync.ts answerSyncOps).
      for (const op of [update, setRole, add, byAdded]) expect(entry.ops.has(op.hash)).toBe(false);
      expect(entry.state.settings.name).toBe('Club');
    } finally {
      await service.close();
    }
  });

  it('keeps the ops a departed admin made on its side of a split, though the fold skips one', async () => {
    const service = await start();
    try {
      const { roomId, entry, split } = await clubWithKickedBob(service);
      const got = await service.rooms.ingestOps(
        roomId,
        split.map((op) => op.bytes),
        bob.deviceId,
      );
      expect(got).toEqual({ added: 2, missingParents: false });
      const stored = await storedHashes(service, roomId);
      for (const op of split) {
        expect(stored).toContain(op.hash);
        expect(entry.ops.has(op.hash)).toBe(true);
      }
      expect(entry.state.rejected.map((r) => r.hash)).toContain(split[1]!.hash);
    } finally {
      await service.close();
    }
  });

  it('refuses an op whose parent is not held and asks for a sync; takes it with its parent', async () => {
    const service = await start();
    try {
      const { roomId, entry, split } = await clubWithKickedBob(service);
      const [first, second] = split as [DecodedOp, DecodedOp];
      expect(await service.rooms.ingestOps(roomId, [second.bytes], bob.deviceId)).toEqual({
        added: 0,
        missingParents: true,
      });
      expect(await storedHashes(service, roomId)).not.toContain(second.hash);
      expect(service.rooms.rejects.snapshot()[ADMISSION_REASONS.missingParent]).toBe(1);
      expect(
        await service.rooms.ingestOps(roomId, [second.bytes, first.bytes], bob.deviceId),
      ).toEqual({ added: 2, missingParents: false });
      expect(entry.ops.has(second.hash)).toBe(true);
    } finally {
      await service.close();
    }
  });

  it('takes an invitation to a new room and drops the junk that came with it', async () => {
    const service = await start();
    try {
      const dave = testDevice('Dave');
      const log = testLog(dave);
      const me = service.identity;
      log.invite(dave, {
        ...dave,
        deviceId: me.deviceId,
        publicKeySpki: me.publicKeySpki,
        name: 'Ann',
      });
      const heads = log.state.heads.map((h) => log.ops.find((op) => op.hash === h)!);
      const junk = opOnTop(log.roomId, heads, mallory, {
        type: 'update',
        settings: { topic: 'x' },
      });
      const got = await service.rooms.ingestOps(
        log.roomId,
        [junk, ...log.ops].map((op) => op.bytes),
        dave.deviceId,
      );
      expect(got.added).toBe(log.ops.length);
      expect(service.rooms.book.get(log.roomId)?.state.members.has(me.deviceId)).toBe(true);
      expect(await storedHashes(service, log.roomId)).not.toContain(junk.hash);
    } finally {
      await service.close();
    }
  });

  it('through RoomSync: pushed by a departed member or a member, junk is not stored nor served', async () => {
    const service = await start();
    const closers: Array<() => Promise<void>> = [];
    const wire = roomSyncRig(service, closers);
    wire.start();
    try {
      const { roomId, entry } = await clubWithKickedBob(service);
      const on = headOps(entry);
      const junk = [bob, cat].map((pusher, i) => ({
        pusher,
        op: opOnTop(roomId, on, mallory, { type: 'update', settings: { topic: `junk ${i}` } }),
      }));
      for (const { pusher, op } of junk)
        await wire.pushed(MSG.opsPush, { room: roomId, ops: [op.bytes] }, pusher.deviceId);
      expect(service.rooms.rejects.snapshot()[ADMISSION_REASONS.authorUnknown]).toBe(2);

      const answer = (await wire.answer(MSG.syncOps, { room: roomId, have: [] }, cat.deviceId)) as {
        ops: Uint8Array[];
      };
      const served = answer.ops.map((bytes) => Buffer.from(bytes).toString('hex'));
      expect(served).toHaveLength(entry.ops.size);
      for (const { op } of junk) {
        expect(served).not.toContain(Buffer.from(op.bytes).toString('hex'));
        expect(await storedHashes(service, roomId)).not.toContain(op.hash);
      }
    } finally {
      for (const close of closers) await close();
      await service.close();
    }
  });
});
