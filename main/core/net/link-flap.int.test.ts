/**
 * A peer that restarts again and again (a crash loop, a flaky laptop): every restart is
 * relinked, and once everything is closed nothing is left behind: no socket, server or timer.
 */
import { afterEach, expect, it } from 'vitest';
import { tempDirs } from '../testing/temp-dir';
import { NodePool, linked, makeIdentities, waitFor, want } from './testing/net-test-kit';

const RESTARTS = 30;

const dirs = tempDirs();
const pool = new NodePool();
afterEach(async () => {
  await pool.closeAll();
  dirs.cleanup();
});

/** Active handles and requests of this process, counted by kind. */
function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) {
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return counts;
}

/** The kinds whose count is above the baseline, with both counts; empty when none grew. */
function growth(baseline: Map<string, number>): string[] {
  return [...resources()]
    .filter(([kind, n]) => n > (baseline.get(kind) ?? 0))
    .map(([kind, n]) => `${kind}: ${baseline.get(kind) ?? 0} -> ${n}`);
}

it(`relinks a peer that restarts ${RESTARTS} times and leaks nothing`, async () => {
  const [low, high] = await makeIdentities(dirs, 2);

  // Warm up once, so that lazily created process-wide resources are in the baseline.
  {
    const a = await pool.start(low!);
    const b = await pool.start(high!);
    want(a, b);
    await linked(a, b);
    await pool.closeAll();
  }
  const baseline = await waitFor(async () => {
    const before = resources();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const after = resources();
    return [...after].every(([k, n]) => before.get(k) === n) ? after : undefined;
  }, 'a steady resource count');

  const a = await pool.start(low!);
  let b = await pool.start(high!);
  want(a, b);
  const instances = new Set<string>();
  for (let i = 0; i < RESTARTS; i++) {
    const [ab] = await linked(a, b);
    instances.add(ab.peer.instanceId);
    // Half the time the restarted peer wants the link too, so both ways of linking flap.
    const port = b.port;
    await b.manager.close();
    b = await pool.start(high!, { port });
    if (i % 2 === 0) want(b, a);
  }
  await linked(a, b);
  expect(instances.size).toBe(RESTARTS);
  expect(a.events.up).toHaveLength(RESTARTS + 1);
  expect(a.events.down).toHaveLength(RESTARTS);
  expect(a.manager.stats().linksOpened).toBe(RESTARTS + 1);

  await pool.closeAll();
  const grown = await waitFor(() => growth(baseline).length === 0 || undefined, 'no growth', 10_000)
    .then(() => [])
    .catch(() => growth(baseline));
  expect(grown).toEqual([]);
});
