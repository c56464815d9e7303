/**
 * Reconnect delays: exponential backoff with full jitter (a random delay between zero and the
 * exponential ceiling), so that many nodes that lost one peer at the same moment do not all
 * come back at the same moment.
 */

export interface BackoffPolicy {
  /** Ceiling of the first delay, in milliseconds. Default 500. */
  baseMs: number;
  /** Largest ceiling, in milliseconds. Default 30 000. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 30_000 };

/** Doublings after which the ceiling stops growing (keeps 2^n finite). */
const MAX_DOUBLINGS = 30;

/** The delay before retry number `attempt` (0 = the first retry), in whole milliseconds. */
export function backoffDelayMs(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const doublings = Math.min(Math.max(0, Math.floor(attempt)), MAX_DOUBLINGS);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** doublings);
  return Math.floor(random() * ceiling);
}
