import { afterEach, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../../shared/api';
import { silentLogger } from '../log/logger';
import { tempStores } from '../store/sqlite/testing/temp-stores';
import { createDeliveryTracker } from './delivery';

const temp = tempStores();
afterEach(() => temp.cleanup());

const ROOM = 'a'.repeat(32);
const ME = 'ME';

async function tracker(members: string[], sent: number) {
  const store = await temp.open();
  const events: EventPayload<'message.delivery'>[] = [];
  const t = createDeliveryTracker({
    store,
    me: ME,
    logger: silentLogger,
    members: (roomId) =>
      roomId === ROOM ? new Map([ME, ...members].map((id) => [id, true])) : undefined,
    sentUpTo: () => sent,
    emit: (e) => events.push(e),
    debounceMs: 1,
  });
  return { t, store, events };
}

describe('delivery tracker', () => {
  it('counts the other current members that hold a message', async () => {
    const { t } = await tracker(['BOB', 'CAT'], 3);
    t.learn(ROOM, 'BOB', 2);
    expect(t.deliveryOf(ROOM, 1)).toEqual({ delivered: 1, of: 2 });
    expect(t.deliveryOf(ROOM, 3)).toEqual({ delivered: 0, of: 2 });
    t.learn(ROOM, 'CAT', 3);
    t.learn(ROOM, 'BOB', 1); // never goes down
    expect(t.deliveryOf(ROOM, 2)).toEqual({ delivered: 2, of: 2 });
    await t.close();
  });

  it('ignores a claim above what was sent, and claims of non-members and of itself', async () => {
    const { t, store } = await tracker(['BOB'], 2);
    t.learn(ROOM, 'BOB', 3);
    t.learn(ROOM, 'EVE', 1);
    t.learn(ROOM, ME, 1);
    expect(t.deliveryOf(ROOM, 1)).toEqual({ delivered: 0, of: 1 });
    await t.close();
    expect(await store.listDeliveries(ROOM)).toEqual([]);
  });

  it('stores what it learnt when it flushes', async () => {
    const { t, store } = await tracker(['BOB'], 2);
    t.learn(ROOM, 'BOB', 2);
    await t.flush();
    expect(await store.listDeliveries(ROOM)).toEqual([{ roomId: ROOM, peer: 'BOB', heldUpTo: 2 }]);
    await t.close();
  });
});
