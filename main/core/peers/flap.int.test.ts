// A peer that comes and goes sixty times must leave nothing behind in the node that stays:
// no sockets, no timers, no growing memory.
import { afterEach, describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createNode, type ParleyNode } from '../node';
import { silentLogger } from '../log/logger';
import { tempDirs } from '../testing/temp-dir';
import { activeResources, grownResources, randomTestPort, waitFor } from '../testing/wait';
import type { PeerInfo } from '../../../shared/api';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

const FLAPS = 60;
const dirs = tempDirs();
const nodes: ParleyNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
  dirs.cleanup();
});

describe('a flapping peer', () => {
  it('leaves no growth in sockets, timers or memory', { timeout: 240_000 }, async () => {
    const groupPort = randomTestPort();
    const config = (dataDir: string, name: string) => ({
      dataDir,
      name,
      logger: silentLogger,
      localApi: false as const,
      peer: { host: '127.0.0.1', port: 0 },
      discovery: { interfaces: ['127.0.0.1'], port: groupPort, announceIntervalMs: 200 },
    });
    const stay = createNode(config(dirs.make(), 'Steady'));
    nodes.push(stay);
    await stay.start();
    const flapDir = dirs.make();
    const peerState = async (id: string): Promise<PeerInfo | undefined> => {
      const r = await stay.api.invoke('peers.list', {});
      return r.ok ? (r.value as PeerInfo[]).find((p) => p.deviceId === id) : undefined;
    };

    const cycle = async (): Promise<void> => {
      const flapper = createNode(config(flapDir, 'Flapper'));
      await flapper.start();
      const id = flapper.identity.deviceId;
      await waitFor(async () => (await peerState(id))?.linked, 'link to the flapping peer');
      await flapper.close();
      await waitFor(
        async () => (await peerState(id))?.linked === false,
        'link down after the peer left',
      );
    };

    // Warm up first, so that caches that fill once (the peer table, the store) are not counted.
    for (let i = 0; i < 5; i++) await cycle();
    gc();
    const resourcesBefore = activeResources();
    const heapBefore = process.memoryUsage().heapUsed;

    for (let i = 0; i < FLAPS; i++) await cycle();

    gc();
    const heapGrowthMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    expect(grownResources(resourcesBefore)).toEqual([]);
    expect(heapGrowthMiB).toBeLessThan(8);
    expect((await stay.api.invoke('peers.list', {})).ok).toBe(true);
  });
});
