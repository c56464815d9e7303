import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { randomId } from '../crypto';
import { silentLogger } from '../log/logger';
import type { Beacon } from './beacon';
import { createDiscovery, type DiscoveredPeer, type Discovery } from './discovery';
import {
  createFakeHub,
  testIdentity,
  type FakeBeacon,
  type FakeHub,
  type TestIdentity,
} from './fake-beacon.testing';
import { decodePacket, encodeAnnouncement, encodeAnswer, encodeQuery } from './packet-codec';
import { MAX_PEERS } from './peer-table';
import { RATE_LIMIT_BURST, RATE_LIMIT_PER_SECOND } from './rate-limiter';

const INTERVAL = 1000;
const services: Discovery[] = [];

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
  expect(vi.getTimerCount()).toBe(0);
  vi.useRealTimers();
});

interface TestNode {
  service: Discovery;
  identity: TestIdentity;
  instanceId: string;
  beacon: FakeBeacon;
  events: Array<{ kind: string; peer: DiscoveredPeer }>;
  setName(name: string): void;
}

function node(
  hub: FakeHub,
  address: string,
  {
    identity = testIdentity(),
    name = 'Node',
    port = 4000,
    now = undefined as (() => number) | undefined,
  } = {},
): TestNode {
  let currentName = name;
  const beacon = hub.beacon(address);
  const instanceId = randomId();
  const service = createDiscovery({
    identity,
    instanceId,
    name: () => currentName,
    tcpPort: () => port,
    beacon,
    announceIntervalMs: INTERVAL,
    logger: silentLogger,
    ...(now ? { now } : {}),
  });
  services.push(service);
  const events: TestNode['events'] = [];
  for (const kind of ['discovered', 'updated', 'lost'] as const) {
    service.on(kind, (peer) => events.push({ kind, peer }));
  }
  return { service, identity, instanceId, beacon, events, setName: (n) => (currentName = n) };
}

const kinds = (n: TestNode) => n.events.map((e) => `${e.kind}:${e.peer.deviceId.slice(0, 7)}`);
const short = (n: TestNode) => n.identity.deviceId.slice(0, 7);

/** A packet from a device that is not a service, for tests that play the peer by hand. */
function fieldsOf(id: TestIdentity, over: Partial<Parameters<typeof encodeQuery>[0]> = {}) {
  return {
    deviceId: id.deviceId,
    instanceId: 'c'.repeat(32),
    name: 'Carol',
    port: 4433,
    ts: Date.now(),
    publicKeySpki: id.publicKeySpki,
    ...over,
  };
}

function sentFrom(hub: FakeHub, beacon: FakeBeacon, since = 0) {
  return hub.sent.slice(since).flatMap((d) => {
    if (d.from.port !== beacon.port) return [];
    const decoded = decodePacket(d.bytes);
    return decoded.ok ? [{ type: decoded.packet.type, to: d.to, packet: decoded.packet }] : [];
  });
}

describe('discovery', () => {
  it('lets several nodes find each other at once', async () => {
    const hub = createFakeHub();
    const nodes = [1, 2, 3, 4].map((i) =>
      node(hub, `10.0.0.${i}`, { name: `N${i}`, port: 4000 + i }),
    );
    for (const n of nodes) {
      await n.service.start();
      hub.flush();
    }
    for (const n of nodes) {
      const others = nodes.filter((o) => o !== n);
      const peers = n.service.peers();
      expect(peers.map((p) => p.deviceId).sort()).toEqual(
        others.map((o) => o.identity.deviceId).sort(),
      );
      for (const o of others) {
        const p = peers.find((x) => x.deviceId === o.identity.deviceId)!;
        expect(p).toMatchObject({
          address: o.beacon.address,
          port: 4000 + nodes.indexOf(o) + 1,
          name: `N${nodes.indexOf(o) + 1}`,
          instanceId: o.instanceId,
          online: true,
        });
      }
      // Each peer was announced once, and nothing changed afterwards.
      expect(kinds(n).sort()).toEqual(others.map((o) => `discovered:${short(o)}`).sort());
      expect(n.service.stats().own).toBeGreaterThanOrEqual(2);
    }
  });

  it('sends a query and an announcement on start', async () => {
    const hub = createFakeHub();
    const a = node(hub, '10.0.0.1');
    await a.service.start();
    expect(sentFrom(hub, a.beacon).map((s) => [s.type, s.to])).toEqual([
      ['query', undefined],
      ['announce', undefined],
    ]);
  });

  it('answers a query at once, by unicast to the sender', async () => {
    const hub = createFakeHub();
    const a = node(hub, '10.0.0.1', { name: 'Alice', port: 4001 });
    await a.service.start();
    hub.flush();
    const mark = hub.sent.length;
    const carol = testIdentity();
    hub.inject(encodeQuery(fieldsOf(carol), carol.privateKey), { address: '10.0.0.3', port: 6000 });
    hub.flush();
    const answers = sentFrom(hub, a.beacon, mark);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({
      type: 'answer',
      to: { address: '10.0.0.3', port: 6000 },
      packet: { deviceId: a.identity.deviceId, name: 'Alice', port: 4001 },
    });
    // The query told us about its sender as well.
    expect(a.service.peers()).toMatchObject([{ deviceId: carol.deviceId, address: '10.0.0.3' }]);
  });

  it('answers a new device by unicast, but not its later announcements, and never an answer', async () => {
    const hub = createFakeHub();
    const a = node(hub, '10.0.0.1');
    await a.service.start();
    hub.flush();
    const carol = testIdentity();
    const from = { address: '10.0.0.3', port: 6000 };
    let mark = hub.sent.length;
    hub.inject(encodeAnnouncement(fieldsOf(carol), carol.privateKey), from);
    hub.flush();
    expect(sentFrom(hub, a.beacon, mark).map((s) => [s.type, s.to])).toEqual([['answer', from]]);

    mark = hub.sent.length;
    hub.inject(encodeAnnouncement(fieldsOf(carol, { ts: Date.now() + 1 }), carol.privateKey), from);
    hub.flush();
    expect(sentFrom(hub, a.beacon, mark)).toEqual([]);

    const dave = testIdentity();
    hub.inject(encodeAnswer(fieldsOf(dave), dave.privateKey), { address: '10.0.0.4', port: 6001 });
    hub.flush();
    expect(sentFrom(hub, a.beacon, mark)).toEqual([]);
    expect(
      a.service
        .peers()
        .map((p) => p.deviceId)
        .sort(),
    ).toEqual([carol.deviceId, dave.deviceId].sort());
  });

  it('re-announces every interval', async () => {
    const hub = createFakeHub();
    const a = node(hub, '10.0.0.1');
    await a.service.start();
    const mark = hub.sent.length;
    await vi.advanceTimersByTimeAsync(INTERVAL * 3);
    expect(sentFrom(hub, a.beacon, mark).map((s) => s.type)).toEqual([
      'announce',
      'announce',
      'announce',
    ]);
    // Strictly increasing timestamps, so peers never take them for replays.
    const ts = sentFrom(hub, a.beacon).map((s) => s.packet.ts);
    expect([...ts].sort((x, y) => x - y)).toEqual(ts);
    expect(new Set(ts).size).toBe(ts.length);
  });

  it('marks a silent peer lost after three intervals, keeps it, and finds it again', async () => {
    const hub = createFakeHub();
    const a = node(hub, '10.0.0.1');
    const b = node(hub, '10.0.0.2');
    await a.service.start();
    await b.service.start();
    hub.flush();
    await b.service.close();

    for (let i = 0; i < 2; i++) {
      await vi.advanceTimersByTimeAsync(INTERVAL);
      hub.flush();
    }
    expect(a.service.peers()[0]?.online).toBe(true);
    await vi.advanceTimersByTimeAsync(INTERVAL * 2);
    hub.flush();
    expect(kinds(a)).toEqual([`discovered:${short(b)}`, `lost:${short(b)}`]);
    expect(a.service.peers()).toMatchObject([{ deviceId: b.identity.deviceId, online: false }]);

    // The same device comes back (a new run of it): discovered again, and answered at once.
    const b2 = node(hub, '10.0.0.2', { identity: b.identity });
    await b2.service.start();
    hub.flush();
    expect(kinds(a)).toEqual([
      `discovered:${short(b)}`,
      `lost:${short(b)}`,
      `discovered:${short(b)}`,
    ]);
    expect(a.service.peers()).toMatchObject([{ online: true, instanceId: b2.instanceId }]);
    expect(b2.service.peers()).toMatchObject([{ deviceId: a.identity.deviceId, online: true }]);
  });

  it("reports a peer's restart, rename and port change as updates", async () => {
    const hub = createFakeHub();
    const a = node(hub, '10.0.0.1');
    const b = node(hub, '10.0.0.2', { name: 'Bob' });
    await a.service.start();
    await b.service.start();
    hub.flush();

    b.setName('Robert');
    b.service.announce();
    hub.flush();
    expect(a.events.at(-1)).toMatchObject({ kind: 'updated', peer: { name: 'Robert' } });

    // Restart: a new instance of the same device, at once (still online to `a`).
    await b.service.close();
    await vi.advanceTimersByTimeAsync(50); // a restart takes a moment
    const b2 = node(hub, '10.0.0.2', { identity: b.identity, name: 'Robert', port: 4999 });
    await b2.service.start();
    hub.flush();
    expect(a.events.at(-1)).toMatchObject({
      kind: 'updated',
      peer: { instanceId: b2.instanceId, port: 4999 },
    });
    // The restarted node learnt `a` at once, from `a`'s answer.
    expect(b2.service.peers()).toMatchObject([{ deviceId: a.identity.deviceId }]);
    expect(kinds(a).filter((k) => k.startsWith('updated'))).toHaveLength(2);
  });

  it('accepts a restart whose clock stepped back once the old instance is offline', async () => {
    const hub = createFakeHub();
    const a = node(hub, '10.0.0.1');
    await a.service.start();
    hub.flush();
    const carol = testIdentity();
    const from = { address: '10.0.0.3', port: 6000 };
    const t = Date.now();
    hub.inject(encodeAnnouncement(fieldsOf(carol, { ts: t + 60_000 }), carol.privateKey), from);
    hub.flush();
    // Restarted with its clock set back a minute: while the old instance is online, a packet
    // older than the last accepted one could as well be a replay, so it is refused...
    const restarted = (ts: number) =>
      encodeAnnouncement(fieldsOf(carol, { instanceId: 'd'.repeat(32), ts }), carol.privateKey);
    hub.inject(restarted(t), from);
    hub.flush();
    expect(a.service.stats().stale).toBe(1);
    // ...and accepted once the old instance has gone quiet for three intervals.
    await vi.advanceTimersByTimeAsync(INTERVAL * 4);
    hub.inject(restarted(Date.now()), from);
    hub.flush();
    expect(a.service.peers()).toMatchObject([{ instanceId: 'd'.repeat(32), online: true }]);
    expect(a.events.map((e) => e.kind)).toEqual(['discovered', 'lost', 'discovered']);
  });

  it('drops a replayed packet as stale and changes nothing', async () => {
    const hub = createFakeHub();
    const a = node(hub, '10.0.0.1');
    const b = node(hub, '10.0.0.2', { name: 'Bob' });
    await a.service.start();
    await b.service.start();
    hub.flush();
    const captured = sentFrom(hub, b.beacon)[0]!;
    const capturedBytes = hub.sent.find((d) => d.from.port === b.beacon.port)!.bytes;
    expect(captured.type).toBe('query');

    b.setName('Robert');
    b.service.announce();
    hub.flush();
    const before = a.service.peers();
    const events = a.events.length;
    const mark = hub.sent.length;

    // An attacker replays the old query, from elsewhere and from b's own address.
    hub.inject(capturedBytes, { address: '10.0.0.66', port: 6666 });
    hub.inject(capturedBytes, { address: '10.0.0.2', port: b.beacon.port });
    hub.flush();
    expect(a.service.stats().stale).toBe(2);
    expect(a.service.peers()).toEqual(before);
    expect(a.events).toHaveLength(events);
    expect(sentFrom(hub, a.beacon, mark)).toEqual([]); // a replayed query is not answered
  });

  it('drops packets of an older instance as stale', async () => {
    const hub = createFakeHub();
    const a = node(hub, '10.0.0.1');
    await a.service.start();
    hub.flush();
    const carol = testIdentity();
    const from = { address: '10.0.0.3', port: 6000 };
    const instances = ['1', '2', '3', '4', '5', '6'].map((c) => c.repeat(32));
    const old: Uint8Array[] = [];
    for (const [i, inst] of instances.entries()) {
      const bytes = encodeAnnouncement(
        fieldsOf(carol, { instanceId: inst, ts: Date.now() + i, name: `Carol ${i}` }),
        carol.privateKey,
      );
      old.push(bytes);
      hub.inject(bytes, from);
      hub.flush();
    }
    expect(a.service.peers()).toMatchObject([{ instanceId: instances[5], name: 'Carol 5' }]);
    const before = a.service.peers();
    // Every older instance, remembered or long forgotten, is refused while the peer is online.
    for (const bytes of old.slice(0, 5)) hub.inject(bytes, { address: '10.0.0.66', port: 1 });
    hub.flush();
    expect(a.service.stats().stale).toBe(5);
    expect(a.service.peers()).toEqual(before);
  });

  it('rate-limits each source address before checking signatures', async () => {
    let clock = 1_000_000;
    const hub = createFakeHub();
    const a = node(hub, '10.0.0.1', { now: () => clock });
    await a.service.start();
    hub.flush();
    const before = a.service.stats();
    const flood = (n: number, address: string) => {
      for (let i = 0; i < n; i++) {
        hub.inject(Uint8Array.of(1, 2, 3), { address, port: 9 }); // junk: each costs a token
      }
      hub.flush();
    };
    flood(RATE_LIMIT_BURST + 30, '10.0.0.66');
    let s = a.service.stats();
    expect(s.bad_magic - before.bad_magic).toBe(RATE_LIMIT_BURST);
    expect(s.rate_limited).toBe(30);

    // Another source is not affected.
    flood(5, '10.0.0.67');
    expect(a.service.stats().bad_magic - s.bad_magic).toBe(5);

    // A second later the flooding source has RATE_LIMIT_PER_SECOND tokens again.
    s = a.service.stats();
    clock += 1000;
    flood(RATE_LIMIT_PER_SECOND + 5, '10.0.0.66');
    expect(a.service.stats().bad_magic - s.bad_magic).toBe(RATE_LIMIT_PER_SECOND);
    expect(a.service.stats().rate_limited - s.rate_limited).toBe(5);
    expect(a.service.peers()).toEqual([]);
  });

  it('drops its own packets', async () => {
    const hub = createFakeHub();
    const a = node(hub, '10.0.0.1');
    await a.service.start();
    hub.flush();
    expect(a.service.stats().own).toBe(2); // its query and its announcement, looped back
    // Even a copy sent from another address (another instance of ourselves on the LAN).
    const copy = encodeAnnouncement(
      fieldsOf(a.identity as TestIdentity, { ts: Date.now() + 10 }),
      a.identity.privateKey,
    );
    hub.inject(copy, { address: '10.0.0.9', port: 1 });
    hub.flush();
    expect(a.service.stats().own).toBe(3);
    expect(a.service.peers()).toEqual([]);
    expect(a.events).toEqual([]);
  });

  it(`keeps at most ${MAX_PEERS} peers, evicting the longest offline first`, async () => {
    const hub = createFakeHub();
    const a = node(hub, '10.0.0.1');
    await a.service.start();
    hub.flush();
    const announce = (id: TestIdentity, i: number) =>
      hub.inject(encodeAnnouncement(fieldsOf(id), id.privateKey), {
        address: `10.${(i >> 8) & 255}.${i & 255}.9`,
        port: 7000,
      });
    const early = [0, 1, 2].map(() => testIdentity());
    early.forEach((id, i) => announce(id, 100_000 + i));
    hub.flush();
    await vi.advanceTimersByTimeAsync(INTERVAL * 4);
    expect(a.service.peers().every((p) => !p.online)).toBe(true);

    const crowd = Array.from({ length: MAX_PEERS - 1 }, () => testIdentity());
    crowd.forEach((id, i) => announce(id, i));
    hub.flush();
    const peers = a.service.peers();
    expect(peers).toHaveLength(MAX_PEERS);
    // Two of the three offline peers made room, and no online one.
    expect(peers.filter((p) => !p.online)).toHaveLength(1);
    expect(peers.filter((p) => p.online)).toHaveLength(MAX_PEERS - 1);

    // The last offline peer goes next; then, full of online peers, a newcomer replaces the
    // longest unheard one (one of the crowd, not the more recent newcomer).
    const late = [testIdentity(), testIdentity()];
    announce(late[0]!, 200_000);
    hub.flush();
    expect(a.service.peers().some((p) => !p.online)).toBe(false);
    await vi.advanceTimersByTimeAsync(10);
    announce(late[1]!, 200_001);
    hub.flush();
    const ids = new Set(a.service.peers().map((p) => p.deviceId));
    expect(ids.size).toBe(MAX_PEERS);
    expect(ids.has(late[0]!.deviceId) && ids.has(late[1]!.deviceId)).toBe(true);
    expect(crowd.filter((id) => ids.has(id.deviceId))).toHaveLength(MAX_PEERS - 2);
  }, 60_000);

  it('keeps the address of a peer heard on two links instead of flapping', async () => {
    const hub = createFakeHub();
    const a = node(hub, '10.0.0.1');
    await a.service.start();
    hub.flush();
    const carol = testIdentity();
    const wifi = { address: '10.0.0.3', port: 6000 };
    const wired = { address: '10.0.1.3', port: 6001 };
    for (let i = 0; i < 5; i++) {
      const bytes = encodeAnnouncement(fieldsOf(carol), carol.privateKey);
      // The same packet arrives over both links, in either order.
      hub.inject(bytes, i % 2 ? wifi : wired);
      hub.inject(bytes, i % 2 ? wired : wifi);
      hub.flush();
      await vi.advanceTimersByTimeAsync(INTERVAL);
    }
    expect(a.events.map((e) => e.kind)).toEqual(['discovered']);
    expect(a.service.peers()[0]?.address).toBe(wired.address);

    // The first address goes quiet: after two intervals the other one takes over.
    for (let i = 0; i < 3; i++) {
      hub.inject(encodeAnnouncement(fieldsOf(carol), carol.privateKey), wifi);
      hub.flush();
      await vi.advanceTimersByTimeAsync(INTERVAL);
    }
    expect(a.service.peers()[0]?.address).toBe(wifi.address);
    expect(a.events.map((e) => e.kind)).toEqual(['discovered', 'updated']);
  });

  it('survives a listener that throws', async () => {
    const hub = createFakeHub();
    const a = node(hub, '10.0.0.1');
    const b = node(hub, '10.0.0.2');
    a.service.on('discovered', () => {
      throw new Error('listener bug');
    });
    await a.service.start();
    await b.service.start();
    hub.flush();
    expect(a.service.peers()).toHaveLength(1);
    expect(b.service.peers()).toHaveLength(1); // a still answered
  });
});

describe('discovery lifecycle', () => {
  it('starts and closes idempotently and leaves no timer', async () => {
    const hub = createFakeHub();
    const a = node(hub, '10.0.0.1');
    await Promise.all([a.service.start(), a.service.start()]);
    expect(sentFrom(hub, a.beacon)).toHaveLength(2); // one start, not two
    expect(vi.getTimerCount()).toBe(1);
    await Promise.all([a.service.close(), a.service.close()]);
    expect(vi.getTimerCount()).toBe(0);
    await expect(a.service.start()).rejects.toMatchObject({ code: 'NOT_RUNNING' });
    a.service.announce(); // does nothing once closed
    expect(sentFrom(hub, a.beacon)).toHaveLength(2);
  });

  it('closes a beacon it opened itself, and leaves one it was given', async () => {
    const hub = createFakeHub();
    const identity = testIdentity();
    const make = (beacon: Beacon | (() => Promise<Beacon>)) =>
      createDiscovery({
        identity,
        instanceId: randomId(),
        name: () => 'X',
        tcpPort: () => 1,
        beacon,
        logger: silentLogger,
      });
    const given = hub.beacon('10.0.0.1');
    const d1 = make(given);
    await d1.start();
    await d1.close();
    expect(given.closed).toBe(false);

    let made: FakeBeacon | undefined;
    const d2 = make(async () => (made = hub.beacon('10.0.0.2')));
    await d2.start();
    await d2.close();
    expect(made?.closed).toBe(true);
  });

  it('closes a beacon that finishes opening after close()', async () => {
    const hub = createFakeHub();
    let release!: () => void;
    let made: FakeBeacon | undefined;
    const d = createDiscovery({
      identity: testIdentity(),
      instanceId: randomId(),
      name: () => 'X',
      tcpPort: () => 1,
      beacon: () =>
        new Promise<Beacon>((resolve) => {
          release = () => resolve((made = hub.beacon('10.0.0.1')));
        }),
      logger: silentLogger,
    });
    const started = d.start();
    const closed = d.close();
    release();
    await started;
    await closed;
    expect(made?.closed).toBe(true);
    expect(hub.sent).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reports a beacon that cannot open through start()', async () => {
    const d = createDiscovery({
      identity: testIdentity(),
      instanceId: randomId(),
      name: () => 'X',
      tcpPort: () => 1,
      beacon: () => Promise.reject(new Error('EADDRINUSE')),
      logger: silentLogger,
    });
    await expect(d.start()).rejects.toThrow('EADDRINUSE');
    await d.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses an identity whose device ID is not its key', () => {
    const [x, y] = [testIdentity(), testIdentity()];
    expect(() =>
      createDiscovery({
        identity: { ...x, deviceId: y.deviceId },
        instanceId: randomId(),
        name: () => 'X',
        tcpPort: () => 1,
        beacon: createFakeHub().beacon('10.0.0.1'),
        logger: silentLogger,
      }),
    ).toThrow(TypeError);
  });
});
