// RoomService.renameSelf (what identity.setName calls): a rename op in every room where this
// node is a member under another name, DMs too; none where it departed, none when nothing
// changes; and messages show their sender's name in their own room, the renamed one.
import { afterEach, describe, expect, it } from 'vitest';
import { tempDirs } from '../testing/temp-dir';
import { decodeSignedOp } from './op-codec';
import { testDevice, testLog } from './control-log.testing';
import { loneRoomServices } from './testing/lone-room-service';

const dirs = tempDirs();
const services = loneRoomServices(dirs);
afterEach(async () => {
  await services.closeAll();
  dirs.cleanup();
});

const bob = testDevice('Bob');

describe('RoomService.renameSelf', () => {
  it('renames this node in each room it is in, once, and its messages show the new name', async () => {
    const { rooms, store, identity } = await services.start({
      peerPublicKey: (id) => Promise.resolve(id === bob.deviceId ? bob.publicKeySpki : undefined),
    });
    const me = identity.deviceId;
    // Bob's room, which this node joins and leaves first: the oldest room it knows.
    const bobs = testLog(bob);
    bobs.invite(bob, { ...bob, deviceId: me, publicKeySpki: identity.publicKeySpki, name: 'Ann' });
    await rooms.ingestOps(
      bobs.roomId,
      bobs.ops.map((op) => op.bytes),
      bob.deviceId,
    );
    await rooms.leave(bobs.roomId);
    const team = await rooms.create({ name: 'Team' });
    const dm = await rooms.openDm(bob.deviceId);
    const sent = await rooms.send(team.id, 'before the rename');
    expect(sent.senderName).toBe('Ann');

    const renames = async (roomId: string) =>
      (await store.listControlOps(roomId))
        .map((r) => decodeSignedOp(r.bytes))
        .flatMap((d) => (d.ok && d.op.body.action.type === 'rename' ? [d.op] : []));

    expect(await rooms.renameSelf('Annie')).toBe(2);
    for (const roomId of [team.id, dm.id]) {
      const ops = await renames(roomId);
      expect(ops.map((op) => [op.body.author, op.body.action])).toEqual([
        [me, { type: 'rename', name: 'Annie' }],
      ]);
      const details = await rooms.get(roomId);
      expect(details.members.find((m) => m.deviceId === me)?.name).toBe('Annie');
    }
    // Departed from Bob's room: nothing written there, and it keeps the name this node left with.
    expect(await renames(bobs.roomId)).toEqual([]);
    expect(rooms.book.get(bobs.roomId)!.state.departed.get(me)?.name).toBe('Ann');

    // The same name again writes nothing.
    expect(await rooms.renameSelf('Annie')).toBe(0);
    expect((await renames(team.id)).length + (await renames(dm.id)).length).toBe(2);

    // A message sent before shows the sender's name in its room now, not Bob's room's.
    const history = await rooms.history({ roomId: team.id });
    expect(history.map((m) => [m.text, m.senderName])).toEqual([['before the rename', 'Annie']]);
  });
});
