/**
 * LAN discovery over UDP multicast: the packet codec (pure), the beacon (sockets) and the
 * service that ties them together. See "Discovery" in docs/PROTOCOL.md.
 */
export {
  createDiscovery,
  ANNOUNCE_INTERVAL_MS,
  OFFLINE_AFTER_INTERVALS,
  ADDRESS_STICKY_INTERVALS,
} from './discovery';
export type {
  Discovery,
  DiscoveryOptions,
  DiscoveryStat,
  DiscoveryEvent,
  DiscoveryListener,
  DiscoveredPeer,
} from './discovery';
export {
  createMulticastBeacon,
  defaultInterfaces,
  defaultIpv6Interfaces,
  DEFAULT_GROUP,
  DEFAULT_GROUP_IPV6,
  DEFAULT_PORT,
} from './beacon';
export type {
  Beacon,
  BeaconAddress,
  BeaconSource,
  BeaconListener,
  MulticastBeaconOptions,
} from './beacon';
export {
  encodeAnnouncement,
  encodeQuery,
  encodeAnswer,
  encodePacket,
  decodePacket,
  DROP_REASONS,
  MAX_PACKET_BYTES,
  PACKET_VERSION,
  PACKET_TYPES,
} from './packet-codec';
export type {
  DropReason,
  DiscoveryPacket,
  PacketFields,
  PacketType,
  DecodeResult,
} from './packet-codec';
export { MAX_PEERS, MAX_INSTANCES_PER_PEER } from './peer-table';
export { RATE_LIMIT_BURST, RATE_LIMIT_PER_SECOND, RATE_LIMIT_MAX_SOURCES } from './rate-limiter';
