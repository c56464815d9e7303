/**
 * The goals of the discovery and peer-link issue, applied to measured latencies: a newcomer is
 * listed by the others within DISCOVERY_P50_GOAL_MS at the median, and a link costs at most
 * LINK_SETUP_GOAL_RATIO bare TLS 1.3 handshakes measured in the same run (absolute times vary
 * too much across machines and runs to be a goal themselves).
 */
import type { Latency, LatencyRow } from './latency';

export const DISCOVERY_P50_GOAL_MS = 100;
export const LINK_SETUP_GOAL_RATIO = 2;

export const verdict = (met: boolean): string => (met ? 'met' : '**not met**');

/**
 * A measured ratio against the goal's ratio: "2.86 × bare: **not met**". `atMost`: the ratio
 * must not exceed the goal's (a cost); otherwise it must reach it (a rate).
 */
export function ratioVerdict(ratio: number, goal: number, of: string, atMost = true): string {
  return `${ratio.toFixed(2)} × ${of}: ${verdict(atMost ? ratio <= goal : ratio >= goal)}`;
}

/**
 * Discovery: the p50 as a fraction of the goal. The start-up query leaves inside start(), so a
 * node in another process may list the newcomer before its start() has resolved: a negative time.
 */
export function discoveryRow(l: Latency): LatencyRow {
  const met = verdict(l.p50Ms <= DISCOVERY_P50_GOAL_MS);
  return {
    ...l,
    goal: `p50 ≤ ${DISCOVERY_P50_GOAL_MS} ms`,
    againstGoal:
      l.p50Ms <= 0
        ? `listed before start() resolved: ${met}`
        : `${(l.p50Ms / DISCOVERY_P50_GOAL_MS).toFixed(2)} × goal: ${met}`,
  };
}

/** Link set-up: the p50 as a multiple of the bare handshake's p50. */
export function linkRow(l: Latency, bare: Latency): LatencyRow {
  const ratio = l.p50Ms / bare.p50Ms;
  return {
    ...l,
    goal: `≤ ${LINK_SETUP_GOAL_RATIO} × bare handshake`,
    againstGoal: ratioVerdict(ratio, LINK_SETUP_GOAL_RATIO, 'bare'),
  };
}

/** A row shown for context (a baseline, or a time that sums several steps). */
export function contextRow(l: Latency, goal: string): LatencyRow {
  return { ...l, goal, againstGoal: '' };
}
