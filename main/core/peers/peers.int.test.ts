// Nodes on loopback find each other, link, and list each other as peers; manual peers and
// gossip reach nodes that multicast does not. Discovery is pinned to 127.0.0.1 throughout.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import type { ParleyNode } from '../node';
import { tempDirs } from '../testing/temp-dir';
import { randomTestPort, waitFor } from '../testing/wait';
import { peerRow, peersOf, testNodes } from '../testing/test-nodes';
import type { EventPayload, PeerInfo } from '../../../shared/api';

const dirs = tempDirs();
const { lanNode, isolatedNode, closeAll } = testNodes(dirs);
afterEach(async () => {
  await closeAll();
  dirs.cleanup();
});

const linkedTo = async (node: ParleyNode, other: ParleyNode): Promise<PeerInfo | undefined> =>
  (await peersOf(node)).find((p) => p.deviceId === other.identity.deviceId && p.linked && p.online);

describe('peers on one LAN', () => {
  it('three nodes find each other, link, and list each other by name', async () => {
    const port = randomTestPort();
    const [a, b, c] = [lanNode('Alice', port), lanNode('Bob', port), lanNode('Carol', port)];
    const seenByA: Array<EventPayload<'peer.discovered'>> = [];
    a.api.on('peer.discovered', (p) => seenByA.push(p));
    await Promise.all([a.start(), b.start(), c.start()]);
    for (const [x, y] of [
      [a, b],
      [a, c],
      [b, a],
      [b, c],
      [c, a],
      [c, b],
    ] as const) {
      await waitFor(() => linkedTo(x, y), `${x.identity.shortId} linked to ${y.identity.shortId}`);
    }
    const list = await peersOf(a);
    expect(list.map((p) => p.name).sort()).toEqual(['Bob', 'Carol']);
    expect(list.every((p) => p.address?.startsWith('127.0.0.1:'))).toBe(true);
    expect(new Set(seenByA.map((p) => p.name))).toEqual(new Set(['Bob', 'Carol']));
  });

  it('marks a peer offline with its last-seen time when it goes away, and back when it returns', async () => {
    const port = randomTestPort();
    const a = lanNode('Alice', port);
    const bDir = dirs.make();
    const b1 = lanNode('Bob', port, { dataDir: bDir });
    await Promise.all([a.start(), b1.start()]);
    await waitFor(() => linkedTo(a, b1), 'link to Bob');
    const bobId = b1.identity.deviceId;
    await b1.close();
    const offline = await waitFor(
      async () => (await peersOf(a)).find((p) => p.deviceId === bobId && !p.online),
      'Bob offline',
    );
    expect(offline.lastSeen).toBeGreaterThan(0);
    const b2 = lanNode('Bob', port, { dataDir: bDir });
    await b2.start();
    await waitFor(() => linkedTo(a, b2), 'Bob back');
  });
});

describe('manual peers and gossip', () => {
  it('adds a peer by host:port, links to it, and keeps it across a restart', async () => {
    const aDir = dirs.make();
    const a = isolatedNode('Alice', aDir);
    const b = isolatedNode('Bob');
    await Promise.all([a.start(), b.start()]);
    const added = await a.api.invoke('peers.add', { address: `127.0.0.1:${b.peerPort}` });
    expect(added).toEqual({
      ok: true,
      value: { address: `127.0.0.1:${b.peerPort}`, deviceId: b.identity.deviceId },
    });
    await waitFor(() => linkedTo(a, b), 'Alice linked to Bob');
    await waitFor(() => linkedTo(b, a), 'Bob linked to Alice');
    expect((await peersOf(a))[0]).toMatchObject({ name: 'Bob', manual: true });
    await a.close();
    const again = isolatedNode('Alice', aDir);
    await again.start();
    await waitFor(() => linkedTo(again, b), 'Alice linked to Bob after a restart');
    expect(await again.api.invoke('peers.manual', {})).toMatchObject({
      value: [{ deviceId: b.identity.deviceId }],
    });
  });

  it('keeps trying a manual peer that is not up yet', async () => {
    const port = await freePort();
    const a = isolatedNode('Alice');
    await a.start();
    expect(await a.api.invoke('peers.add', { address: `127.0.0.1:${port}` })).toEqual({
      ok: true,
      value: { address: `127.0.0.1:${port}`, deviceId: null },
    });
    const b = isolatedNode('Bob', dirs.make(), port);
    await b.start();
    await waitFor(() => linkedTo(a, b), 'Alice reached Bob once he started');
  });

  it('rejects an address that is not host:port, in words', async () => {
    const a = isolatedNode('Alice');
    await a.start();
    expect(await a.api.invoke('peers.add', { address: 'nonsense' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('host:port') },
    });
  });

  it('learns the addresses of its peers’ peers', async () => {
    const [a, b, c] = [isolatedNode('Alice'), isolatedNode('Bob'), isolatedNode('Carol')];
    await Promise.all([a.start(), b.start(), c.start()]);
    await a.api.invoke('peers.add', { address: `127.0.0.1:${b.peerPort}` });
    await waitFor(() => linkedTo(a, b), 'Alice linked to Bob');
    await c.api.invoke('peers.add', { address: `127.0.0.1:${a.peerPort}` });
    await waitFor(() => linkedTo(c, b), 'Carol linked to Bob, whom only Alice knew');
  });

  it('shows a peer with the fingerprint its own user sees, and lets the user mark it verified', async () => {
    const [a, b] = [isolatedNode('Alice'), isolatedNode('Bob')];
    await Promise.all([a.start(), b.start()]);
    await a.api.invoke('peers.add', { address: `127.0.0.1:${b.peerPort}` });
    await waitFor(() => linkedTo(a, b), 'link');
    // Bob's row at Alice's shows the fingerprint Bob's own screen shows, for reading aloud.
    const bobAtAlice = await peerRow(a, b.identity.deviceId);
    expect(bobAtAlice?.fingerprint).toBe(b.identity.fingerprint);
    const r = await a.api.invoke('peers.setVerified', {
      deviceId: b.identity.deviceId,
      verified: true,
    });
    expect(r).toMatchObject({ ok: true, value: { verified: true } });
    expect(
      await a.api.invoke('peers.setVerified', { deviceId: a.identity.deviceId, verified: true }),
    ).toMatchObject({
      ok: false,
      error: { code: 'PEER_UNKNOWN' },
    });
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('security alerts', () => {
  it('keeps a key-mismatch alert until the user dismisses it, across a restart', async () => {
    const aDir = dirs.make();
    const port = await freePort();
    const a = isolatedNode('Alice', aDir);
    const bob = isolatedNode('Bob', dirs.make(), port);
    await Promise.all([a.start(), bob.start()]);
    await a.api.invoke('peers.add', { address: `127.0.0.1:${port}` });
    await waitFor(() => linkedTo(a, bob), 'Alice linked to Bob');

    // Bob's address now answers with another key.
    const bobId = bob.identity.deviceId;
    await bob.close();
    const eve = isolatedNode('Eve', dirs.make(), port);
    await eve.start();
    const alertsOf = async (node: ParleyNode) => {
      const r = await node.api.invoke('security.alerts', {});
      return r.ok ? (r.value as EventPayload<'security.alert'>[]) : [];
    };
    const [alert] = await waitFor(async () => {
      const list = await alertsOf(a);
      return list.length > 0 ? list : false;
    }, 'an alert about Bob');
    expect(alert).toMatchObject({
      kind: 'key-mismatch',
      expected: bobId,
      presented: eve.identity.deviceId,
      address: `127.0.0.1:${port}`,
    });
    expect(await peerRow(a, eve.identity.deviceId)).toBeUndefined();

    // A window opened after a restart still shows it, once, until it is dismissed.
    await eve.close();
    await a.close();
    const again = isolatedNode('Alice', aDir);
    await again.start();
    expect(await alertsOf(again)).toEqual([alert]);
    expect(await again.api.invoke('security.dismiss', { id: alert!.id })).toEqual({
      ok: true,
      value: {},
    });
    expect(await alertsOf(again)).toEqual([]);
  });
});
