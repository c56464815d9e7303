/**
 * Real Parley nodes for integration tests, all on loopback: discovery is pinned to 127.0.0.1
 * (or off) so that no test ever sends a multicast packet out of the machine's real interface.
 */
import { createNode, type NodeConfig, type ParleyNode } from '../node';
import { silentLogger } from '../log/logger';
import type { PeerInfo } from '../../../shared/api';
import type { TempDirs } from './temp-dir';

export interface TestNodes {
  /** A node that finds others by multicast on 127.0.0.1, on the given group port. */
  lanNode(name: string, groupPort: number, extra?: Partial<NodeConfig>): ParleyNode;
  /** A node without discovery: it meets others only through manual peers. */
  isolatedNode(name: string, dataDir?: string, port?: number): ParleyNode;
  /** Closes every node made here (call it in afterEach). */
  closeAll(): Promise<void>;
}

export function testNodes(dirs: TempDirs): TestNodes {
  const nodes: ParleyNode[] = [];
  const make = (config: NodeConfig): ParleyNode => {
    const node = createNode(config);
    nodes.push(node);
    return node;
  };
  return {
    lanNode: (name, groupPort, extra = {}) =>
      make({
        dataDir: dirs.make(),
        name,
        logger: silentLogger,
        localApi: false,
        peer: { host: '127.0.0.1', port: 0 },
        discovery: { interfaces: ['127.0.0.1'], port: groupPort, announceIntervalMs: 200 },
        ...extra,
      }),
    isolatedNode: (name, dataDir = dirs.make(), port = 0) =>
      make({
        dataDir,
        name,
        logger: silentLogger,
        localApi: false,
        peer: { host: '127.0.0.1', port },
        discovery: false,
      }),
    closeAll: async () => {
      await Promise.all(nodes.splice(0).map((n) => n.close()));
    },
  };
}

/** The node's peer list, as the API returns it. */
export async function peersOf(node: ParleyNode): Promise<PeerInfo[]> {
  const r = await node.api.invoke('peers.list', {});
  if (!r.ok) throw new Error(r.error.message);
  return r.value as PeerInfo[];
}

/** The row for `deviceId` in the node's peer list, if any. */
export async function peerRow(node: ParleyNode, deviceId: string): Promise<PeerInfo | undefined> {
  return (await peersOf(node)).find((p) => p.deviceId === deviceId);
}
