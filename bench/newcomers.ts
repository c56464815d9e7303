/**
 * The sampling loop shared by the discovery benchmarks: a newcomer arrives among N running
 * nodes, and `arrive` reports how long after its start() resolved the last of them listed it
 * online, and showed it linked. The first `warmUp` arrivals are not recorded.
 */
import { latency, type Latency } from './latency';

export interface Arrival {
  listedMs: number;
  linkedMs: number;
}

export interface DiscoveryTimes {
  /** start() resolved → every other node lists the newcomer online. */
  listed: Latency;
  /** start() resolved → every other node shows the newcomer linked. */
  linked: Latency;
}

export async function sampleArrivals(
  where: string,
  samples: number,
  warmUp: number,
  arrive: () => Promise<Arrival>,
): Promise<DiscoveryTimes> {
  const listed: number[] = [];
  const linked: number[] = [];
  for (let i = -warmUp; i < samples; i++) {
    const arrival = await arrive();
    if (i < 0) continue;
    listed.push(arrival.listedMs);
    linked.push(arrival.linkedMs);
  }
  return {
    listed: latency(`discovery, ${where}: start() → listed online by all N`, listed),
    linked: latency(`discovery and links, ${where}: start() → linked with all N`, linked),
  };
}
