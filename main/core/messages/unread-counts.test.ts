import { describe, expect, it } from 'vitest';
import { createUnreadCounts } from './unread-counts';

/** A stand-in store: messages with who sent them and when they were received. */
function fakeStore() {
  const messages: Array<{ room: string; sender: string; receivedAt: number }> = [];
  let queries = 0;
  const count = (room: string, after: number): Promise<number> => {
    queries++;
    // Counted at call time, as better-sqlite3 does; answered a tick later.
    const n = messages.filter(
      (m) => m.room === room && m.receivedAt > after && m.sender !== 'me',
    ).length;
    return Promise.resolve(n);
  };
  return { messages, count, queries: () => queries };
}

describe('unread counts', () => {
  it('counts once, then follows new messages without asking the store again', async () => {
    const store = fakeStore();
    store.messages.push({ room: 'r', sender: 'bob', receivedAt: 5 });
    const unread = createUnreadCounts('me', store.count);
    expect(await unread.get('r', 0)).toBe(1);
    const more = [
      { sender: 'bob', receivedAt: 10 },
      { sender: 'me', receivedAt: 11 },
      { sender: 'carol', receivedAt: 12 },
    ];
    store.messages.push(...more.map((m) => ({ room: 'r', ...m })));
    unread.added('r', more);
    expect(await unread.get('r', 0)).toBe(3);
    expect(store.queries()).toBe(1);
  });

  it('counts again after the room was read, or messages were deleted', async () => {
    const store = fakeStore();
    store.messages.push({ room: 'r', sender: 'bob', receivedAt: 5 });
    const unread = createUnreadCounts('me', store.count);
    expect(await unread.get('r', 0)).toBe(1);
    expect(await unread.get('r', 6)).toBe(0);
    store.messages.length = 0;
    unread.forget('r');
    expect(await unread.get('r', 0)).toBe(0);
    expect(store.queries()).toBe(3);
  });

  it('does not keep a count that raced with new messages (it could count them twice)', async () => {
    const store = fakeStore();
    const unread = createUnreadCounts('me', store.count);
    const m = { sender: 'bob', receivedAt: 5 };
    store.messages.push({ room: 'r', ...m });
    const reading = unread.get('r', 0);
    unread.added('r', [m]);
    expect(await reading).toBe(1);
    expect(await unread.get('r', 0)).toBe(1);
  });
});
