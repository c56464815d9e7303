// A newcomer invited to a room whose log is longer than one batch gets the log in several
// pushes (create op first, its own `add` last): it gathers them (invitation-buffer.ts) and
// joins once the batch that names it arrives, within bounds a hostile peer cannot stretch.
import { afterEach, describe, expect, it } from 'vitest';
import { SYNC_BATCH_MAX } from '../../../shared/room-wire';
import { tempDirs } from '../testing/temp-dir';
import { opOnTop, testDevice } from './control-log.testing';
import { createInvitationBuffer, INVITATION_BUFFER_LIMITS } from './invitation-buffer';
import type { DecodedOp } from './op-codec';
import { INVITES_BURST } from './room-service';
import { opBatches } from './room-sync';
import { startLoneRoomService, type LoneRoomService } from './testing/lone-room-service';

const dirs = tempDirs();
const services: LoneRoomService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
  dirs.cleanup();
});

/** Two services: `inviter` knows `invitee`'s key, so it can invite it. */
async function inviterAndInvitee(): Promise<{
  inviter: LoneRoomService;
  invitee: LoneRoomService;
}> {
  const invitee = await startLoneRoomService(dirs);
  services.push(invitee);
  const inviter = await startLoneRoomService(dirs, {
    peerPublicKey: (id) =>
      Promise.resolve(
        id === invitee.identity.deviceId ? invitee.identity.publicKeySpki : undefined,
      ),
  });
  services.push(inviter);
  return { inviter, invitee };
}

describe('an invitation to a room with a long log', () => {
  it('is taken once the batch that names the newcomer arrives, with the whole log', async () => {
    const { inviter: admin, invitee: newcomer } = await inviterAndInvitee();
    const room = await admin.rooms.create({ name: 'Long story' });
    for (let i = 0; i < SYNC_BATCH_MAX + 100; i++)
      await admin.rooms.update({ roomId: room.id, topic: `chapter ${i}` });
    await admin.rooms.invite(room.id, newcomer.identity.deviceId);
    const log = admin.rooms.book.get(room.id)!;
    const batches = opBatches(log.ops.values());
    expect(batches.length).toBeGreaterThan(1);

    const from = admin.identity.deviceId;
    for (const batch of batches.slice(0, -1)) {
      expect(await newcomer.rooms.ingestOps(room.id, batch, from)).toEqual({
        added: 0,
        missingParents: false,
      });
      expect(newcomer.rooms.book.get(room.id)).toBeUndefined();
    }
    const last = await newcomer.rooms.ingestOps(room.id, batches.at(-1)!, from);
    expect(last).toEqual({ added: log.ops.size, missingParents: false });
    const joined = newcomer.rooms.book.get(room.id)!;
    expect(joined.state.members.has(newcomer.identity.deviceId)).toBe(true);
    expect(joined.state.settings.topic).toBe(`chapter ${SYNC_BATCH_MAX + 99}`);
    expect((await newcomer.store.listControlOps(room.id)).length).toBe(log.ops.size);
    expect(newcomer.rooms.rejects.snapshot()['unsolicited-room'] ?? 0).toBe(0);
  });

  it('drops ops of a room that never names this node, and starts only with a create op', async () => {
    const service = await startLoneRoomService(dirs);
    services.push(service);
    const other = await startLoneRoomService(dirs);
    services.push(other);
    const room = await other.rooms.create({ name: 'Not yours' });
    const ops = [...other.rooms.book.get(room.id)!.ops.values()];
    const from = other.identity.deviceId;
    // The create op alone starts a gathering but shows no invitation: nothing is kept.
    await service.rooms.ingestOps(
      room.id,
      ops.map((op) => op.bytes),
      from,
    );
    expect(service.rooms.book.get(room.id)).toBeUndefined();
    expect(await service.store.listControlOps(room.id)).toEqual([]);
    // A later op of another room without its create op never starts one.
    const other2 = await other.rooms.create({ name: 'Elsewhere' });
    const update = opOnTop(
      other2.id,
      [...other.rooms.book.get(other2.id)!.ops.values()],
      testDevice('Mallory'),
      {
        type: 'update',
        settings: { topic: 'x' },
      },
    );
    await service.rooms.ingestOps(other2.id, [update.bytes], from);
    expect(service.rooms.rejects.snapshot()['unsolicited-room']).toBe(1);
  });
});

describe('InvitationBuffer', () => {
  const create = (hash: string, lamport: number, type = 'create'): DecodedOp =>
    ({
      hash,
      bytes: new Uint8Array(10),
      body: { lamport, action: { type } },
    }) as unknown as DecodedOp;

  it('gathers per room and sender, in Lamport order, starting with a create op', () => {
    const buffer = createInvitationBuffer();
    expect(buffer.add('r', 'A', [create('b', 2, 'update')])).toBeUndefined();
    expect(
      buffer.add('r', 'A', [create('c', 3, 'update'), create('a', 1)])!.map((o) => o.hash),
    ).toEqual(['a', 'c']);
    expect(
      buffer
        .add('r', 'A', [create('b', 2, 'update'), create('c', 3, 'update')])!
        .map((o) => o.hash),
    ).toEqual(['a', 'b', 'c']);
    // Another sender's ops are not mixed in.
    expect(buffer.add('r', 'B', [create('x', 2, 'update')])).toBeUndefined();
    buffer.forget('r', 'A');
    expect(buffer.size).toBe(0);
  });

  it('stays within its limits of rooms, ops, bytes and time', () => {
    let t = 0;
    const limits = { maxRooms: 2, maxOpsPerRoom: 3, maxBytesPerRoom: 35, ttlMs: 1000 };
    const buffer = createInvitationBuffer(limits, () => t);
    buffer.add('r1', 'A', [create('a', 1)]);
    buffer.add('r2', 'A', [create('a', 1)]);
    buffer.add('r3', 'A', [create('a', 1)]);
    expect(buffer.size).toBe(2);
    // r1, the oldest, made room for r3.
    expect(buffer.add('r1', 'A', [create('b', 2, 'update')])).toBeUndefined();
    // A fourth op (or 40 bytes) is past the limit: the gathering is dropped.
    expect(
      buffer.add('r2', 'A', [create('b', 2, 'update'), create('c', 3, 'update')]),
    ).toHaveLength(3);
    expect(buffer.add('r2', 'A', [create('d', 4, 'update')])).toBeUndefined();
    expect(buffer.add('r2', 'A', [create('e', 5, 'update')])).toBeUndefined();
    t = 1001;
    expect(buffer.size).toBe(0);
    expect(INVITATION_BUFFER_LIMITS.maxRooms).toBeGreaterThan(0);
  });
});

describe('invitations from one peer', () => {
  it('are taken up to INVITES_BURST at once; more are refused and counted, storing nothing', async () => {
    const { inviter, invitee } = await inviterAndInvitee();
    const from = inviter.identity.deviceId;
    for (let i = 0; i <= INVITES_BURST; i++) {
      const room = await inviter.rooms.create({ name: `Room ${i}` });
      await inviter.rooms.invite(room.id, invitee.identity.deviceId);
      for (const batch of opBatches(inviter.rooms.book.get(room.id)!.ops.values()))
        await invitee.rooms.ingestOps(room.id, batch, from);
      const taken = i < INVITES_BURST;
      expect(invitee.rooms.book.has(room.id), `room ${i}`).toBe(taken);
      if (!taken) expect(await invitee.store.listControlOps(room.id)).toEqual([]);
    }
    expect(invitee.rooms.rejects.snapshot()['invitation-rate-limited']).toBe(1);
  });
});
