// Pushed heads start a sync only when they come from someone who writes the room's log (a
// member, or one who left or was removed), or for a room this node does not know (an
// invitation: invitation-sync.test.ts); anyone else's once a minute per room and peer (our log
// may be behind), and beyond that are counted and dropped: a sync hands them the room's have
// list (room-sync.ts, the rooms.heads push; PROTOCOL.md §10).
import { afterEach, expect, it } from 'vitest';
import { tempDirs } from '../testing/temp-dir';
import { startLoneRoomService, type LoneRoomService } from './testing/lone-room-service';
import { roomSyncRig } from './testing/room-sync-rig';
import { LINK_REJECT_REASONS } from './room-sync';

const dirs = tempDirs();
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  dirs.cleanup();
});

async function service(
  options: Parameters<typeof startLoneRoomService>[1] = {},
): Promise<LoneRoomService> {
  const started = await startLoneRoomService(dirs, options);
  closers.push(() => started.close());
  return started;
}

it("syncs on the heads of a member or a departed member, on a stranger's once a minute, and counts and drops the rest", async () => {
  const [bob, eve] = [await service(), await service()];
  const ann = await service({
    peerPublicKey: (id) =>
      Promise.resolve(id === bob.identity.deviceId ? bob.identity.publicKeySpki : undefined),
  });
  const room = await ann.rooms.create({ name: 'Team' });
  await ann.rooms.invite(room.id, bob.identity.deviceId);
  const rig = roomSyncRig(ann, closers);
  rig.start();
  const headsFrom = (from: LoneRoomService) =>
    rig.pushed(
      'rooms.heads',
      { room: room.id, heads: ann.rooms.book.get(room.id)!.state.heads },
      from.identity.deviceId,
    );
  const asked = (of: LoneRoomService) =>
    rig.requested.filter((r) => r.to === of.identity.deviceId).map((r) => r.type);
  const counted = () => ann.rooms.rejects.snapshot()[LINK_REJECT_REASONS.headsNotInRoom] ?? 0;

  // A stranger's heads start one sync (our log may be the one behind), then none for a while.
  await headsFrom(eve);
  expect(asked(eve)).toEqual(['rooms.sync.ops']);
  expect(counted()).toBe(0);
  await headsFrom(eve);
  await headsFrom(eve);
  expect(asked(eve)).toEqual(['rooms.sync.ops']);
  expect(counted()).toBe(2);

  await headsFrom(bob);
  expect(asked(bob)).toEqual(['rooms.sync.ops']);

  await ann.rooms.kick(room.id, bob.identity.deviceId);
  await headsFrom(bob);
  expect(asked(bob)).toEqual(['rooms.sync.ops', 'rooms.sync.ops']);
  expect(counted()).toBe(2);
});
