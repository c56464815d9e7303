/**
 * The discovery service: announces this node on the LAN and keeps the list of peers it hears.
 * It speaks the packet format of packet-codec.ts over any `Beacon` (real sockets in beacon.ts,
 * an in-memory hub in tests); the rules are in "Discovery" in docs/PROTOCOL.md.
 *
 * - On start it sends a query and an announcement; it re-announces every interval.
 * - It answers every query at once by unicast, and answers by unicast an announcement from a
 *   device that is new, restarted or back from offline, so both sides learn each other at once.
 * - A peer silent for `OFFLINE_AFTER_INTERVALS` intervals is 'lost' but stays in the cache.
 *
 * What must stay true:
 * - A datagram is rate-limited by source address before anything is parsed, so a flood costs
 *   no signature checks; then it is decoded (which verifies it), then own packets and stale
 *   ones are dropped. Every drop is counted under one closed set of reasons.
 * - Nothing a peer sends can throw out of the packet handler, and a dropped packet changes no
 *   peer state (only the rate limiter's count for its source).
 * - `close()` is idempotent and clears the timer and the beacon subscription; a beacon made by
 *   the factory option is closed too. No timer runs before `start()` or after `close()`.
 * - Our own packets carry strictly increasing `ts` within this instance, even if the clock
 *   steps back, so peers never take them for replays.
 */
import { ParleyError } from '../../../shared/errors';
import type { Identity } from '../identity/identity';
import { deviceIdForPublicKey } from '../identity/device-id';
import type { Logger } from '../log/logger';
import type { Beacon, BeaconSource } from './beacon';
import {
  decodePacket,
  DROP_REASONS,
  encodePacket,
  type DropReason,
  type PacketFields,
  type PacketType,
} from './packet-codec';
import {
  createPeerTable,
  type DiscoveredPeer,
  type PeerEvent,
  type PeerEventKind,
} from './peer-table';
import { createRateLimiter } from './rate-limiter';

export type { DiscoveredPeer } from './peer-table';

/** Time between announcements, in ms. */
export const ANNOUNCE_INTERVAL_MS = 5_000;
/** Announce intervals without a fresh packet after which a peer is offline (3 × 5 s = 15 s). */
export const OFFLINE_AFTER_INTERVALS = 3;
/**
 * Announce intervals the current address of a peer must be silent before a packet from another
 * of its addresses replaces it (a host on two links must not flap between them).
 */
export const ADDRESS_STICKY_INTERVALS = 2;
/** Shortest announce interval accepted, in ms (tests use short ones). */
const MIN_ANNOUNCE_INTERVAL_MS = 10;

export interface DiscoveryOptions {
  identity: Pick<Identity, 'deviceId' | 'privateKey' | 'publicKeySpki'>;
  /** This run's random 128-bit ID, 32 lowercase hex characters (see `randomId()`). */
  instanceId: string;
  /** The display name to announce, read at each send. */
  name: () => string;
  /** The TCP port of this node's peer server, read at each send (0: none yet). */
  tcpPort: () => number;
  /**
   * The transport. A Beacon object belongs to the caller, who closes it; one made by a
   * factory is opened in `start()` and closed in `close()`.
   */
  beacon: Beacon | (() => Promise<Beacon>);
  /** Default: `ANNOUNCE_INTERVAL_MS` (5000 ms). */
  announceIntervalMs?: number;
  logger: Logger;
  /** The clock, in ms since the epoch. Default: `Date.now`. */
  now?: () => number;
}

export type DiscoveryStat = DropReason | 'rate_limited' | 'own' | 'stale';
export type DiscoveryEvent = PeerEventKind;
export type DiscoveryListener = (peer: DiscoveredPeer) => void;

export interface Discovery {
  /** Opens the beacon, sends a query and an announcement, and starts re-announcing. */
  start(): Promise<void>;
  /**
   * Idempotent. Stops everything; a closed service cannot be started again (a `start()` still
   * opening when `close()` is called resolves without running).
   */
  close(): Promise<void>;
  /** Announces now (after a change of name or port). Does nothing unless running. */
  announce(): void;
  /** Every cached peer, online and offline. */
  peers(): DiscoveredPeer[];
  /** How many datagrams were dropped, by reason. */
  stats(): Record<DiscoveryStat, number>;
  on(event: DiscoveryEvent, listener: DiscoveryListener): () => void;
}

const STAT_KEYS: readonly DiscoveryStat[] = [...DROP_REASONS, 'rate_limited', 'own', 'stale'];

export function createDiscovery(options: DiscoveryOptions): Discovery {
  const { identity, instanceId } = options;
  const interval = options.announceIntervalMs ?? ANNOUNCE_INTERVAL_MS;
  if (!Number.isInteger(interval) || interval < MIN_ANNOUNCE_INTERVAL_MS) {
    throw new TypeError(`announceIntervalMs must be an integer >= ${MIN_ANNOUNCE_INTERVAL_MS}`);
  }
  if (!/^[0-9a-f]{32}$/.test(instanceId)) throw new TypeError('instanceId must be 32 hex digits');
  if (deviceIdForPublicKey(identity.publicKeySpki) !== identity.deviceId) {
    throw new TypeError('identity.deviceId is not the hash of identity.publicKeySpki');
  }
  const now = options.now ?? (() => Date.now());
  const log = options.logger;
  const table = createPeerTable({
    offlineAfterMs: OFFLINE_AFTER_INTERVALS * interval,
    addressStickyMs: ADDRESS_STICKY_INTERVALS * interval,
  });
  const limiter = createRateLimiter();
  const counters = Object.fromEntries(STAT_KEYS.map((k) => [k, 0])) as Record<
    DiscoveryStat,
    number
  >;
  const listeners: Record<DiscoveryEvent, Set<DiscoveryListener>> = {
    discovered: new Set(),
    updated: new Set(),
    lost: new Set(),
  };

  let state: 'idle' | 'running' | 'closed' = 'idle';
  let starting: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  let beacon: Beacon | undefined;
  let ownsBeacon = false;
  let unsubscribe: (() => void) | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let lastSentTs = 0;

  function fields(): PacketFields {
    lastSentTs = Math.max(now(), lastSentTs + 1);
    return {
      deviceId: identity.deviceId,
      instanceId,
      name: options.name(),
      port: options.tcpPort(),
      ts: lastSentTs,
      publicKeySpki: identity.publicKeySpki,
    };
  }

  function send(type: PacketType, to?: { address: string; port: number }): void {
    if (state !== 'running' || beacon === undefined) return;
    try {
      beacon.send(encodePacket(type, fields(), identity.privateKey), to);
    } catch (err) {
      // Our own fields are invalid (a bad name or port): nothing a peer did.
      log.error('discovery_send_failed', { type, err });
    }
  }

  function emit(events: readonly PeerEvent[]): void {
    for (const { kind, peer } of events) {
      log.debug(`discovery_peer_${kind}`, { deviceId: peer.deviceId, address: peer.address });
      for (const listener of [...listeners[kind]]) {
        try {
          listener({ ...peer, publicKeySpki: new Uint8Array(peer.publicKeySpki) });
        } catch (err) {
          log.error('discovery_listener_failed', { event: kind, err });
        }
      }
    }
  }

  function drop(reason: DiscoveryStat, from: BeaconSource): void {
    counters[reason] += 1;
    if (reason !== 'own') log.debug('discovery_packet_dropped', { reason, from: from.address });
  }

  function handle(bytes: Uint8Array, from: BeaconSource): void {
    if (state !== 'running') return;
    const t = now();
    if (!limiter.take(from.address, t)) return drop('rate_limited', from);
    const decoded = decodePacket(bytes);
    if (!decoded.ok) return drop(decoded.reason, from);
    const packet = decoded.packet;
    if (packet.deviceId === identity.deviceId) return drop('own', from);
    const result = table.accept(packet, from.address, t);
    if (!result.fresh) return drop('stale', from);
    emit(result.events);
    const answer =
      packet.type === 'query' || (packet.type === 'announce' && result.change !== 'known');
    if (answer) send('answer', { address: from.address, port: from.port });
  }

  function tick(): void {
    try {
      emit(table.sweep(now()));
      send('announce');
    } catch (err) {
      log.error('discovery_tick_failed', { err });
    }
  }

  async function open(): Promise<void> {
    let opened: Beacon;
    if (typeof options.beacon === 'function') {
      opened = await options.beacon();
      ownsBeacon = true;
    } else {
      opened = options.beacon;
    }
    if (state === 'closed') {
      // close() ran while the beacon was opening.
      if (ownsBeacon) await opened.close();
      return;
    }
    beacon = opened;
    unsubscribe = opened.onPacket((bytes, from) => {
      try {
        handle(bytes, from);
      } catch (err) {
        log.error('discovery_packet_failed', { from: from.address, err });
      }
    });
    state = 'running';
    send('query');
    send('announce');
    timer = setInterval(tick, interval);
    log.info('discovery_started', { instanceId, intervalMs: interval });
  }

  async function shutDown(): Promise<void> {
    const wasRunning = state === 'running';
    state = 'closed';
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    unsubscribe?.();
    unsubscribe = undefined;
    if (starting) await starting.catch(() => {});
    if (beacon !== undefined && ownsBeacon) await beacon.close();
    beacon = undefined;
    if (wasRunning) log.info('discovery_closed', { instanceId });
  }

  return {
    start() {
      if (closing !== undefined) {
        return Promise.reject(new ParleyError('NOT_RUNNING', 'Discovery has been closed.'));
      }
      starting ??= open();
      return starting;
    },
    close() {
      closing ??= shutDown();
      return closing;
    },
    announce: () => send('announce'),
    peers: () => table.list(),
    stats: () => ({ ...counters }),
    on(event, listener) {
      listeners[event].add(listener);
      return () => void listeners[event].delete(listener);
    },
  };
}
