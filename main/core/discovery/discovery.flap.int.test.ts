/**
 * A node that starts and stops over and over (a crash loop, a flaky laptop) against a running
 * peer, over real sockets pinned to 127.0.0.1: afterwards no socket or timer is left over, and
 * the peer still works.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomId } from '../crypto';
import { silentLogger } from '../log/logger';
import { createMulticastBeacon } from './beacon';
import { createDiscovery, type Discovery } from './discovery';
import { testIdentity, type TestIdentity } from './fake-beacon.testing';
import { activeResources, grownResources, randomTestPort, waitFor } from '../testing/wait';

const CYCLES = 100;
const UP_MS = 50;
const INTERVAL_MS = 500;

const open: Discovery[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((d) => d.close()));
});

function loopbackNode(port: number, identity: TestIdentity): Discovery {
  const d = createDiscovery({
    identity,
    instanceId: randomId(),
    name: () => 'flap',
    tcpPort: () => 4000,
    beacon: () => createMulticastBeacon({ port, interfaces: ['127.0.0.1'], logger: silentLogger }),
    announceIntervalMs: INTERVAL_MS,
    logger: silentLogger,
  });
  open.push(d);
  return d;
}

describe('discovery under restarts (real sockets on loopback)', () => {
  it(`leaves no handle behind after ${CYCLES} start/close cycles`, async () => {
    const port = randomTestPort();
    const peer = loopbackNode(port, testIdentity());
    await peer.start();
    const before = activeResources();

    const flapper = testIdentity();
    for (let i = 0; i < CYCLES; i++) {
      const d = loopbackNode(port, flapper);
      await d.start();
      await sleep(UP_MS);
      await d.close();
      // Every few cycles, close while still opening.
      if (i % 10 === 0)
        await Promise.all([loopbackNode(port, flapper).start(), open.at(-1)!.close()]);
    }
    open.splice(1); // all closed

    await waitFor(() => grownResources(before).length === 0, 'handles to close');
    expect(grownResources(before)).toEqual([]);
    expect(peer.peers().map((p) => p.deviceId)).toContain(flapper.deviceId);

    // The peer is unharmed: a newcomer and the peer still find each other.
    const newcomer = testIdentity();
    const late = loopbackNode(port, newcomer);
    await late.start();
    await waitFor(
      () =>
        peer.peers().some((p) => p.deviceId === newcomer.deviceId && p.online) &&
        late.peers().some((p) => p.online),
      'the newcomer and the peer to meet',
    );
  }, 60_000);
});
