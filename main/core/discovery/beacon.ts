/**
 * The discovery transport: UDP multicast and unicast on pinned interfaces, and nothing else.
 * It moves opaque datagrams; what they mean is the service's business (discovery.ts).
 *
 * Sockets, per beacon (the design lets many nodes share one host, as tests do on loopback):
 * - one receive socket per address family, bound to the wildcard address on the well-known
 *   port with SO_REUSEADDR, joined to the group on each pinned interface;
 * - one send socket per pinned interface, bound to that interface's address on an ephemeral
 *   port, with the multicast interface set to it, hop limit 1 and multicast loopback on (so
 *   other nodes on this host hear it). Every packet, multicast or unicast, leaves from a send
 *   socket, so each node has its own source port; unicast answers go back to that port, and
 *   the send socket passes what it receives to the listeners too.
 *
 * What must stay true:
 * - Nothing is ever sent except through an interface the caller pinned: multicast goes out on
 *   the pinned interfaces only, and unicast only to an address on the link of a pinned
 *   interface (its IPv4 subnet, or an IPv6 link-local address with its zone). Every packet has
 *   a hop limit of 1, so discovery never leaves the link.
 * - Datagrams from a source that is not on the link of a pinned interface are dropped before
 *   the listeners see them (Linux delivers a group's packets to every socket bound to the port,
 *   whichever interface they came in on).
 * - No socket error, send failure or listener exception escapes: they are logged.
 * - `close()` releases every socket; it is idempotent. The beacon never starts a timer.
 */
import { createSocket, type Socket, type SocketOptions } from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { ParleyError } from '../../../shared/errors';
import type { Logger } from '../log/logger';

export interface BeaconAddress {
  address: string;
  port: number;
}

export interface BeaconSource extends BeaconAddress {
  /** The local interface address the datagram came in on, when it is known. */
  interfaceAddress?: string;
}

export type BeaconListener = (bytes: Uint8Array, from: BeaconSource) => void;

export interface Beacon {
  /** Sends one datagram: by unicast to `to`, or without `to` by multicast on every pinned interface. */
  send(bytes: Uint8Array, to?: BeaconAddress): void;
  /** Calls `listener` for every datagram received; returns the function that stops it. */
  onPacket(listener: BeaconListener): () => void;
  close(): Promise<void>;
}

/** The IPv4 group: administratively scoped (RFC 2365), so routers do not forward it. */
export const DEFAULT_GROUP = '239.255.77.77';
/** The IPv6 group: link-local scope (ff02::/16). */
export const DEFAULT_GROUP_IPV6 = 'ff02::7777';
/** The well-known UDP port every node listens on. */
export const DEFAULT_PORT = 47777;
/** Hop limit of every packet sent: the link only. */
const HOP_LIMIT = 1;

export interface MulticastBeaconOptions {
  /** IPv4 multicast group. Default: `DEFAULT_GROUP` (239.255.77.77). */
  group?: string;
  /** IPv6 multicast group. Default: `DEFAULT_GROUP_IPV6` (ff02::7777). */
  groupIpv6?: string;
  /** UDP port of the group. Default: `DEFAULT_PORT` (47777). */
  port?: number;
  /**
   * IPv4 addresses of the local interfaces to use. Required: there is no implicit "all
   * interfaces"; production passes `defaultInterfaces()`, tests pass '127.0.0.1'.
   */
  interfaces: string[];
  /**
   * IPv6 interfaces to use, by zone (interface name, or index on Windows); each must have a
   * link-local address. Default: none. Production may pass `defaultIpv6Interfaces()`.
   */
  ipv6Interfaces?: string[];
  logger: Logger;
}

/** Every non-internal IPv4 address of this host: what production pins to. */
export function defaultInterfaces(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address);
  }
  return out;
}

/** Every non-internal interface that has an IPv6 link-local address, by name. */
export function defaultIpv6Interfaces(): string[] {
  const out = new Set<string>();
  for (const [name, list] of Object.entries(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv6' && !a.internal && isLinkLocal6(a.address)) out.add(name);
    }
  }
  return [...out];
}

/** A pinned interface and the socket that sends on it. */
interface Link {
  family: 4 | 6;
  /** IPv4 address, or IPv6 link-local address with `%zone`. */
  address: string;
  /** IPv4: the subnet, to tell on-link addresses. */
  network?: number;
  mask?: number;
  /** IPv6: the zone as written in addresses, and the names it may appear under. */
  zone?: string;
  zoneNames?: string[];
  socket?: Socket;
}

export async function createMulticastBeacon(options: MulticastBeaconOptions): Promise<Beacon> {
  const group = options.group ?? DEFAULT_GROUP;
  const group6 = options.groupIpv6 ?? DEFAULT_GROUP_IPV6;
  const port = options.port ?? DEFAULT_PORT;
  const log = options.logger;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new ParleyError('BAD_REQUEST', `Discovery port ${port} is not a UDP port (1-65535).`);
  }
  const links = [
    ...[...new Set(options.interfaces)].map(resolveIpv4),
    ...[...new Set(options.ipv6Interfaces ?? [])].map(resolveIpv6),
  ];
  if (links.length === 0) {
    throw new ParleyError('BAD_REQUEST', 'Discovery needs at least one network interface.');
  }
  const listeners = new Set<BeaconListener>();
  const sockets: Socket[] = [];
  let closing: Promise<void> | undefined;

  const deliver = (socket: string, msg: Buffer, rinfo: { address: string; port: number }) => {
    if (closing) return;
    const link = linkFor(links, rinfo.address);
    if (link === undefined) {
      log.debug('discovery_offlink_dropped', { socket, from: rinfo.address });
      return;
    }
    const from: BeaconSource = {
      address: rinfo.address,
      port: rinfo.port,
      interfaceAddress: link.address,
    };
    for (const listener of [...listeners]) {
      try {
        listener(msg, from);
      } catch (err) {
        log.error('discovery_listener_failed', { err });
      }
    }
  };

  const open = async (
    opts: SocketOptions,
    bindPort: number,
    bindAddress: string,
    name: string,
  ): Promise<Socket> => {
    const socket = createSocket(opts);
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ port: bindPort, address: bindAddress, exclusive: true }, () => {
        socket.off('error', reject);
        resolve();
      });
    }).catch((cause: unknown) => {
      throw new ParleyError(
        'INTERNAL',
        `Discovery could not open UDP ${bindAddress} port ${bindPort}: ${(cause as Error).message}`,
        { cause },
      );
    });
    socket.on('error', (err) => log.warn('discovery_socket_error', { socket: name, err }));
    socket.on('message', (msg, rinfo) => deliver(name, msg, rinfo));
    return socket;
  };

  const closeAll = async (): Promise<void> => {
    listeners.clear();
    await Promise.all(
      sockets.splice(0).map(
        (s) =>
          new Promise<void>((resolve) => {
            try {
              s.close(() => resolve());
            } catch {
              resolve(); // never bound, or already closed
            }
          }),
      ),
    );
  };

  try {
    const v4 = links.filter((l) => l.family === 4);
    const v6 = links.filter((l) => l.family === 6);
    if (v4.length > 0) {
      const rx = await open({ type: 'udp4', reuseAddr: true }, port, '0.0.0.0', 'rx4');
      for (const l of v4) joinGroup(rx, group, l.address);
    }
    if (v6.length > 0) {
      const rx = await open({ type: 'udp6', reuseAddr: true, ipv6Only: true }, port, '::', 'rx6');
      for (const l of v6) joinGroup(rx, group6, `::%${l.zone}`);
    }
    for (const l of links) {
      const type = l.family === 4 ? 'udp4' : 'udp6';
      const s = await open({ type }, 0, l.address, `tx ${l.address}`);
      s.setMulticastInterface(l.family === 4 ? l.address : `::%${l.zone}`);
      s.setMulticastTTL(HOP_LIMIT);
      s.setTTL(HOP_LIMIT);
      s.setMulticastLoopback(true);
      l.socket = s;
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  log.debug('discovery_beacon_open', { port, interfaces: links.map((l) => l.address) });

  const sendOn = (link: Link, bytes: Uint8Array, address: string, toPort: number): void => {
    const socket = link.socket;
    if (socket === undefined) return;
    try {
      socket.send(bytes, toPort, address, (err) => {
        if (err) log.debug('discovery_send_failed', { to: address, err });
      });
    } catch (err) {
      log.debug('discovery_send_failed', { to: address, err });
    }
  };

  return {
    send(bytes, to) {
      if (closing) return;
      if (to === undefined) {
        for (const l of links) {
          sendOn(l, bytes, l.family === 4 ? group : `${group6}%${l.zone}`, port);
        }
        return;
      }
      const link = linkFor(links, to.address);
      if (link === undefined || !Number.isInteger(to.port) || to.port < 1 || to.port > 65_535) {
        log.warn('discovery_send_refused', { to: to.address, port: to.port });
        return;
      }
      sendOn(link, bytes, to.address, to.port);
    },
    onPacket(listener) {
      if (closing) return () => {};
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    close() {
      closing ??= closeAll();
      return closing;
    },
  };
}

function joinGroup(socket: Socket, group: string, iface: string): void {
  try {
    socket.addMembership(group, iface);
  } catch (cause) {
    throw new ParleyError(
      'INTERNAL',
      `Discovery could not join ${group} on ${iface}: ${(cause as Error).message}`,
      { cause },
    );
  }
}

function resolveIpv4(address: string): Link {
  if (!isIPv4(address)) {
    throw new ParleyError('BAD_REQUEST', `"${address}" is not an IPv4 interface address.`);
  }
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv4' && a.address === address) {
        const mask = ipv4ToInt(a.netmask) ?? 0xffffffff;
        return { family: 4, address, mask, network: (ipv4ToInt(address)! & mask) >>> 0 };
      }
    }
  }
  throw new ParleyError('BAD_REQUEST', `No network interface of this host has address ${address}.`);
}

function resolveIpv6(zone: string): Link {
  const byIndex = /^\d+$/.test(zone) ? Number(zone) : undefined;
  for (const [name, list] of Object.entries(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family !== 'IPv6' || !isLinkLocal6(a.address)) continue;
      if (name !== zone && a.scopeid !== byIndex) continue;
      const index = String(a.scopeid ?? '');
      // Windows writes zones as indexes; everything else accepts (and reports) names.
      const written = process.platform === 'win32' ? index : name;
      const bare = a.address.split('%')[0]!;
      return {
        family: 6,
        address: `${bare}%${written}`,
        zone: written,
        zoneNames: [name, index],
      };
    }
  }
  throw new ParleyError(
    'BAD_REQUEST',
    `No network interface "${zone}" with an IPv6 link-local address on this host.`,
  );
}

/** The pinned link on which `address` lies, if any. */
function linkFor(links: readonly Link[], address: string): Link | undefined {
  if (isIPv4(address)) {
    const ip = ipv4ToInt(address)!;
    return links.find((l) => l.family === 4 && (ip & l.mask!) >>> 0 === l.network);
  }
  const [bare, zone] = address.split('%');
  if (zone === undefined || bare === undefined || !isIPv6(bare) || !isLinkLocal6(bare)) {
    return undefined;
  }
  return links.find((l) => l.family === 6 && l.zoneNames!.includes(zone));
}

function isLinkLocal6(address: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(address);
}

function ipv4ToInt(address: string): number | undefined {
  if (!isIPv4(address)) return undefined;
  return address.split('.').reduce((acc, octet) => ((acc << 8) | Number(octet)) >>> 0, 0);
}
