// A member who was away while more messages than the Lamport window were sent still catches up,
// even when the sync answer's order (by sender, then seq) brings a batch of messages that are
// all too far ahead of its clock before the messages they followed. The window is made small
// (4) so that a few hundred messages show it. Loopback only, discovery on 127.0.0.1.
import { afterEach, describe, expect, it } from 'vitest';
import { SYNC_BATCH_MAX } from '../../../shared/room-wire';
import type { ParleyNode } from '../node';
import { tempDirs } from '../testing/temp-dir';
import { randomTestPort } from '../testing/wait';
import { testNodes } from '../testing/test-nodes';
import { call, startWithRoom, waitForMessages, wholeHistory } from './testing/rooms-test-kit';

const dirs = tempDirs();
const { lanNode, closeAll } = testNodes(dirs);
afterEach(async () => {
  await closeAll();
  dirs.cleanup();
});

const WINDOW = 4;
const EARLIER = 10;
const LATER = SYNC_BATCH_MAX;

describe('a Lamport window smaller than what a member missed', () => {
  it(
    'does not stop the member from catching up, in several passes',
    { timeout: 240_000 },
    async () => {
      const port = randomTestPort();
      const small = { lamportWindow: WINDOW };
      const [ann, ben, cat] = ['Ann', 'Ben', 'Cat'].map((n) => lanNode(n, port, small)) as [
        ParleyNode,
        ParleyNode,
        ParleyNode,
      ];
      const room = await startWithRoom([ann, ben, cat], 'Long away');
      const catDir = cat.dataDir;
      await cat.close();

      // A sync answers sender by sender in device ID order: the one whose ID sorts first speaks
      // last, so the first batch Cat gets is its messages, all far ahead of Cat's clock.
      const [first, second] = [ann, ben].sort((a, b) =>
        a.identity.deviceId < b.identity.deviceId ? -1 : 1,
      ) as [ParleyNode, ParleyNode];
      for (let i = 0; i < EARLIER; i++)
        await call(second, 'messages.send', { roomId: room.id, text: `earlier ${i}` });
      await waitForMessages(first, room.id, EARLIER);
      for (let i = 0; i < LATER; i++)
        await call(first, 'messages.send', { roomId: room.id, text: `later ${i}` });
      const all = await waitForMessages(second, room.id, EARLIER + LATER);

      const catAgain = lanNode('Cat', port, { ...small, dataDir: catDir });
      await catAgain.start();
      const catHas = await waitForMessages(catAgain, room.id, EARLIER + LATER);
      expect(catHas.map((m) => m.id)).toEqual(all.map((m) => m.id));
      expect(catHas.map((m) => m.lamport)).toEqual(all.map((m) => m.lamport));
      // Everyone still sends after it.
      await call(catAgain, 'messages.send', { roomId: room.id, text: 'back' });
      await waitForMessages(first, room.id, EARLIER + LATER + 1);
      expect((await wholeHistory(catAgain, room.id)).length).toBe(EARLIER + LATER + 1);
    },
  );
});
