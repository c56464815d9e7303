// The rotation policy given to a node (serve's --rotate-after-… flags) drives its automatic
// rotations, and is kept in its settings: a later start on the same data folder without one
// (the desktop app) keeps to it. Discovery off; nothing leaves loopback.
import { afterEach, describe, expect, it } from 'vitest';
import type { ParleyNode } from '../node';
import { tempDirs } from '../testing/temp-dir';
import { waitFor } from '../testing/wait';
import { testNodes } from '../testing/test-nodes';
import { call } from './testing/rooms-test-kit';

const dirs = tempDirs();
const { lanNode, closeAll } = testNodes(dirs);
afterEach(async () => {
  await closeAll();
  dirs.cleanup();
});

/** Sends two messages, then waits until the room has `epochs` epochs; their reasons. */
async function twoMessagesThenEpochs(node: ParleyNode, roomId: string, epochs: number) {
  for (const text of ['one', 'two']) await call(node, 'messages.send', { roomId, text });
  return waitFor(async () => {
    const details = await call(node, 'rooms.get', { roomId });
    return details.epochs.length === epochs && details.epochs.map((e) => e.reason);
  }, `${epochs} epochs`);
}

describe('a node given a rotation policy', () => {
  it('rotates by it, and keeps it for a later start that gives none', async () => {
    const first = lanNode('Ann', 0, { discovery: false, rotation: { maxMessages: 2 } });
    await first.start();
    const room = await call(first, 'rooms.create', { name: 'Team' });
    expect(await twoMessagesThenEpochs(first, room.id, 2)).toEqual(['create', 'auto']);
    await first.close();

    const again = lanNode('Ann', 0, { discovery: false, dataDir: first.dataDir });
    await again.start();
    expect(await twoMessagesThenEpochs(again, room.id, 3)).toEqual(['create', 'auto', 'auto']);
  });
});
