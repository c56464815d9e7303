// Rooms on real nodes over real links on loopback (discovery pinned to 127.0.0.1): members chat
// and all hold the same messages in the same order; a member who was off catches up from
// another member after the author left; kicks, joins, passwords, bans and capacity.
import { afterEach, describe, expect, it } from 'vitest';
import type { RoomSummary } from '../../../shared/api';
import type { ParleyNode } from '../node';
import { tempDirs } from '../testing/temp-dir';
import { randomTestPort, waitFor } from '../testing/wait';
import { testNodes } from '../testing/test-nodes';
import {
  allLinked,
  call,
  failureOf,
  startWithRoom,
  waitForMessages,
  wholeHistory,
} from './testing/rooms-test-kit';

const dirs = tempDirs();
const { lanNode, closeAll } = testNodes(dirs);
afterEach(async () => {
  await closeAll();
  dirs.cleanup();
});

/** `port`: the discovery group's, for a node started again later on the same LAN. */
async function startLan(names: string[], port = randomTestPort()): Promise<ParleyNode[]> {
  const nodes = names.map((n) => lanNode(n, port));
  await Promise.all(nodes.map((n) => n.start()));
  await allLinked(nodes);
  return nodes;
}

const idOf = (n: ParleyNode): string => n.identity.deviceId;

describe('rooms on a LAN', () => {
  it(
    'five members chat; each holds every message exactly once, in the same order',
    { timeout: 120_000 },
    async () => {
      const nodes = await startLan(['Ann', 'Ben', 'Cat', 'Dan', 'Eve']);
      const [ann] = nodes as [ParleyNode];
      const room = await call(ann, 'rooms.create', { name: 'Team' });
      for (const n of nodes.slice(1))
        await call(ann, 'rooms.invite', { roomId: room.id, deviceId: idOf(n) });
      for (const n of nodes)
        await waitFor(
          async () => (await n.api.invoke('rooms.get', { roomId: room.id })).ok,
          'the room everywhere',
        );
      const perNode = 10;
      await Promise.all(
        nodes.map(async (n, i) => {
          for (let k = 0; k < perNode; k++)
            await call(n, 'messages.send', { roomId: room.id, text: `${i}:${k}` });
        }),
      );
      const total = perNode * nodes.length;
      const histories = await Promise.all(nodes.map((n) => waitForMessages(n, room.id, total)));
      const ids = histories.map((h) => h.map((m) => m.id));
      for (const h of ids) {
        expect(h).toHaveLength(total);
        expect(new Set(h).size).toBe(total);
        expect(h).toEqual(ids[0]);
      }
      expect(new Set(histories[0]!.map((m) => m.text))).toEqual(
        new Set(nodes.flatMap((_, i) => Array.from({ length: perNode }, (_, k) => `${i}:${k}`))),
      );
    },
  );

  it(
    'a kicked member reads nothing sent after the kick and can no longer send',
    { timeout: 60_000 },
    async () => {
      const [ann, ben, cat] = (await startLan(['Ann', 'Ben', 'Cat'])) as [
        ParleyNode,
        ParleyNode,
        ParleyNode,
      ];
      const room = await call(ann, 'rooms.create', { name: 'Club' });
      await call(ann, 'rooms.invite', { roomId: room.id, deviceId: idOf(ben) });
      await call(ann, 'rooms.invite', { roomId: room.id, deviceId: idOf(cat) });
      await waitFor(
        async () => (await cat.api.invoke('rooms.get', { roomId: room.id })).ok,
        'Cat in the room',
      );
      await call(cat, 'messages.send', { roomId: room.id, text: 'hello from Cat' });
      await waitForMessages(ben, room.id, 1);
      await waitForMessages(ann, room.id, 1);
      const removed: string[] = [];
      cat.api.on('room.removed', (r) => removed.push(r.reason));
      const after = await call(ann, 'rooms.kick', { roomId: room.id, deviceId: idOf(cat) });
      expect(after.epoch).toBe(1);
      expect(after.members.map((m) => m.deviceId)).not.toContain(idOf(cat));
      await waitFor(() => removed.includes('kicked'), 'Cat to learn it was removed');
      await call(ann, 'messages.send', { roomId: room.id, text: 'secret after the kick' });
      await waitForMessages(ben, room.id, 2);
      expect(await failureOf(cat, 'messages.send', { roomId: room.id, text: 'still here?' })).toBe(
        'NOT_A_MEMBER',
      );
      const catSees = await wholeHistory(cat, room.id);
      expect(catSees.map((m) => m.text)).toEqual(['hello from Cat']);
      const details = await call(ben, 'rooms.get', { roomId: room.id });
      expect(details.epochs.map((e) => e.reason)).toEqual(['create', 'kick']);
      expect(details.epochs[1]!.holders).not.toContain(idOf(cat));
    },
  );

  it(
    'joining a public room checks the password, the ban list and the capacity',
    { timeout: 60_000 },
    async () => {
      const [ann, ben, cat] = (await startLan(['Ann', 'Ben', 'Cat'])) as [
        ParleyNode,
        ParleyNode,
        ParleyNode,
      ];
      const room = await call(ann, 'rooms.create', {
        name: 'Lobby',
        visibility: 'public',
        password: 'open sesame',
        capacity: 2,
      });
      const listed = await waitFor(
        async () => (await call(ben, 'rooms.public', {})).find((r) => r.id === room.id),
        'the public room listed',
      );
      expect(listed).toMatchObject({
        name: 'Lobby',
        passwordRequired: true,
        capacity: 2,
        memberCount: 1,
      });
      expect(await failureOf(ben, 'rooms.join', { roomId: room.id, password: 'wrong' })).toBe(
        'WRONG_PASSWORD',
      );
      expect(await failureOf(ben, 'rooms.join', { roomId: room.id })).toBe('WRONG_PASSWORD');
      const joined = await call(ben, 'rooms.join', { roomId: room.id, password: 'open sesame' });
      expect(joined.members.map((m) => m.deviceId).sort()).toEqual([idOf(ann), idOf(ben)].sort());
      await call(cat, 'rooms.public', {});
      expect(await failureOf(cat, 'rooms.join', { roomId: room.id, password: 'open sesame' })).toBe(
        'ROOM_FULL',
      );
      await call(ann, 'rooms.update', { roomId: room.id, capacity: 10 });
      await call(ann, 'rooms.ban', { roomId: room.id, deviceId: idOf(cat) });
      expect(await failureOf(cat, 'rooms.join', { roomId: room.id, password: 'open sesame' })).toBe(
        'BANNED',
      );
      await call(ann, 'rooms.unban', { roomId: room.id, deviceId: idOf(cat) });
      const catIn = await call(cat, 'rooms.join', { roomId: room.id, password: 'open sesame' });
      expect(catIn.memberCount).toBe(3);
    },
  );

  it(
    '"renew master key" makes a new epoch that every member holds',
    { timeout: 60_000 },
    async () => {
      const [ann, ben] = (await startLan(['Ann', 'Ben'])) as [ParleyNode, ParleyNode];
      const room = await call(ann, 'rooms.create', { name: 'Keys' });
      await call(ann, 'rooms.invite', { roomId: room.id, deviceId: idOf(ben) });
      await waitFor(
        async () => (await ben.api.invoke('rooms.get', { roomId: room.id })).ok,
        'Ben in the room',
      );
      expect(await failureOf(ben, 'rooms.rotate', { roomId: room.id })).toBe('NOT_ALLOWED');
      await call(ann, 'rooms.rotate', { roomId: room.id });
      const seen = await waitFor(async () => {
        const r = await call(ben, 'rooms.get', { roomId: room.id });
        return r.epoch === 1 ? r : false;
      }, 'the new epoch at Ben');
      expect(seen.epochs[1]).toMatchObject({ reason: 'manual', author: idOf(ann) });
      expect(seen.members.every((m) => m.hasCurrentKey)).toBe(true);
      await call(ben, 'messages.send', { roomId: room.id, text: 'under the new key' });
      const got = await waitForMessages(ann, room.id, 1);
      expect(got[0]!.text).toBe('under the new key');
    },
  );

  it(
    'messages sent while a renewed key is on its way are neither refused nor lost',
    { timeout: 60_000 },
    async () => {
      const port = randomTestPort();
      const [ann, ben, cat] = ['Ann', 'Ben', 'Cat'].map((n) => lanNode(n, port)) as [
        ParleyNode,
        ParleyNode,
        ParleyNode,
      ];
      const room = await startWithRoom([ann, ben, cat], 'Busy');
      // Ben and Cat keep talking while Ann renews the key: some of their messages use the old
      // key after Ann's rotation exists, some the new one.
      const sends: Array<Promise<unknown>> = [];
      for (let i = 0; i < 10; i++) {
        sends.push(call(ben, 'messages.send', { roomId: room.id, text: `ben ${i}` }));
        sends.push(call(cat, 'messages.send', { roomId: room.id, text: `cat ${i}` }));
        if (i === 3) sends.push(call(ann, 'rooms.rotate', { roomId: room.id }));
      }
      await Promise.all(sends);
      for (const n of [ann, ben, cat]) {
        const got = await waitForMessages(n, room.id, 20);
        expect(got.map((m) => m.text).sort()).toEqual(
          [...Array(10).keys()].flatMap((i) => [`ben ${i}`, `cat ${i}`]).sort(),
        );
      }
    },
  );

  it('a direct message is a two-member room opened from a peer', { timeout: 60_000 }, async () => {
    const [ann, ben] = (await startLan(['Ann', 'Ben'])) as [ParleyNode, ParleyNode];
    const dm = await call(ann, 'dm.open', { deviceId: idOf(ben) });
    expect(dm).toMatchObject({ kind: 'dm', memberCount: 2, dmPeer: idOf(ben) });
    expect((await call(ann, 'dm.open', { deviceId: idOf(ben) })).id).toBe(dm.id);
    await call(ann, 'messages.send', { roomId: dm.id, text: 'psst' });
    const got = await waitForMessages(ben, dm.id, 1);
    expect(got[0]).toMatchObject({ text: 'psst', sender: idOf(ann), senderName: 'Ann' });
    const benRooms = await call(ben, 'rooms.list', {});
    expect(benRooms.find((r) => r.id === dm.id)).toMatchObject({
      kind: 'dm',
      dmPeer: idOf(ann),
      unread: 1,
    });
  });

  it(
    'a rename reaches every room: members, history, the DM, and a member who was off',
    { timeout: 120_000 },
    async () => {
      const port = randomTestPort();
      const [ann, ben, cat] = (await startLan(['Ann', 'Ben', 'Cat'], port)) as [
        ParleyNode,
        ParleyNode,
        ParleyNode,
      ];
      // A room Ann left before: Ben's oldest room, still showing the name she left with.
      const old = await call(ben, 'rooms.create', { name: 'Old' });
      await call(ben, 'rooms.invite', { roomId: old.id, deviceId: idOf(ann) });
      await waitFor(async () => (await ann.api.invoke('rooms.get', { roomId: old.id })).ok, 'Old');
      await call(ann, 'rooms.leave', { roomId: old.id });
      await waitFor(
        async () => (await call(ben, 'rooms.get', { roomId: old.id })).memberCount === 1,
        'Ann gone from Old at Ben',
      );
      const room = await call(ann, 'rooms.create', { name: 'Team' });
      for (const n of [ben, cat]) {
        await call(ann, 'rooms.invite', { roomId: room.id, deviceId: idOf(n) });
        await waitFor(
          async () => (await n.api.invoke('rooms.get', { roomId: room.id })).ok,
          'Team',
        );
      }
      const dm = await call(ann, 'dm.open', { deviceId: idOf(ben) });
      await call(ann, 'messages.send', { roomId: room.id, text: 'before the rename' });
      await waitForMessages(ben, room.id, 1);
      await waitForMessages(cat, room.id, 1);
      const catDir = cat.dataDir;
      await cat.close();

      const opsBefore = (await call(ben, 'rooms.get', { roomId: room.id })).controlOps;
      const updated: RoomSummary[] = [];
      ben.api.on('room.updated', (r) => updated.push(r));
      const info = await call(ann, 'identity.setName', { name: '  Annie ' });
      expect(info.name).toBe('Annie');
      const nameAt = async (node: ParleyNode, roomId: string) =>
        (await call(node, 'rooms.get', { roomId })).members.find((m) => m.deviceId === idOf(ann))
          ?.name;
      for (const roomId of [room.id, dm.id])
        await waitFor(async () => (await nameAt(ben, roomId)) === 'Annie', 'the new name at Ben');
      // What makes the GUI fetch the member list again: the room's log grew.
      expect(updated.map((r) => r.id)).toEqual(expect.arrayContaining([room.id, dm.id]));
      expect(updated.some((r) => r.id === room.id && r.controlOps > opsBefore)).toBe(true);
      const history = await wholeHistory(ben, room.id);
      expect(history.map((m) => [m.text, m.senderName])).toEqual([['before the rename', 'Annie']]);
      // Nothing was written where Ann is no member.
      expect((await call(ben, 'rooms.get', { roomId: old.id })).memberCount).toBe(1);

      const catAgain = lanNode('Cat', port, { dataDir: catDir });
      await catAgain.start();
      await waitFor(
        async () => (await nameAt(catAgain, room.id)) === 'Annie',
        'the new name at Cat, who was off',
      );
      const catHistory = await wholeHistory(catAgain, room.id);
      expect(catHistory.map((m) => m.senderName)).toEqual(['Annie']);

      // A name given when the node starts (`parley serve --name`) reaches the rooms too.
      const [annDir, annId] = [ann.dataDir, idOf(ann)];
      await ann.close();
      const annAgain = lanNode('Anne-Marie', port, { dataDir: annDir });
      await annAgain.start();
      const annAt = async (roomId: string) =>
        (await call(ben, 'rooms.get', { roomId })).members.find((m) => m.deviceId === annId)?.name;
      for (const roomId of [room.id, dm.id])
        await waitFor(
          async () => (await annAt(roomId)) === 'Anne-Marie',
          'the name given at start, at Ben',
        );
    },
  );
});
