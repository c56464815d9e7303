/**
 * Peer links: one HTTPS server per node (mutual TLS 1.3), one WebSocket per pair of peers,
 * CBOR frames, requests with answers and one-way pushes. See docs/PROTOCOL.md "Peer links".
 * Upper layers use createLinkManager and the Link it hands out; the rest is exported for tests
 * and tools.
 */
export {
  createLinkManager,
  newInstanceId,
  LINK_REQUEST_WINDOW_MS,
  STABLE_LINK_MS,
  MAX_TRACKED_PEERS,
} from './link-manager';
export type {
  LinkManager,
  LinkManagerOptions,
  LinkManagerEvents,
  LinkManagerStats,
  LinkDownEvent,
  SecurityEvent,
  WantedPeer,
} from './link-manager';
export {
  Link,
  EncodedPush,
  CLOSE_CODES,
  LINK_ERROR_CODES,
  HIGH_WATER_BYTES,
  HEARTBEAT_INTERVAL_MS,
  MISSED_HEARTBEATS_LIMIT,
  MAX_BAD_FRAMES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  HELLO_TIMEOUT_MS,
  CLOSE_GRACE_MS,
} from './link';
export type { LinkPeer, LinkCloseInfo, RequestHandler, PushHandler, LinkCounters } from './link';
export { MAX_FRAME_BYTES, PROTOCOL_VERSION } from './frames';
export { LINK_PATH, LINK_REQUEST_PATH } from './endpoints';
export { DIAL_TIMEOUT_MS } from './dial';
export { DEFAULT_BACKOFF } from './backoff';
export type { BackoffPolicy } from './backoff';
export { peerDeviceId, tlsClientOptions, tlsServerOptions } from './tls-options';
