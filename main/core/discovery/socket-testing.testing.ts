/**
 * Helpers for the discovery tests that open real sockets (on loopback or in network
 * namespaces only): a random port, polling, and a count of the process's live handles.
 */

/** A random port for one test's multicast group, away from the well-known 47777. */
export function randomTestPort(): number {
  return 40_000 + Math.floor(Math.random() * 20_000);
}

/** Live handles and requests of this process, by kind (UDPWrap, Timeout, ...), sorted. */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo().sort())
    counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** Polls `check` until it holds; throws after `timeoutMs`. No assertion on how long it took. */
export async function waitFor(
  check: () => boolean,
  { timeoutMs = 15_000, everyMs = 20, what = 'condition' } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * The kinds of handle of which there are more now than in `before`, as "kind +n". Vitest's own
 * timers come and go, so only growth counts as a leak.
 */
export function grownResources(before: Record<string, number>): string[] {
  const now = activeResources();
  return Object.entries(now)
    .filter(([kind, n]) => n > (before[kind] ?? 0))
    .map(([kind, n]) => `${kind} +${n - (before[kind] ?? 0)}`);
}
