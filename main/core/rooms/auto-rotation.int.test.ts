// The rotation policy given to a node (serve's --rotate-after-… flags) drives its automatic
// rotations, and is kept in its settings: a later start on the same data folder without one
// (the desktop app) keeps to it. settings.update changes it in the running node at once, and
// keeps it likewise; flags given at a later start win there. Discovery off; nothing leaves
// loopback.
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

/** Waits until the room has `epochs` epochs; their reasons. */
const epochReasons = (node: ParleyNode, roomId: string, epochs: number) =>
  waitFor(async () => {
    const details = await call(node, 'rooms.get', { roomId });
    return details.epochs.length === epochs && details.epochs.map((e) => e.reason);
  }, `${epochs} epochs`);

async function sendAll(node: ParleyNode, roomId: string, texts: string[]): Promise<void> {
  for (const text of texts) await call(node, 'messages.send', { roomId, text });
}

/** Sends two messages, then waits until the room has `epochs` epochs; their reasons. */
async function twoMessagesThenEpochs(node: ParleyNode, roomId: string, epochs: number) {
  await sendAll(node, roomId, ['one', 'two']);
  return epochReasons(node, roomId, epochs);
}

const rotationSettings = async (node: ParleyNode) => {
  const s = await call(node, 'settings.get', {});
  return { messages: s.rotateAfterMessages, days: s.rotateAfterDays };
};

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

  it('follows a policy changed through settings.update at once, without a restart', async () => {
    const node = lanNode('Ann', 0, { discovery: false });
    await node.start();
    expect(await rotationSettings(node)).toEqual({ messages: 1000, days: 7 });
    const room = await call(node, 'rooms.create', { name: 'Team' });
    await sendAll(node, room.id, ['one', 'two']);
    expect(await call(node, 'settings.update', { rotateAfterMessages: 3 })).toMatchObject({
      rotateAfterMessages: 3,
      rotateAfterDays: 7,
    });
    await sendAll(node, room.id, ['three']);
    expect(await epochReasons(node, room.id, 2)).toEqual(['create', 'auto']);

    // A limit lowered to what the current key already holds renews it with no further message.
    await sendAll(node, room.id, ['four', 'five']);
    await call(node, 'settings.update', { rotateAfterMessages: 2 });
    expect(await epochReasons(node, room.id, 3)).toEqual(['create', 'auto', 'auto']);
  });

  it('keeps a policy set through settings.update for later starts; flags given at a start win', async () => {
    const first = lanNode('Ann', 0, { discovery: false });
    await first.start();
    const room = await call(first, 'rooms.create', { name: 'Team' });
    await call(first, 'settings.update', { rotateAfterMessages: 3, rotateAfterDays: 2 });
    await first.close();

    const dataDir = first.dataDir;
    const again = lanNode('Ann', 0, { discovery: false, dataDir });
    await again.start();
    expect(await rotationSettings(again)).toEqual({ messages: 3, days: 2 });
    await sendAll(again, room.id, ['one', 'two', 'three']);
    expect(await epochReasons(again, room.id, 2)).toEqual(['create', 'auto']);
    await again.close();

    // serve --rotate-after-messages 5: used at that start, and kept in place of the stored 3.
    const flagged = lanNode('Ann', 0, { discovery: false, dataDir, rotation: { maxMessages: 5 } });
    await flagged.start();
    expect(await rotationSettings(flagged)).toEqual({ messages: 5, days: 2 });
    await flagged.close();
    const plain = lanNode('Ann', 0, { discovery: false, dataDir });
    await plain.start();
    expect(await rotationSettings(plain)).toEqual({ messages: 5, days: 2 });
  });
});
