/**
 * Test helpers for discovery: an in-memory "LAN" (a hub of fake beacons) and throwaway
 * identities. Nothing here touches a socket.
 *
 * The hub behaves like the real beacon as the service sees it: multicast reaches every open
 * beacon (the sender's own too, as multicast loopback does), unicast reaches the one beacon
 * with that address and port, and the source of every datagram is the sender's address and
 * port. Delivery is queued and happens only in `flush()`, so tests decide when packets arrive.
 */
import { exportPublicKeySpki, generateEcKeyPair } from '../crypto';
import type { KeyObject } from 'node:crypto';
import { deviceIdForPublicKey } from '../identity/device-id';
import type { Beacon, BeaconAddress, BeaconListener } from './beacon';

export interface TestIdentity {
  deviceId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeySpki: Uint8Array;
}

export function testIdentity(): TestIdentity {
  const { privateKey, publicKey } = generateEcKeyPair();
  const publicKeySpki = exportPublicKeySpki(publicKey);
  return { deviceId: deviceIdForPublicKey(publicKeySpki), privateKey, publicKey, publicKeySpki };
}

export interface FakeBeacon extends Beacon {
  readonly address: string;
  readonly port: number;
  readonly closed: boolean;
}

export interface SentDatagram {
  from: BeaconAddress;
  /** Undefined for multicast. */
  to?: BeaconAddress;
  bytes: Uint8Array;
}

export interface FakeHub {
  /** A new beacon on `address`, with its own port (like a send socket's ephemeral port). */
  beacon(address: string): FakeBeacon;
  /** Queues a datagram from any source: to one beacon, or (no `to`) multicast. */
  inject(bytes: Uint8Array, from: BeaconAddress, to?: BeaconAddress): void;
  /** Delivers queued datagrams, and those sent in reaction, until nothing is left. */
  flush(): void;
  /** Every datagram sent through a beacon of the hub, in order. */
  readonly sent: SentDatagram[];
  /** Beacons not closed. */
  openBeacons(): number;
}

const MAX_DELIVERIES_PER_FLUSH = 100_000;

export function createFakeHub(): FakeHub {
  const beacons: Array<{ beacon: FakeBeacon; listeners: Set<BeaconListener> }> = [];
  const queue: SentDatagram[] = [];
  const sent: SentDatagram[] = [];
  let nextPort = 50_000;

  const deliver = (d: SentDatagram): void => {
    for (const b of beacons) {
      if (b.beacon.closed) continue;
      if (d.to && (d.to.address !== b.beacon.address || d.to.port !== b.beacon.port)) continue;
      for (const l of [...b.listeners]) l(new Uint8Array(d.bytes), { ...d.from });
    }
  };

  return {
    beacon(address) {
      const port = nextPort++;
      const listeners = new Set<BeaconListener>();
      let closed = false;
      const beacon: FakeBeacon = {
        address,
        port,
        get closed() {
          return closed;
        },
        send(bytes, to) {
          if (closed) return;
          const d: SentDatagram = { from: { address, port }, bytes: new Uint8Array(bytes) };
          if (to) d.to = { address: to.address, port: to.port };
          sent.push(d);
          queue.push(d);
        },
        onPacket(listener) {
          listeners.add(listener);
          return () => void listeners.delete(listener);
        },
        async close() {
          closed = true;
          listeners.clear();
        },
      };
      beacons.push({ beacon, listeners });
      return beacon;
    },
    inject(bytes, from, to) {
      queue.push(to ? { from, to, bytes } : { from, bytes });
    },
    flush() {
      for (let n = 0; queue.length > 0; n++) {
        if (n > MAX_DELIVERIES_PER_FLUSH) throw new Error('fake hub: datagrams never stop');
        deliver(queue.shift()!);
      }
    },
    sent,
    openBeacons: () => beacons.filter((b) => !b.beacon.closed).length,
  };
}
