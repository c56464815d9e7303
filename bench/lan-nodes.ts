/**
 * Real nodes in this process for the benchmarks, all on loopback: discovery pinned to 127.0.0.1
 * on a random group port (or the one given, for nodes in several processes to find each other)
 * with the real 5 s announce interval, so that a newcomer is found through its start-up packets
 * and announcements cost next to nothing while something else is timed.
 */
import { ANNOUNCE_INTERVAL_MS } from '../main/core/discovery/discovery';
import type { ParleyNode } from '../main/core/node';
import { allLinked } from '../main/core/rooms/testing/rooms-test-kit';
import type { TempDirs } from '../main/core/testing/temp-dir';
import { testNodes } from '../main/core/testing/test-nodes';
import { randomTestPort } from '../main/core/testing/wait';

export interface LanNodes {
  /** A node (not started) in this set's discovery group: a fresh data folder unless given. */
  node(name: string, dataDir?: string): ParleyNode;
  /** Starts `count` fresh nodes and waits until every one is linked with every other. */
  startLinked(count: number, prefix: string): Promise<ParleyNode[]>;
  closeAll(): Promise<void>;
}

export function lanNodes(dirs: TempDirs, groupPort = randomTestPort()): LanNodes {
  const made = testNodes(dirs);
  const discovery = {
    interfaces: ['127.0.0.1'],
    port: groupPort,
    announceIntervalMs: ANNOUNCE_INTERVAL_MS,
  };
  const node = (name: string, dataDir?: string): ParleyNode =>
    made.lanNode(name, groupPort, { discovery, ...(dataDir ? { dataDir } : {}) });
  return {
    node,
    async startLinked(count, prefix) {
      const nodes = Array.from({ length: count }, (_, i) => node(`${prefix} ${i + 1}`));
      await Promise.all(nodes.map((n) => n.start()));
      await allLinked(nodes);
      return nodes;
    },
    closeAll: () => made.closeAll(),
  };
}
