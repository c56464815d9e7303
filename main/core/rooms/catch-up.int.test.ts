// Store and forward: a member that was off while 1,000 messages were sent gets all of them from
// another member after the author has gone offline too. Loopback only, discovery on 127.0.0.1.
import { afterEach, describe, expect, it } from 'vitest';
import type { ParleyNode } from '../node';
import { tempDirs } from '../testing/temp-dir';
import { randomTestPort, waitFor } from '../testing/wait';
import { testNodes } from '../testing/test-nodes';
import { allLinked, call, waitForMessages, wholeHistory } from './testing/rooms-test-kit';

const dirs = tempDirs();
const { lanNode, closeAll } = testNodes(dirs);
afterEach(async () => {
  await closeAll();
  dirs.cleanup();
});

const COUNT = 1_000;

describe('catching up', () => {
  it(
    'a member offline during 1,000 messages catches up from another member after the author left',
    { timeout: 240_000 },
    async () => {
      const port = randomTestPort();
      const [ann, ben, cat] = ['Ann', 'Ben', 'Cat'].map((n) => lanNode(n, port)) as [
        ParleyNode,
        ParleyNode,
        ParleyNode,
      ];
      await Promise.all([ann, ben, cat].map((n) => n.start()));
      await allLinked([ann, ben, cat]);
      const room = await call(ann, 'rooms.create', { name: 'Archive' });
      for (const n of [ben, cat])
        await call(ann, 'rooms.invite', { roomId: room.id, deviceId: n.identity.deviceId });
      await waitFor(
        async () => (await cat.api.invoke('rooms.get', { roomId: room.id })).ok,
        'Cat in the room',
      );
      const catDir = cat.dataDir;
      await cat.close();

      for (let i = 0; i < COUNT; i++)
        await call(ann, 'messages.send', { roomId: room.id, text: `message ${i}` });
      const benHas = await waitForMessages(ben, room.id, COUNT);
      await ann.close();

      const progress: boolean[] = [];
      const catAgain = lanNode('Cat', port, { dataDir: catDir });
      catAgain.api.on('sync.progress', (p) => progress.push(p.done));
      await catAgain.start();
      const catHas = await waitForMessages(catAgain, room.id, COUNT);
      expect(catHas.map((m) => m.id)).toEqual(benHas.map((m) => m.id));
      expect(catHas.map((m) => m.text)).toEqual(
        Array.from({ length: COUNT }, (_, i) => `message ${i}`),
      );
      expect(progress).toContain(true);
      // Nothing twice, even after a second sync.
      expect((await wholeHistory(catAgain, room.id)).length).toBe(COUNT);
    },
  );
});
