import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../log/logger';
import { createDiskSync } from './disk-sync';

describe('disk sync of received messages', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function rig(fails = false) {
    let syncs = 0;
    let failing = fails;
    const diskSync = createDiskSync({
      syncWrites: async () => {
        syncs++;
        if (failing) throw new Error('disk full');
      },
      logger: silentLogger,
      delayMs: 50,
    });
    return {
      diskSync,
      syncs: () => syncs,
      heal: () => (failing = false),
    };
  }

  it('syncs once for many writes, within the delay', async () => {
    vi.useFakeTimers();
    const { diskSync, syncs } = rig();
    for (let i = 0; i < 5; i++) diskSync.written();
    await vi.advanceTimersByTimeAsync(49);
    expect(syncs()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(syncs()).toBe(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(syncs()).toBe(1);
  });

  it('syncs at once when flushed, and not again when nothing was written since', async () => {
    vi.useFakeTimers();
    const { diskSync, syncs } = rig();
    await diskSync.flush();
    expect(syncs()).toBe(0);
    diskSync.written();
    await diskSync.flush();
    expect(syncs()).toBe(1);
    await diskSync.flush();
    await vi.advanceTimersByTimeAsync(500);
    expect(syncs()).toBe(1);
  });

  it('keeps waiting after a failed sync: the flush rejects, and the next one tries again', async () => {
    const { diskSync, syncs, heal } = rig(true);
    diskSync.written();
    await expect(diskSync.flush()).rejects.toThrow('disk full');
    heal();
    await diskSync.flush();
    expect(syncs()).toBe(2);
    await diskSync.flush();
    expect(syncs()).toBe(2);
  });

  it('flushes what waits when closed, and leaves no timer', async () => {
    vi.useFakeTimers();
    const { diskSync, syncs } = rig();
    diskSync.written();
    await diskSync.close();
    expect(syncs()).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
    diskSync.written();
    expect(vi.getTimerCount()).toBe(0);
  });
});
