/**
 * Discovery over real UDP sockets, pinned to the loopback interface (127.0.0.1) on a random
 * port: several nodes in this process find each other through the kernel's multicast.
 * Nothing here may use another interface or address.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSocket, Socket } from 'node:dgram';
import { randomId } from '../crypto';
import { silentLogger } from '../log/logger';
import { createMulticastBeacon, type Beacon } from './beacon';
import { createDiscovery, type Discovery } from './discovery';
import { testIdentity, type TestIdentity } from './fake-beacon.testing';
import { activeResources, grownResources, randomTestPort, waitFor } from '../testing/wait';

const LOOPBACK = '127.0.0.1';
const opened: Array<Discovery | Beacon> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(opened.splice(0).map((o) => o.close()));
});

function loopbackNode(port: number, identity: TestIdentity = testIdentity(), tcpPort = 4000) {
  const service = createDiscovery({
    identity,
    instanceId: randomId(),
    name: () => `node ${identity.deviceId.slice(0, 7)}`,
    tcpPort: () => tcpPort,
    beacon: () => createMulticastBeacon({ port, interfaces: [LOOPBACK], logger: silentLogger }),
    logger: silentLogger,
  });
  opened.push(service);
  return { service, identity, tcpPort };
}

describe('discovery on loopback (real sockets)', () => {
  it('lets three nodes find each other, and leaves no handle behind', async () => {
    const port = randomTestPort();
    const before = activeResources();
    // The default 5 s interval: finding each other must come from query and answers.
    const nodes = [1, 2, 3].map((i) => loopbackNode(port, testIdentity(), 4000 + i));
    for (const n of nodes) await n.service.start();

    await waitFor(
      () => nodes.every((n) => n.service.peers().filter((p) => p.online).length === 2),
      'three nodes to meet',
    );
    for (const n of nodes) {
      for (const o of nodes.filter((x) => x !== n)) {
        expect(n.service.peers()).toContainEqual(
          expect.objectContaining({
            deviceId: o.identity.deviceId,
            address: LOOPBACK,
            port: o.tcpPort,
            online: true,
          }),
        );
      }
      expect(n.service.stats().own).toBeGreaterThanOrEqual(2);
    }

    await Promise.all(nodes.map((n) => n.service.close()));
    await waitFor(() => grownResources(before).length === 0, 'handles to close');
    expect(grownResources(before)).toEqual([]);
  });

  it('unicasts only to the link of a pinned interface', async () => {
    const beacon = await createMulticastBeacon({
      port: randomTestPort(),
      interfaces: [LOOPBACK],
      logger: silentLogger,
    });
    opened.push(beacon);
    // Nothing leaves this test: the socket's send is replaced, and we only look at its calls.
    const send = vi.spyOn(Socket.prototype, 'send').mockImplementation(() => {});
    beacon.send(Uint8Array.of(1), { address: '127.0.0.5', port: 9999 });
    beacon.send(Uint8Array.of(2), { address: '198.51.100.7', port: 9999 }); // off-link: refused
    beacon.send(Uint8Array.of(3), { address: 'fe80::1%lo', port: 9999 }); // no IPv6 pinned
    beacon.send(Uint8Array.of(4), { address: '127.0.0.5', port: 0 }); // no such port
    expect(send.mock.calls.map((c) => [c[0], c[2]])).toEqual([[Uint8Array.of(1), '127.0.0.5']]);
  });

  it('refuses an interface address this host does not have, and opens nothing', async () => {
    const before = activeResources();
    await expect(
      createMulticastBeacon({
        port: randomTestPort(),
        interfaces: ['203.0.113.9'],
        logger: silentLogger,
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(
      createMulticastBeacon({ port: randomTestPort(), interfaces: [], logger: silentLogger }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(grownResources(before)).toEqual([]);
  });

  it('reports a port it cannot bind, and leaves nothing open', async () => {
    const port = randomTestPort();
    const blocker = createSocket({ type: 'udp4' }); // no SO_REUSEADDR: nobody may share it
    await new Promise<void>((resolve) => blocker.bind(port, LOOPBACK, resolve));
    try {
      const before = activeResources();
      await expect(
        createMulticastBeacon({ port, interfaces: [LOOPBACK], logger: silentLogger }),
      ).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining(String(port)) });
      await waitFor(() => grownResources(before).length === 0, 'handles to close');
    } finally {
      await new Promise<void>((resolve) => blocker.close(resolve));
    }
  });

  it('closes a beacon idempotently and then ignores it', async () => {
    const before = activeResources();
    const beacon = await createMulticastBeacon({
      port: randomTestPort(),
      interfaces: [LOOPBACK],
      logger: silentLogger,
    });
    await Promise.all([beacon.close(), beacon.close()]);
    beacon.send(Uint8Array.of(1)); // no throw
    expect(beacon.onPacket(() => {})).toBeTypeOf('function');
    await waitFor(() => grownResources(before).length === 0, 'handles to close');
  });
});
