/**
 * Discovery on loopback, in one process: N resident nodes run; then, sample after sample, a
 * newcomer starts and we time, from its start() resolving, how long until every resident lists
 * it online, and until every resident shows it linked. Each newcomer has a fresh data folder, so
 * it is a device nobody has seen (a restart of a known one would still be listed online from
 * its last announcements).
 *
 * Discovery is pinned to 127.0.0.1 and a random group port, never a real interface. The
 * announce interval is the real default: a newcomer must be found through its start-up query
 * and announcement, and a periodic announcement arriving first would flatter the numbers.
 */
import { performance } from 'node:perf_hooks';
import { RATE_LIMIT_PER_SECOND } from '../main/core/discovery/rate-limiter';
import type { ParleyNode } from '../main/core/node';
import { tempDirs } from '../main/core/testing/temp-dir';
import { peersOf } from '../main/core/testing/test-nodes';
import { waitFor } from '../main/core/testing/wait';
import type { PeerInfo } from '../shared/api';
import { lanNodes } from './lan-nodes';
import { sampleArrivals, type Arrival, type DiscoveryTimes } from './newcomers';

/**
 * Least time from one newcomer's start to the next. Every node here sends from 127.0.0.1, and
 * discovery rate-limits by source address, so on loopback all of them share one bucket (on a
 * LAN each host has its own). A newcomer costs each resident two of its tokens (query and
 * announcement); spacing samples for four leaves room for the periodic announcements, and a
 * dropped start-up packet would otherwise show up as a wait for the next one (seconds).
 */
const SAMPLE_SPACING_MS = (4 * 1000) / RATE_LIMIT_PER_SECOND;

/** When (performance.now()) a node first listed each device online, and first linked. */
interface FirstSeen {
  online: Map<string, number>;
  linked: Map<string, number>;
}

function watchPeers(node: ParleyNode): FirstSeen {
  const seen: FirstSeen = { online: new Map(), linked: new Map() };
  const note = (peer: PeerInfo): void => {
    const at = performance.now();
    if (peer.online && !seen.online.has(peer.deviceId)) seen.online.set(peer.deviceId, at);
    if (peer.linked && !seen.linked.has(peer.deviceId)) seen.linked.set(peer.deviceId, at);
  };
  node.api.on('peer.discovered', note);
  node.api.on('peer.updated', note);
  return seen;
}

/** The latest of the residents' times for `deviceId`, once every one has it. */
function lastOf(times: Map<string, number>[], deviceId: string): number | undefined {
  let last = 0;
  for (const t of times) {
    const at = t.get(deviceId);
    if (at === undefined) return undefined;
    last = Math.max(last, at);
  }
  return last;
}

export async function discoveryOnLoopback(
  residents: number,
  samples: number,
  warmUp = 2,
): Promise<DiscoveryTimes> {
  const dirs = tempDirs();
  const nodes = lanNodes(dirs);
  const node = (name: string): ParleyNode => nodes.node(name);
  try {
    const running = Array.from({ length: residents }, (_, i) => node(`Resident ${i + 1}`));
    await Promise.all(running.map((r) => r.start()));
    for (const r of running) {
      await waitFor(
        async () => (await peersOf(r)).filter((p) => p.linked).length === residents - 1,
        'the residents linked with each other',
      );
    }
    const watches = running.map(watchPeers);
    let count = 0;
    const arrive = async (): Promise<Arrival> => {
      const spaced = new Promise((resolve) => setTimeout(resolve, SAMPLE_SPACING_MS));
      const newcomer = node(`Newcomer ${++count}`);
      await newcomer.start();
      const started = performance.now();
      const id = newcomer.identity.deviceId;
      const linkedAt = await waitFor(
        () =>
          lastOf(
            watches.map((w) => w.linked),
            id,
          ),
        'every resident linked with the newcomer',
      );
      const listedAt = lastOf(
        watches.map((w) => w.online),
        id,
      )!;
      await newcomer.close();
      await spaced;
      return { listedMs: listedAt - started, linkedMs: linkedAt - started };
    };
    return await sampleArrivals(`N = ${residents} on loopback`, samples, warmUp, arrive);
  } finally {
    await nodes.closeAll();
    dirs.cleanup();
  }
}
