/**
 * Discovery across three hosts of a test LAN (network namespaces on a bridge, real multicast
 * between them, each node its own `parley serve` process): two residents run; then, sample
 * after sample, a newcomer starts on the third host and we time, from its start() resolving,
 * how long until both residents list it online and show it linked. Needs root and
 * PARLEY_NETNS_TESTS=1 (see netnsUnavailableReason).
 */
import { ANNOUNCE_INTERVAL_MS } from '../main/core/discovery/discovery';
import { tempDirs } from '../main/core/testing/temp-dir';
import { createTestLan, removeStaleLans, type LanHost } from '../main/core/testing/netns';
import { sampleArrivals, type Arrival, type DiscoveryTimes } from './newcomers';
import { serveIn, type ServeChild } from './serve-child';

/** Events (and their device-ID field) in a resident's log that mark a newcomer listed, linked. */
const HEARD = ['discovery.discovery_peer_discovered', 'deviceId'] as const;
const LINKED = ['net.link_up', 'peer'] as const;

export async function discoveryInNamespaces(samples: number, warmUp = 1): Promise<DiscoveryTimes> {
  removeStaleLans();
  const lan = createTestLan(3);
  const dirs = tempDirs();
  const children: ServeChild[] = [];
  const serve = async (host: LanHost, name: string): Promise<ServeChild> => {
    const child = await serveIn(lan, host, {
      dataDir: dirs.make('parley-bench-'),
      name,
      // The real default: the newcomer must be found through its start-up packets.
      announceIntervalMs: ANNOUNCE_INTERVAL_MS,
    });
    children.push(child);
    return child;
  };
  try {
    const [one, two, three] = lan.hosts as [LanHost, LanHost, LanHost];
    const residents = [await serve(one, 'Resident 1'), await serve(two, 'Resident 2')];
    const [r1, r2] = residents as [ServeChild, ServeChild];
    await Promise.all([r1.logged(...LINKED, r2.deviceId), r2.logged(...LINKED, r1.deviceId)]);
    const latest = async (event: readonly [string, string], id: string) =>
      Math.max(...(await Promise.all(residents.map((r) => r.logged(...event, id)))));
    let count = 0;
    const arrive = async (): Promise<Arrival> => {
      const newcomer = await serve(three, `Newcomer ${++count}`);
      const listedAt = await latest(HEARD, newcomer.deviceId);
      const linkedAt = await latest(LINKED, newcomer.deviceId);
      await newcomer.stop();
      return { listedMs: listedAt - newcomer.startedAt, linkedMs: linkedAt - newcomer.startedAt };
    };
    return await sampleArrivals('3 hosts in network namespaces (N = 2)', samples, warmUp, arrive);
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    lan.destroy();
    dirs.cleanup();
  }
}
