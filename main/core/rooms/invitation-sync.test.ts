// An invited node that missed the pushes of a long log (a refused invitation, a link that went
// down) gets it by sync: it names what it gathered of the room it does not know yet and asks
// again while that grows, until the batch that names it arrives (room-sync.ts, syncRoom).
import { afterEach, expect, it } from 'vitest';
import { SYNC_BATCH_MAX } from '../../../shared/room-wire';
import { tempDirs } from '../testing/temp-dir';
import { waitFor } from '../testing/wait';
import { startLoneRoomService } from './testing/lone-room-service';
import { roomSyncRig } from './testing/room-sync-rig';

const dirs = tempDirs();
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  dirs.cleanup();
});

it('takes an invitation to a room longer than one batch by sync, after the pushes were missed', async () => {
  const invitee = await startLoneRoomService(dirs);
  closers.push(() => invitee.close());
  const inviter = await startLoneRoomService(dirs, {
    peerPublicKey: (id) =>
      Promise.resolve(
        id === invitee.identity.deviceId ? invitee.identity.publicKeySpki : undefined,
      ),
  });
  closers.push(() => inviter.close());
  const room = await inviter.rooms.create({ name: 'Long story' });
  for (let i = 0; i < SYNC_BATCH_MAX + 100; i++)
    await inviter.rooms.update({ roomId: room.id, topic: `chapter ${i}` });
  // No link yet: the invitation's pushes reach nobody.
  await inviter.rooms.invite(room.id, invitee.identity.deviceId);

  const a = roomSyncRig(inviter, closers);
  const b = roomSyncRig(invitee, closers);
  a.connect(b);
  b.connect(a);
  a.start();
  b.start();
  // What a link-up brings: the inviter's heads for a room the invitee is in.
  const heads = inviter.rooms.book.get(room.id)!.state.heads;
  await b.pushed('rooms.heads', { room: room.id, heads });
  await waitFor(() => invitee.rooms.book.has(room.id), 'the invitee takes the room');
  const joined = invitee.rooms.book.get(room.id)!;
  expect(joined.state.members.has(invitee.identity.deviceId)).toBe(true);
  expect(joined.ops.size).toBe(inviter.rooms.book.get(room.id)!.ops.size);
});
