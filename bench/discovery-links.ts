/**
 * The "Discovery and links" section of the report: link set-up beside the bare handshake,
 * discovery among 2, 5 and 10 nodes on loopback, and among three hosts in network namespaces
 * where they can run (otherwise a line says why not). Progress goes to standard error, so that
 * standard output stays the Markdown report.
 */
import { netnsUnavailableReason } from '../main/core/testing/netns';
import { discoveryInNamespaces } from './discovery-netns.bench';
import { discoveryOnLoopback } from './discovery.bench';
import { contextRow, discoveryRow, linkRow } from './goals';
import { latencyTable, type LatencyRow } from './latency';
import { linkSetup } from './links.bench';
import type { DiscoveryTimes } from './newcomers';

const LINK_SAMPLES = 200;
const LOOPBACK_SAMPLES = 20;
/** Each namespace sample starts a `parley serve` process (about half a second): 20 take ~15 s. */
const NAMESPACE_SAMPLES = 20;

const discoveryRows = (d: DiscoveryTimes): LatencyRow[] => [
  discoveryRow(d.listed),
  contextRow(d.linked, 'none (discovery, then N links)'),
];

export async function discoveryAndLinks(): Promise<string> {
  console.error('bench: link set-up and bare handshakes…');
  const links = await linkSetup(LINK_SAMPLES);
  const rows: LatencyRow[] = [
    contextRow(links.bareHandshake, 'the baseline'),
    contextRow(links.handshakeOnly, 'none (shows the cost of a context)'),
    linkRow(links.dial, links.bareHandshake),
    linkRow(links.request, links.bareHandshake),
  ];
  for (const n of [2, 5, 10]) {
    console.error(`bench: discovery among ${n} nodes on loopback…`);
    rows.push(...discoveryRows(await discoveryOnLoopback(n, LOOPBACK_SAMPLES)));
  }
  const skipped = netnsUnavailableReason();
  if (skipped === undefined) {
    console.error('bench: discovery among three hosts in network namespaces…');
    rows.push(...discoveryRows(await discoveryInNamespaces(NAMESPACE_SAMPLES)));
  }
  const report = [latencyTable(rows)];
  if (skipped !== undefined) {
    report.push(
      '',
      `Three hosts in network namespaces: skipped, because ${skipped}. Run \`PARLEY_NETNS_TESTS=1 npm run bench\` as root to include them.`,
    );
  }
  return report.join('\n');
}
