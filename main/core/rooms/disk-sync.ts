/**
 * Messages received from peers are committed without waiting for the disk (Store.addMessages
 * with `sync: 'later'`), so a receiver's fsync is not on the path from a send to the message
 * shown at every member. This makes them durable together soon after (DISK_SYNC_DELAY_MS) and
 * before this node tells anyone it holds them (a `rooms.held` receipt, the version vector of a
 * sync request: flush). The sender keeps every message it sent and sends again what a member
 * lacks, so a power cut in between loses nothing anyone was told was held: the receiver gets
 * the message back at its next sync (PROTOCOL.md §10). A process that dies loses nothing; the
 * operating system has the writes.
 */
import type { Logger } from '../log/logger';

/** How long received messages may wait for the disk when nothing asks sooner. */
export const DISK_SYNC_DELAY_MS = 50;

export interface DiskSync {
  /** Something was written that waits for a sync: one follows within the delay. */
  written(): void;
  /** Resolves once everything written before the call is durable; rejects when that failed. */
  flush(): Promise<void>;
  /** Flushes what waits and stops the timer. */
  close(): Promise<void>;
}

export function createDiskSync(options: {
  /** Makes every earlier write durable (Store.syncWrites). */
  syncWrites: () => Promise<void>;
  logger: Logger;
  delayMs?: number;
}): DiskSync {
  const delayMs = options.delayMs ?? DISK_SYNC_DELAY_MS;
  let waiting = false;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  async function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    if (!waiting) return;
    waiting = false;
    try {
      await options.syncWrites();
    } catch (err) {
      // Still waiting: the next write or flush tries again (a timer here could warn forever).
      waiting = true;
      throw err;
    }
  }

  function schedule(): void {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      flush().catch((error: unknown) => options.logger.warn('disk_sync_failed', { error }));
    }, delayMs);
  }

  return {
    written() {
      waiting = true;
      schedule();
    },
    flush,
    async close() {
      closed = true;
      await flush();
    },
  };
}
