// A member leaves a room of real nodes on loopback (discovery pinned to 127.0.0.1): the owner
// rotates the key on its own (reason `departure`), the members who stay get the new key and
// read on, and what is sent after never reaches the leaver, who holds no key for it.
import { afterEach, describe, expect, it } from 'vitest';
import type { ParleyNode } from '../node';
import { tempDirs } from '../testing/temp-dir';
import { randomTestPort, waitFor } from '../testing/wait';
import { testNodes } from '../testing/test-nodes';
import { call, startWithRoom, waitForMessages, wholeHistory } from './testing/rooms-test-kit';

const dirs = tempDirs();
const { lanNode, closeAll } = testNodes(dirs);
afterEach(async () => {
  await closeAll();
  dirs.cleanup();
});

describe('a member who leaves', () => {
  it('is rotated out by the owner (departure) and cannot read what is sent after', async () => {
    const port = randomTestPort();
    const [ann, ben, cat] = ['Ann', 'Ben', 'Cat'].map((n) => lanNode(n, port)) as [
      ParleyNode,
      ParleyNode,
      ParleyNode,
    ];
    const room = await startWithRoom([ann, ben, cat], 'Team');
    await call(ben, 'messages.send', { roomId: room.id, text: 'bye' });
    await waitForMessages(cat, room.id, 1);
    await call(ben, 'rooms.leave', { roomId: room.id });

    const benId = ben.identity.deviceId;
    const departure = await waitFor(async () => {
      const { epochs } = await call(cat, 'rooms.get', { roomId: room.id });
      const last = epochs.at(-1)!;
      return last.reason === 'departure' && last;
    }, 'the departure rotation at Cat');
    expect(departure.author).toBe(ann.identity.deviceId);
    expect(departure.holders).not.toContain(benId);
    expect(departure.holders).toContain(cat.identity.deviceId);

    await call(ann, 'messages.send', { roomId: room.id, text: 'after Ben left' });
    const atCat = await waitForMessages(cat, room.id, 2);
    expect(atCat.map((m) => m.text)).toEqual(['bye', 'after Ben left']);
    // Cat has it, so it went out; Ben, still linked, is given neither it nor its key.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const atBen = await wholeHistory(ben, room.id);
    expect(atBen.map((m) => m.text)).toEqual(['bye']);
    const { epochs } = await call(ben, 'rooms.get', { roomId: room.id });
    expect(epochs.map((e) => e.reason)).not.toContain('departure');
  });
});
