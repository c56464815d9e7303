// Delivery state of own messages on real nodes over loopback links (discovery on 127.0.0.1):
// a member that is off makes a message "delivered to 1 of 2"; once it is back and synced,
// "2 of 2", announced by message.delivery and still known after the sender restarts. A
// removed member stops counting. A receiver says it holds a message only once it is on disk.
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventPayload, MessageInfo } from '../../../shared/api';
import type { ParleyNode } from '../node';
import type { Store } from '../store/store';
import { createSqliteStore } from '../store/sqlite/sqlite-store';
import { tempDirs } from '../testing/temp-dir';
import { randomTestPort, waitFor } from '../testing/wait';
import { testNodes } from '../testing/test-nodes';
import { call, startWithRoom, wholeHistory } from './testing/rooms-test-kit';

const dirs = tempDirs();
const { lanNode, closeAll } = testNodes(dirs);
afterEach(async () => {
  vi.restoreAllMocks();
  await closeAll();
  dirs.cleanup();
});

const idOf = (n: ParleyNode): string => n.identity.deviceId;

/** Waits until the message with this ID shows this delivery state in the node's history. */
async function deliveryShown(
  node: ParleyNode,
  roomId: string,
  id: string,
  delivery: MessageInfo['delivery'],
): Promise<void> {
  await waitFor(
    async () => {
      const m = (await wholeHistory(node, roomId)).find((x) => x.id === id);
      return JSON.stringify(m?.delivery) === JSON.stringify(delivery);
    },
    `delivery ${JSON.stringify(delivery)}`,
    60_000,
  );
}

describe('delivery state', () => {
  it(
    'is 1 of 2 while a member is off, 2 of 2 once it synced, and survives a restart',
    { timeout: 120_000 },
    async () => {
      const port = randomTestPort();
      const ann = lanNode('Ann', port);
      const ben = lanNode('Ben', port);
      const cat = lanNode('Cat', port);
      const room = await startWithRoom([ann, ben, cat], 'Post');
      const catDir = cat.dataDir;
      await cat.close();

      const events: EventPayload<'message.delivery'>[] = [];
      ann.api.on('message.delivery', (e) => events.push(e));
      const sent = await call(ann, 'messages.send', { roomId: room.id, text: 'parcel' });
      expect(sent.delivery).toEqual({ delivered: 0, of: 2 });
      await deliveryShown(ann, room.id, sent.id, { delivered: 1, of: 2 });
      const benSees = (await wholeHistory(ben, room.id)).find((m) => m.id === sent.id);
      expect(benSees?.delivery).toBeNull();

      const catAgain = lanNode('Cat', port, { dataDir: catDir });
      await catAgain.start();
      await deliveryShown(ann, room.id, sent.id, { delivered: 2, of: 2 });
      await waitFor(
        () =>
          events.some((e) =>
            e.updates.some((u) => u.id === sent.id && u.delivered === 2 && u.of === 2),
          ),
        'the message.delivery event for 2 of 2',
      );
      expect(events.every((e) => e.roomId === room.id)).toBe(true);

      const annDir = ann.dataDir;
      await ann.close();
      const annAgain = lanNode('Ann', port, { dataDir: annDir });
      await annAgain.start();
      const after = (await wholeHistory(annAgain, room.id)).find((m) => m.id === sent.id);
      expect(after?.delivery).toEqual({ delivered: 2, of: 2 });

      // A removed member stops counting.
      await call(annAgain, 'rooms.kick', { roomId: room.id, deviceId: idOf(catAgain) });
      await deliveryShown(annAgain, room.id, sent.id, { delivered: 1, of: 1 });
    },
  );

  it(
    'is told by a receiver only once its disk has the message, which it stored without waiting',
    { timeout: 60_000 },
    async () => {
      const port = randomTestPort();
      const ann = lanNode('Ann', port);
      const ben = lanNode('Ben', port);
      const room = await startWithRoom([ann, ben], 'Disk');
      // Both nodes run in this process, so one list shows the order of what each does.
      const seen: string[] = [];
      const isBens = (store: Store): boolean =>
        (store as unknown as { path: string }).path.startsWith(ben.dataDir);
      const sqliteStore = Object.getPrototypeOf(
        createSqliteStore({ path: path.join(ben.dataDir, 'unused.db') }),
      ) as Store;
      const { addMessages, syncWrites } = sqliteStore;
      vi.spyOn(sqliteStore, 'addMessages').mockImplementation(async function (
        this: Store,
        messages,
        options,
      ) {
        const added = await addMessages.call(this, messages, options);
        if (added.length > 0 && isBens(this))
          seen.push(`Ben stored (sync: ${options?.sync ?? 'now'})`);
        return added;
      });
      vi.spyOn(sqliteStore, 'syncWrites').mockImplementation(async function (this: Store) {
        await syncWrites.call(this);
        if (isBens(this)) seen.push('Ben synced');
      });
      ann.api.on('message.delivery', () => seen.push('Ann learnt it was delivered'));

      await call(ann, 'messages.send', { roomId: room.id, text: 'on disk?' });
      await waitFor(() => seen.includes('Ann learnt it was delivered'), 'the delivery event');
      expect(seen.slice(0, 3)).toEqual([
        'Ben stored (sync: later)',
        'Ben synced',
        'Ann learnt it was delivered',
      ]);
    },
  );
});
