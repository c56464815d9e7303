/**
 * Waiting in tests without timing anything: poll a condition until it holds (or time out with
 * a message naming what was awaited), and count the process's live handles to find leaks.
 */
import { createServer } from 'node:net';

/** Generous: the machines that run the tests are shared and noisy. */
export const WAIT_TIMEOUT_MS = 20_000;

/** Polls `probe` until it returns something other than undefined, null or false. */
export async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = WAIT_TIMEOUT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A random UDP port for one test's multicast group, away from the well-known 47777. */
export function randomTestPort(): number {
  return 40_000 + Math.floor(Math.random() * 20_000);
}

/**
 * A TCP port on 127.0.0.1 on which nothing listens (it was free a moment ago), for a server
 * that must not answer.
 */
export async function unusedLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Live handles and requests of this process, by kind (UDPWrap, Timeout, ...). */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** The kinds of handle of which there are more now than in `before`, as "kind +n". */
export function grownResources(before: Record<string, number>): string[] {
  return Object.entries(activeResources())
    .filter(([kind, n]) => n > (before[kind] ?? 0))
    .map(([kind, n]) => `${kind} +${n - (before[kind] ?? 0)}`);
}
