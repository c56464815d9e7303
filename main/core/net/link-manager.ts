/**
 * The link manager: the node's peer server plus one Link per peer, kept up while wanted.
 *
 * Who dials: of two peers, the one whose device ID is lower (canonical text form, compared as
 * ASCII) dials the other's /api/v1/link. The higher one, when it wants the link, asks the lower
 * one to dial with a one-shot POST /api/v1/link-request; the lower one then dials back until
 * linked (or the request's window ends, or it is unwanted). So there is never more than one
 * socket per pair, and either side may want first.
 *
 * What must stay true:
 * - At most one Link per peer in `links`. A newer link for the same peer replaces the old one
 *   ('link-down' for the old, then 'link-up' for the new). Every 'link-up' is followed by
 *   exactly one 'link-down' for the same Link.
 * - A dial reaches a peer only if the server proves the expected device ID. A mismatch is a
 *   'security' event and never a link; nothing here changes which key a device ID means.
 * - While wanted, a lost link is redialled (or re-requested) with exponential backoff and full
 *   jitter. Suspended or closed, nothing dials and nothing is accepted.
 * - close() is idempotent and, once it resolves, no timer, socket or server of the manager is
 *   left.
 */
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { DisplayName } from '../../../shared/api';
import { ParleyError } from '../../../shared/errors';
import type { Identity } from '../identity/identity';
import type { Logger } from '../log/logger';
import { DEFAULT_BACKOFF, backoffDelayMs, type BackoffPolicy } from './backoff';
import {
  DIAL_TIMEOUT_MS,
  PeerKeyMismatchError,
  connectVerified,
  postLinkRequest,
  upgradeToWebSocket,
  type DialTarget,
} from './dial';
import type { LinkRequestBody } from './endpoints';
import {
  CLOSE_CODES,
  Link,
  LinkHandshakeError,
  newLinkCounters,
  type LinkCounters,
  type LinkHandlers,
  type PushHandler,
  type RequestHandler,
} from './link';
import { createPeerServer, type PeerServer, type Refusal } from './peer-server';
import { tlsClientOptions, tlsServerOptions, type AuthenticatedPeer } from './tls-options';

/** After a link request, the lower side keeps dialling back for this long, in milliseconds. */
export const LINK_REQUEST_WINDOW_MS = 60_000;
/** A link that lived this long resets the reconnect backoff when it drops, in milliseconds. */
export const STABLE_LINK_MS = 10_000;
/** Most peers tracked at once (wanted or with a pending link request). */
export const MAX_TRACKED_PEERS = 1024;
/** Hello mismatches remembered so that each is reported once (then the memory starts over). */
const MAX_REMEMBERED_REPORTS = 256;
/** Display name sent in the hello when `name()` gives none that is valid. */
const FALLBACK_NAME = 'Parley';

export interface LinkManagerOptions {
  identity: Identity;
  /** Random per start of the node; sent in the hello and in link requests. */
  instanceId: string;
  /** Our display name, read at every hello. */
  name: () => string;
  /** Listen address. Default '0.0.0.0'; tests use '127.0.0.1'. */
  host?: string;
  /** Listen port; 0 (the default) picks any free port. */
  port?: number;
  logger: Logger;
  /** Ping interval of every link, in milliseconds. Default HEARTBEAT_INTERVAL_MS (10 000). */
  heartbeatIntervalMs?: number;
  /** Reconnect backoff, in milliseconds. Default { baseMs: 500, maxMs: 30 000 }. */
  backoff?: Partial<BackoffPolicy>;
  /** Time limit of each dial step and of the hellos, in milliseconds. Default DIAL_TIMEOUT_MS. */
  dialTimeoutMs?: number;
}

export interface WantedPeer {
  deviceId: string;
  address: string;
  port: number;
}

export type SecurityEvent =
  /** We dialled `address:port` for `expected`; the server proved it is `presented`. */
  | { kind: 'key-mismatch'; expected: string; presented: string; address: string; port: number }
  /** We dialled `address:port` for `expected`; the server had no acceptable certificate. */
  | { kind: 'bad-certificate'; expected: string; address: string; port: number }
  /** `deviceId` (proved by TLS) claimed to be `claimed` in its hello. */
  | { kind: 'hello-mismatch'; deviceId: string; claimed: string; address: string };

export interface LinkDownEvent {
  deviceId: string;
  link: Link;
  /** 'replaced', 'suspended', 'closing', 'stale', or how the socket closed. */
  reason: string;
}

export interface LinkManagerEvents {
  'link-up': Link;
  'link-down': LinkDownEvent;
  security: SecurityEvent;
}

export interface LinkManagerStats extends LinkCounters {
  /** Links up now. */
  links: number;
  /** Peers tracked now (wanted, or dialling back after a link request). */
  tracked: number;
  linksOpened: number;
  linksClosed: number;
  dialsStarted: number;
  dialsFailed: number;
  linkRequestsSent: number;
  linkRequestsReceived: number;
  incomingAccepted: number;
  incomingRefused: number;
  handshakesFailed: number;
  securityEvents: number;
}

export interface LinkManager {
  /** Starts the server; resolves with the bound port. Idempotent. */
  start(): Promise<{ port: number }>;
  /** Closes every link and the server and stops dialling. Idempotent. */
  close(): Promise<void>;
  /** The bound port; 0 before start(). */
  readonly port: number;
  /** Keeps a link to this peer (dial, or ask it to dial us), until unwant(). */
  want(peer: WantedPeer): void;
  /** Stops (re)connecting to this peer. A link that is up stays up; close it to drop it. */
  unwant(deviceId: string): void;
  link(deviceId: string): Link | undefined;
  links(): Link[];
  /** Registers the answerer for requests of `type`; one per type. Returns its removal. */
  handle(type: string, handler: RequestHandler): () => void;
  /** Adds a receiver for pushes of `type`. Returns its removal. */
  onPush(type: string, handler: PushHandler): () => void;
  on<E extends keyof LinkManagerEvents>(
    event: E,
    listener: (payload: LinkManagerEvents[E]) => void,
  ): () => void;
  /** Closes every link and stops dialling and accepting (e.g. system sleep). */
  suspend(): Promise<void>;
  /** Undoes suspend(): redials every wanted peer at once. */
  resume(): void;
  stats(): LinkManagerStats;
}

type Role = 'dial' | 'request';

interface PeerEntry {
  deviceId: string;
  role: Role;
  address: string;
  port: number;
  /** want() was called (and not unwant()). */
  wanted: boolean;
  /** A link request asked us to dial back until this time (ms since the epoch); 0 = none. */
  requestedUntil: number;
  /**
   * Failures in a row, the backoff exponent: failed attempts, and links that dropped within
   * STABLE_LINK_MS.
   */
  attempt: number;
  timer: NodeJS.Timeout | undefined;
  inFlight: { abort: AbortController; done: Promise<void> } | undefined;
  /** Run the next attempt at once when the one in flight ends (the target changed). */
  retryNow: boolean;
  /** Security events already reported for this entry, so a moved address does not spam. */
  reported: Set<string>;
}

type State = 'new' | 'starting' | 'running' | 'closing' | 'closed';

export function createLinkManager(options: LinkManagerOptions): LinkManager {
  const { identity, instanceId } = options;
  const ownId = identity.deviceId;
  const log = options.logger.child('net');
  const host = options.host ?? '0.0.0.0';
  const backoff: BackoffPolicy = { ...DEFAULT_BACKOFF, ...options.backoff };
  const dialTimeoutMs = options.dialTimeoutMs ?? DIAL_TIMEOUT_MS;
  const clientTls = tlsClientOptions(identity);

  let state: State = 'new';
  let suspended = false;
  let boundPort = 0;
  let starting: Promise<{ port: number }> | undefined;
  let closing: Promise<void> | undefined;

  const peers = new Map<string, PeerEntry>();
  const links = new Map<string, Link>();
  /** Every Link whose socket may still be open (up, handshaking or closing). */
  const sockets = new Set<Link>();
  const requestHandlers = new Map<string, RequestHandler>();
  const pushHandlers = new Map<string, PushHandler[]>();
  const listeners: { [E in keyof LinkManagerEvents]: Set<(p: LinkManagerEvents[E]) => void> } = {
    'link-up': new Set(),
    'link-down': new Set(),
    security: new Set(),
  };
  const reportedHelloMismatches = new Set<string>();
  const counters = newLinkCounters();
  const stats = {
    linksOpened: 0,
    linksClosed: 0,
    dialsStarted: 0,
    dialsFailed: 0,
    linkRequestsSent: 0,
    linkRequestsReceived: 0,
    incomingAccepted: 0,
    incomingRefused: 0,
    handshakesFailed: 0,
    securityEvents: 0,
  };

  const handlers: LinkHandlers = {
    requestHandler: (type) => requestHandlers.get(type),
    pushHandlers: (type) => pushHandlers.get(type) ?? [],
  };

  const emit = <E extends keyof LinkManagerEvents>(event: E, payload: LinkManagerEvents[E]) => {
    for (const listener of [...listeners[event]]) {
      try {
        listener(payload);
      } catch (err) {
        log.error('listener_failed', { event, error: err });
      }
    }
  };

  const active = (): boolean => state === 'running' && !suspended;
  const roleFor = (deviceId: string): Role => (ownId < deviceId ? 'dial' : 'request');

  const ourHello = () => {
    const name = DisplayName.safeParse(options.name());
    return {
      id: ownId,
      inst: instanceId,
      name: name.success ? name.data : FALLBACK_NAME,
      port: boundPort,
    };
  };

  // ---- links ----

  function startLink(
    ws: WebSocket,
    socket: Duplex,
    direction: 'in' | 'out',
    authenticated: AuthenticatedPeer,
    address: string,
    signal?: AbortSignal,
  ): Promise<Link> {
    const authenticatedId = authenticated.deviceId;
    const link = new Link({
      ws,
      socket,
      direction,
      address,
      authenticatedId,
      authenticatedKey: authenticated.key,
      hello: ourHello(),
      handlers,
      counters,
      logger: log.child('link'),
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      helloTimeoutMs: dialTimeoutMs,
      signal,
    });
    sockets.add(link);
    void link.socketClosed.then(() => sockets.delete(link));
    return link.ready.then(
      () => {
        register(link);
        return link;
      },
      (err: unknown) => {
        stats.handshakesFailed++;
        const claimed = err instanceof LinkHandshakeError ? err.claimedId : undefined;
        if (claimed !== undefined && firstReport(`${authenticatedId} ${claimed}`)) {
          security({
            kind: 'hello-mismatch',
            deviceId: authenticatedId,
            claimed,
            address,
          });
        }
        throw err;
      },
    );
  }

  function register(link: Link): void {
    const id = link.peer.deviceId;
    if (!active()) {
      link.close(CLOSE_CODES.goingAway, state === 'running' ? 'suspended' : 'closing');
      return;
    }
    const old = links.get(id);
    if (old !== undefined) {
      dropLink(old, 'replaced');
      old.close(CLOSE_CODES.replaced, 'replaced by a newer link');
    }
    links.set(id, link);
    stats.linksOpened++;
    link.on('close', (info) => {
      if (links.get(id) !== link) return;
      dropLink(link, `closed (${info.code}${info.reason ? ` ${info.reason}` : ''})`);
      const entry = peers.get(id);
      if (entry === undefined) return;
      // A link that dropped quickly counts as a failure, so a flapping peer is backed off too.
      const stable = Date.now() - link.openedAt >= STABLE_LINK_MS;
      if (stable) entry.attempt = 0;
      schedule(entry, backoffDelayMs(stable ? 0 : entry.attempt++, backoff));
    });
    const entry = peers.get(id);
    if (entry !== undefined) {
      clearTimeout(entry.timer);
      entry.timer = undefined;
      entry.requestedUntil = 0;
      forgetIfIdle(entry);
    }
    log.info('link_up', {
      peer: id,
      instance: link.peer.instanceId,
      direction: link.direction,
      address: link.address,
    });
    emit('link-up', link);
  }

  /** Takes a link out of `links` and announces it down; the caller closes it. */
  function dropLink(link: Link, reason: string): void {
    const id = link.peer.deviceId;
    if (links.get(id) !== link) return;
    links.delete(id);
    stats.linksClosed++;
    log.info('link_down', { peer: id, reason });
    emit('link-down', { deviceId: id, link, reason });
  }

  /** True the first time `key` is seen; hello mismatches are reported once per pair of IDs. */
  function firstReport(key: string): boolean {
    if (reportedHelloMismatches.has(key)) return false;
    if (reportedHelloMismatches.size >= MAX_REMEMBERED_REPORTS) reportedHelloMismatches.clear();
    reportedHelloMismatches.add(key);
    return true;
  }

  function security(event: SecurityEvent): void {
    stats.securityEvents++;
    log.warn('security_event', { ...event });
    emit('security', event);
  }

  // ---- wanting, dialling, requesting ----

  function eligible(entry: PeerEntry): boolean {
    if (!active() || links.has(entry.deviceId)) return false;
    return entry.wanted || (entry.role === 'dial' && entry.requestedUntil > Date.now());
  }

  function forgetIfIdle(entry: PeerEntry): void {
    if (entry.wanted || entry.timer !== undefined || entry.inFlight !== undefined) return;
    if (entry.requestedUntil > Date.now() && !links.has(entry.deviceId)) return;
    if (peers.get(entry.deviceId) === entry) peers.delete(entry.deviceId);
  }

  function schedule(entry: PeerEntry, delayMs: number): void {
    if (entry.inFlight !== undefined) {
      if (delayMs === 0) entry.retryNow = true;
      return;
    }
    clearTimeout(entry.timer);
    entry.timer = undefined;
    if (!eligible(entry)) return forgetIfIdle(entry);
    // Now means now: a zero timer would add a millisecond or more to every link set-up.
    if (delayMs === 0) return attempt(entry);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      attempt(entry);
    }, delayMs);
  }

  function attempt(entry: PeerEntry): void {
    if (!eligible(entry)) return forgetIfIdle(entry);
    const abort = new AbortController();
    const target: DialTarget = {
      deviceId: entry.deviceId,
      address: entry.address,
      port: entry.port,
    };
    entry.retryNow = false;
    const run = entry.role === 'dial' ? dial(target, abort.signal) : request(target, abort.signal);
    const done = run
      .catch((err: unknown) => {
        if (abort.signal.aborted) return;
        if (err instanceof PeerKeyMismatchError) return reportMismatch(entry, target, err);
        if (entry.role === 'dial') stats.dialsFailed++;
        log.debug(entry.role === 'dial' ? 'dial_failed' : 'link_request_failed', {
          peer: target.deviceId,
          address: `${target.address}:${target.port}`,
          error: err,
        });
      })
      .finally(() => {
        entry.inFlight = undefined;
        if (links.has(entry.deviceId)) return forgetIfIdle(entry);
        const delay = backoffDelayMs(entry.attempt++, backoff);
        schedule(entry, entry.retryNow ? 0 : delay);
      });
    entry.inFlight = { abort, done };
  }

  async function dial(target: DialTarget, signal: AbortSignal): Promise<void> {
    stats.dialsStarted++;
    const { socket, server } = await connectVerified(target, clientTls, {
      timeoutMs: dialTimeoutMs,
      signal,
    });
    // Resolves once the hellos are done and the link is registered.
    await upgradeToWebSocket(
      socket,
      target,
      (ws) => startLink(ws, socket, 'out', server, target.address, signal),
      { timeoutMs: dialTimeoutMs, signal },
    );
  }

  async function request(target: DialTarget, signal: AbortSignal): Promise<void> {
    const { socket } = await connectVerified(target, clientTls, {
      timeoutMs: dialTimeoutMs,
      signal,
    });
    stats.linkRequestsSent++;
    const status = await postLinkRequest(
      socket,
      target,
      { port: boundPort, inst: instanceId },
      { timeoutMs: dialTimeoutMs, signal },
    );
    if (status !== 202) {
      throw new Error(`the peer answered the link request with HTTP ${status}`);
    }
  }

  function reportMismatch(entry: PeerEntry, target: DialTarget, err: PeerKeyMismatchError): void {
    stats.dialsFailed++;
    const key = `${target.address}:${target.port}:${err.presented ?? ''}`;
    if (entry.reported.has(key)) return;
    entry.reported.add(key);
    const where = { address: target.address, port: target.port };
    security(
      err.presented === undefined
        ? { kind: 'bad-certificate', expected: target.deviceId, ...where }
        : { kind: 'key-mismatch', expected: target.deviceId, presented: err.presented, ...where },
    );
  }

  function entryFor(deviceId: string, address: string, port: number): PeerEntry | undefined {
    let entry = peers.get(deviceId);
    if (entry === undefined) {
      if (peers.size >= MAX_TRACKED_PEERS) return undefined;
      entry = {
        deviceId,
        role: roleFor(deviceId),
        address,
        port,
        wanted: false,
        requestedUntil: 0,
        attempt: 0,
        timer: undefined,
        inFlight: undefined,
        retryNow: false,
        reported: new Set(),
      };
      peers.set(deviceId, entry);
      return entry;
    }
    if (entry.address !== address || entry.port !== port) {
      entry.address = address;
      entry.port = port;
      entry.attempt = 0;
    }
    return entry;
  }

  function stopEntry(entry: PeerEntry): Promise<void> | undefined {
    clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.inFlight?.abort.abort();
    return entry.inFlight?.done;
  }

  // ---- the server's policy ----

  function admitLink(deviceId: string): Refusal | undefined {
    if (!active()) return { status: 503, reason: 'not accepting links now' };
    if (deviceId > ownId) {
      return { status: 409, reason: 'the lower device ID dials; send a link request' };
    }
    return undefined;
  }

  function onIncomingLink(ws: WebSocket, socket: Duplex, peer: AuthenticatedPeer, address: string) {
    stats.incomingAccepted++;
    const { deviceId } = peer;
    startLink(ws, socket, 'in', peer, address).catch((err: unknown) => {
      log.debug('incoming_handshake_failed', { peer: deviceId, address, error: err });
    });
  }

  function onLinkRequest(
    deviceId: string,
    address: string,
    body: LinkRequestBody,
  ): Refusal | undefined {
    stats.linkRequestsReceived++;
    if (!active()) return { status: 503, reason: 'not accepting links now' };
    if (deviceId < ownId) return { status: 409, reason: 'the lower device ID dials' };
    const existing = links.get(deviceId);
    if (existing !== undefined) {
      // The same instance asking again raced its own link; another instance means ours is stale.
      if (existing.peer.instanceId === body.inst) return undefined;
      dropLink(existing, 'stale');
      existing.close(CLOSE_CODES.goingAway, 'stale: the peer restarted');
    }
    const entry = entryFor(deviceId, address, body.port);
    if (entry === undefined) return { status: 503, reason: 'too many peers' };
    entry.requestedUntil = Date.now() + LINK_REQUEST_WINDOW_MS;
    entry.attempt = 0;
    schedule(entry, 0);
    return undefined;
  }

  const server: PeerServer = createPeerServer({
    tls: tlsServerOptions(identity),
    ownDeviceId: ownId,
    logger: log.child('server'),
    hooks: {
      admitLink,
      onLink: onIncomingLink,
      onLinkRequest,
      onRefused: () => stats.incomingRefused++,
    },
  });

  // ---- lifecycle ----

  async function closeAll(reason: string): Promise<void> {
    const stopped: Promise<void>[] = [];
    for (const entry of peers.values()) {
      const done = stopEntry(entry);
      if (done) stopped.push(done);
    }
    for (const link of [...links.values()]) dropLink(link, reason);
    // Up, still in their hellos, or already closing: every link's socket goes.
    for (const link of sockets) link.close(CLOSE_CODES.goingAway, reason);
    await Promise.all([...stopped, ...[...sockets].map((l) => l.socketClosed)]);
  }

  const manager: LinkManager = {
    get port() {
      return boundPort;
    },

    start() {
      starting ??= (async () => {
        if (state !== 'new') throw new ParleyError('NOT_RUNNING', 'The link manager is closed.');
        state = 'starting';
        boundPort = await server.listen(host, options.port ?? 0);
        if (state !== 'starting') throw new ParleyError('NOT_RUNNING');
        state = 'running';
        log.info('listening', { host, port: boundPort, deviceId: ownId });
        for (const entry of peers.values()) schedule(entry, 0);
        return { port: boundPort };
      })();
      return starting;
    },

    close() {
      closing ??= (async () => {
        const wasStarting = starting;
        state = 'closing';
        await wasStarting?.catch(() => {});
        await closeAll('closing');
        await server.close();
        peers.clear();
        state = 'closed';
        for (const set of Object.values(listeners)) set.clear();
        log.info('closed');
      })();
      return closing;
    },

    want(peer) {
      if (peer.deviceId === ownId || state === 'closing' || state === 'closed') return;
      const before = peers.get(peer.deviceId);
      const moved =
        before !== undefined && (before.address !== peer.address || before.port !== peer.port);
      const entry = entryFor(peer.deviceId, peer.address, peer.port);
      if (entry === undefined) {
        log.warn('want_ignored_too_many_peers', { peer: peer.deviceId });
        return;
      }
      entry.wanted = true;
      // A new address is worth trying at once; otherwise a pending retry keeps its backoff.
      if (moved || (entry.timer === undefined && entry.inFlight === undefined)) schedule(entry, 0);
    },

    unwant(deviceId) {
      const entry = peers.get(deviceId);
      if (entry === undefined) return;
      entry.wanted = false;
      entry.requestedUntil = 0;
      void stopEntry(entry);
      peers.delete(deviceId);
    },

    link: (deviceId) => links.get(deviceId),
    links: () => [...links.values()],

    handle(type, handler) {
      if (requestHandlers.has(type)) throw new Error(`a handler for "${type}" is registered`);
      requestHandlers.set(type, handler);
      return () => {
        if (requestHandlers.get(type) === handler) requestHandlers.delete(type);
      };
    },

    onPush(type, handler) {
      const list = pushHandlers.get(type) ?? [];
      pushHandlers.set(type, [...list, handler]);
      return () => {
        const now = (pushHandlers.get(type) ?? []).filter((h) => h !== handler);
        if (now.length > 0) pushHandlers.set(type, now);
        else pushHandlers.delete(type);
      };
    },

    on(event, listener) {
      const set = listeners[event] as Set<typeof listener>;
      set.add(listener);
      return () => set.delete(listener);
    },

    async suspend() {
      if (state !== 'running' && state !== 'starting' && state !== 'new') return;
      suspended = true;
      log.info('suspended');
      await closeAll('suspended');
      for (const entry of [...peers.values()]) {
        entry.requestedUntil = 0;
        forgetIfIdle(entry);
      }
    },

    resume() {
      if (!suspended) return;
      suspended = false;
      log.info('resumed');
      for (const entry of peers.values()) {
        entry.attempt = 0;
        schedule(entry, 0);
      }
    },

    stats() {
      return { ...counters, ...stats, links: links.size, tracked: peers.size };
    },
  };
  return manager;
}

/** A fresh instance ID for a node start: 128 random bits as 32 lowercase hex digits. */
export function newInstanceId(): string {
  return randomBytes(16).toString('hex');
}
