/**
 * Unread counts kept rather than counted: a room's count is read from the store once (a
 * query linear in the unread messages), then raised as new messages are stored, so the
 * room.updated of a long catch-up costs O(1) instead of a count over everything unread.
 *
 * What must stay true:
 * - A count is what the store would answer (`countMessagesSince(room, lastReadAt, me)`: received
 *   after lastReadAt, not sent by this node). A cached count is used only for the same
 *   lastReadAt it was counted for; deleting messages must call `forget`.
 * - A count read from the store while messages were being added is returned but not kept
 *   (the added ones may or may not be in it); the next read counts again.
 */

export interface UnreadCounts {
  /** The unread count of a room for this lastReadAt. */
  get(roomId: string, lastReadAt: number): Promise<number>;
  /** Newly stored messages of a room (only those the store did not hold before). */
  added(roomId: string, messages: ReadonlyArray<{ sender: string; receivedAt: number }>): void;
  /** Messages were deleted: count again next time. */
  forget(roomId: string): void;
}

export function createUnreadCounts(
  me: string,
  count: (roomId: string, lastReadAt: number) => Promise<number>,
): UnreadCounts {
  const kept = new Map<string, { lastReadAt: number; n: number }>();
  /** Changes per room since start, so a count that raced with one is not kept. */
  const changes = new Map<string, number>();
  const bump = (roomId: string): void => {
    changes.set(roomId, (changes.get(roomId) ?? 0) + 1);
  };

  return {
    async get(roomId, lastReadAt) {
      const k = kept.get(roomId);
      if (k?.lastReadAt === lastReadAt) return k.n;
      const before = changes.get(roomId) ?? 0;
      const n = await count(roomId, lastReadAt);
      if ((changes.get(roomId) ?? 0) === before) kept.set(roomId, { lastReadAt, n });
      return n;
    },
    added(roomId, messages) {
      bump(roomId);
      const k = kept.get(roomId);
      if (!k) return;
      for (const m of messages) if (m.sender !== me && m.receivedAt > k.lastReadAt) k.n++;
    },
    forget(roomId) {
      bump(roomId);
      kept.delete(roomId);
    },
  };
}
