import { describe, expect, it } from 'vitest';
import {
  followUnreadTotal,
  unreadLabel,
  unreadTotal,
  type Counted,
  type RoomEventSource,
} from './unread-count';

const room = (id: string, unread: number, muted = false): Counted => ({ id, unread, muted });

/** A node's room events, with the first rooms.list answered when the test says so. */
function fakeSource() {
  const updated = new Set<(r: Counted) => void>();
  const removed = new Set<(r: { roomId: string }) => void>();
  let answer!: { resolve(list: Counted[]): void; reject(err: unknown): void };
  const source: RoomEventSource = {
    listRooms: () =>
      new Promise<Counted[]>((resolve, reject) => {
        answer = { resolve, reject };
      }),
    onRoomUpdated: (l) => (updated.add(l), () => updated.delete(l)),
    onRoomRemoved: (l) => (removed.add(l), () => removed.delete(l)),
  };
  return {
    source,
    list: async (rooms: Counted[]) => {
      answer.resolve(rooms);
      await Promise.resolve();
    },
    fail: async (err: unknown) => {
      answer.reject(err);
      await Promise.resolve();
    },
    update: (r: Counted) => updated.forEach((l) => l(r)),
    remove: (roomId: string) => removed.forEach((l) => l({ roomId })),
    listeners: () => updated.size + removed.size,
  };
}

describe('unreadTotal', () => {
  it('sums unread messages of the rooms that are not muted', () => {
    expect(unreadTotal([room('a', 3), room('b', 4, true), room('c', 2)])).toBe(5);
    expect(unreadTotal([])).toBe(0);
  });
});

describe('followUnreadTotal', () => {
  it('starts from the room list and follows updates, mutes and removals', async () => {
    const fake = fakeSource();
    const totals: number[] = [];
    const stop = followUnreadTotal(fake.source, (n) => totals.push(n));

    await fake.list([room('a', 2), room('b', 1)]);
    fake.update(room('a', 5)); // a new message in a
    fake.update(room('b', 1, true)); // b muted
    fake.update(room('b', 4, true)); // a message in a muted room changes nothing
    fake.update(room('a', 0)); // a read
    fake.update(room('c', 1));
    fake.remove('c');
    expect(totals).toEqual([3, 6, 5, 0, 1, 0]);

    stop();
    fake.update(room('a', 9));
    expect(totals).toEqual([3, 6, 5, 0, 1, 0]);
    expect(fake.listeners()).toBe(0);
  });

  it('applies events that arrive before the list after it', async () => {
    const fake = fakeSource();
    const totals: number[] = [];
    followUnreadTotal(fake.source, (n) => totals.push(n));

    fake.update(room('a', 7)); // newer than what the list will say
    fake.remove('b');
    await fake.list([room('a', 2), room('b', 3)]);
    expect(totals).toEqual([7]);
  });

  it('counts from events alone when the list fails', async () => {
    const fake = fakeSource();
    const totals: number[] = [];
    const errors: unknown[] = [];
    followUnreadTotal(
      fake.source,
      (n) => totals.push(n),
      (e) => errors.push(e),
    );

    fake.update(room('a', 1));
    await fake.fail(new Error('node closing'));
    fake.update(room('b', 2));
    expect(totals).toEqual([1, 3]);
    expect(errors).toHaveLength(1);
  });
});

describe('unreadLabel', () => {
  it('says how many messages are unread, in words', () => {
    expect(unreadLabel(0)).toBe('Parley');
    expect(unreadLabel(1)).toBe('Parley: 1 unread message');
    expect(unreadLabel(12)).toBe('Parley: 12 unread messages');
  });
});
