/**
 * The discovery peer cache: which devices this node has heard, where, and whether they are
 * online. Pure state: the caller passes verified packets, source addresses and the time, and
 * gets back whether the packet was fresh and which events to emit.
 *
 * What must stay true:
 * - Only fresh packets change anything. Per device we keep the current instance, the last
 *   accepted `ts` and the last few instance IDs. A packet is fresh when its `ts` is greater
 *   than the last accepted one; a packet of an instance we have not seen recently is also
 *   fresh when the device is offline (a restart after the sender's clock stepped back).
 *   Anything else, in particular a packet of an older instance, is stale: replaying captured
 *   packets cannot roll a peer back to an old address, port, name or instance.
 * - A peer's address is the UDP source of its packets, never a field of the packet. It sticks
 *   while it is still heard, so a host on two links (or on IPv4 and IPv6) does not flap
 *   between its addresses; a restart or a return from offline takes the new source at once.
 * - Memory is bounded: at most `maxPeers` devices (the longest-offline is evicted first) and
 *   `maxInstances` instance IDs per device.
 */
import type { PacketFields } from './packet-codec';

/** A device found by discovery, as the rest of the node sees it. */
export interface DiscoveredPeer {
  deviceId: string;
  instanceId: string;
  name: string;
  /** The UDP source address of its packets (IPv4, or IPv6 link-local with `%scope`). */
  address: string;
  /** TCP port of its peer server (0: none announced). */
  port: number;
  /** Canonical P-256 SPKI; `deviceId` is its hash. */
  publicKeySpki: Uint8Array;
  /** When a fresh packet was last accepted from it, in ms on the service's clock. */
  lastSeen: number;
  online: boolean;
}

export type PeerEventKind = 'discovered' | 'updated' | 'lost';
export interface PeerEvent {
  kind: PeerEventKind;
  peer: DiscoveredPeer;
}

/**
 * How a fresh packet relates to what we knew: a device never seen (or evicted), a new
 * instance of a known device, a device that was offline, or nothing new about the device.
 */
export type PeerChange = 'new' | 'restarted' | 'returned' | 'known';

export type AcceptResult =
  { fresh: false } | { fresh: true; change: PeerChange; events: PeerEvent[] };

export interface PeerTableOptions {
  /** Silence after which a peer is offline, in ms (3 announce intervals). */
  offlineAfterMs: number;
  /** Silence of the current address after which another source may replace it, in ms. */
  addressStickyMs: number;
  /** Devices kept. Default: `MAX_PEERS`. */
  maxPeers?: number;
  /** Instance IDs remembered per device. Default: `MAX_INSTANCES_PER_PEER`. */
  maxInstances?: number;
}

/** Devices kept in the cache, online or offline. */
export const MAX_PEERS = 1024;
/** Recent instance IDs remembered per device, to recognise packets of an older instance. */
export const MAX_INSTANCES_PER_PEER = 4;

export interface PeerTable {
  accept(fields: PacketFields, address: string, nowMs: number): AcceptResult;
  /** Marks peers silent for `offlineAfterMs` offline; returns the 'lost' events. */
  sweep(nowMs: number): PeerEvent[];
  list(): DiscoveredPeer[];
  size(): number;
}

interface Entry {
  peer: DiscoveredPeer;
  lastTs: number;
  /** Oldest first; the last one is the current instance. */
  instances: string[];
  /** When the current address last sent a fresh packet or an exact duplicate. */
  addressHeardMs: number;
}

export function createPeerTable(options: PeerTableOptions): PeerTable {
  const maxPeers = options.maxPeers ?? MAX_PEERS;
  const maxInstances = options.maxInstances ?? MAX_INSTANCES_PER_PEER;
  const entries = new Map<string, Entry>();

  function evictOne(): void {
    let victim: Entry | undefined;
    for (const entry of entries.values()) {
      if (victim === undefined || evictsBefore(entry, victim)) victim = entry;
    }
    if (victim !== undefined) entries.delete(victim.peer.deviceId);
  }

  return {
    accept(fields, address, nowMs) {
      const entry = entries.get(fields.deviceId);
      if (entry === undefined) {
        if (entries.size >= maxPeers) evictOne();
        const peer: DiscoveredPeer = {
          deviceId: fields.deviceId,
          instanceId: fields.instanceId,
          name: fields.name,
          address,
          port: fields.port,
          publicKeySpki: new Uint8Array(fields.publicKeySpki),
          lastSeen: nowMs,
          online: true,
        };
        entries.set(fields.deviceId, {
          peer,
          lastTs: fields.ts,
          instances: [fields.instanceId],
          addressHeardMs: nowMs,
        });
        return { fresh: true, change: 'new', events: [{ kind: 'discovered', peer: copy(peer) }] };
      }

      const { peer } = entry;
      const sameInstance = fields.instanceId === peer.instanceId;
      const newer = fields.ts > entry.lastTs;
      if (sameInstance && !newer) {
        // The same packet again (sent on several links, or replayed): proves nothing new,
        // but a copy from the current address shows that address still works.
        if (fields.ts === entry.lastTs && address === peer.address) entry.addressHeardMs = nowMs;
        return { fresh: false };
      }
      if (!sameInstance && !newer) {
        const recent = entry.instances.includes(fields.instanceId);
        if (recent || peer.online) return { fresh: false };
      }

      const wasOnline = peer.online;
      const before = { ...peer };
      const change: PeerChange = !wasOnline ? 'returned' : sameInstance ? 'known' : 'restarted';
      if (
        !sameInstance ||
        !wasOnline ||
        address === peer.address ||
        nowMs - entry.addressHeardMs > options.addressStickyMs
      ) {
        peer.address = address;
        entry.addressHeardMs = nowMs;
      }
      peer.instanceId = fields.instanceId;
      peer.name = fields.name;
      peer.port = fields.port;
      peer.lastSeen = nowMs;
      peer.online = true;
      entry.lastTs = fields.ts;
      entry.instances = [
        ...entry.instances.filter((i) => i !== fields.instanceId),
        fields.instanceId,
      ];
      if (entry.instances.length > maxInstances)
        entry.instances.splice(0, entry.instances.length - maxInstances);

      const events: PeerEvent[] = [];
      if (!wasOnline) {
        events.push({ kind: 'discovered', peer: copy(peer) });
      } else if (
        before.name !== peer.name ||
        before.port !== peer.port ||
        before.address !== peer.address ||
        before.instanceId !== peer.instanceId
      ) {
        events.push({ kind: 'updated', peer: copy(peer) });
      }
      return { fresh: true, change, events };
    },

    sweep(nowMs) {
      const lost: PeerEvent[] = [];
      for (const { peer } of entries.values()) {
        if (peer.online && nowMs - peer.lastSeen >= options.offlineAfterMs) {
          peer.online = false;
          lost.push({ kind: 'lost', peer: copy(peer) });
        }
      }
      return lost;
    },

    list: () => [...entries.values()].map((e) => copy(e.peer)),
    size: () => entries.size,
  };
}

/** Eviction order: offline before online, then the longest unheard first. */
function evictsBefore(a: Entry, b: Entry): boolean {
  if (a.peer.online !== b.peer.online) return !a.peer.online;
  return a.peer.lastSeen < b.peer.lastSeen;
}

function copy(peer: DiscoveredPeer): DiscoveredPeer {
  return { ...peer, publicKeySpki: new Uint8Array(peer.publicKeySpki) };
}
