/**
 * A Link: the one WebSocket between this node and one peer, after both hellos, with requests
 * (answered), pushes (one-way), backpressure and heartbeats.
 *
 * What must stay true:
 * - The peer's hello is the first frame it sends; its `id` must equal the device ID the TLS
 *   handshake authenticated, else the socket is closed (1008) and the link never opens.
 * - Frames are sent in the order they were asked for. A send waits while more than
 *   HIGH_WATER_BYTES are buffered, so a fast producer cannot fill memory.
 * - A frame from the peer that does not decode or validate is counted and dropped; more than
 *   MAX_BAD_FRAMES of them close the link (1008). Nothing the peer sends throws out of here.
 * - Every request settles exactly once: with the answer, a coded error answer, a timeout, or
 *   the link closing. Handler errors reach the peer only as `{code, message}`: a ParleyError
 *   with its code, a body the handler's schema refused (a ZodError) as BAD_REQUEST, anything
 *   else as INTERNAL with no detail.
 * - What a handler refuses (a ZodError, or for a push a ParleyError) is the peer's doing: it
 *   is counted and logged at debug level only, so a peer cannot flood the log. Only anything
 *   else a handler throws, a bug of this node, is logged as an error.
 * - After `close` (or the socket dying) no timer of this link is left and the socket is gone
 *   within CLOSE_GRACE_MS.
 */
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { z } from 'zod';
import { ERROR_CODES, ParleyError, isErrorCode, type ErrorCode } from '../../../shared/errors';
import type { Logger } from '../log/logger';
import {
  MAX_ERROR_MESSAGE_CHARS,
  MAX_REQUEST_ID,
  PROTOCOL_VERSION,
  decodeFrame,
  encodeFrame,
  type Frame,
  type HelloFrame,
  type PushFrame,
  type RequestFrame,
  type ResponseFrame,
} from './frames';

/** Sends wait while more than this many bytes are buffered for the socket (1 MiB). */
export const HIGH_WATER_BYTES = 1024 * 1024;
/** A ping is sent this often, in milliseconds. */
export const HEARTBEAT_INTERVAL_MS = 10_000;
/** The link is dropped when this many heartbeat intervals pass without a pong or a frame. */
export const MISSED_HEARTBEATS_LIMIT = 2;
/** Frames from the peer that may fail to decode or validate before the link is closed. */
export const MAX_BAD_FRAMES = 10;
/** Default time a request waits for its answer, in milliseconds. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** The peer's hello must arrive within this time after the socket opened, in milliseconds. */
export const HELLO_TIMEOUT_MS = 10_000;
/** After sending a close frame, the socket is destroyed if the peer has not closed it, in ms. */
export const CLOSE_GRACE_MS = 2_000;
/** While waiting for the socket to drain, buffered bytes are also re-checked this often, in ms. */
const DRAIN_RECHECK_MS = 100;
/** Longest close reason ws accepts, in bytes. */
const MAX_CLOSE_REASON_BYTES = 123;

/** WebSocket close codes used on links. */
export const CLOSE_CODES = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  policyViolation: 1008,
  tooBig: 1009,
  /** A newer link to the same peer replaced this one. */
  replaced: 4000,
  /** The peer speaks another protocol version. */
  unsupportedVersion: 4001,
} as const;

/**
 * Error codes this module needs in shared/errors.ts (LINK_CLOSED, PEER_TIMEOUT). Until they
 * exist there, each is reported with the nearest existing code; the message says what happened.
 */
export const LINK_ERROR_CODES = {
  closed: 'LINK_CLOSED',
  timeout: 'PEER_TIMEOUT',
} as const satisfies Record<string, ErrorCode>;

export interface LinkPeer {
  readonly deviceId: string;
  /** Random per start of the peer's node. */
  readonly instanceId: string;
  readonly name: string;
  /** The port the peer's server listens on. */
  readonly port: number;
  /** The key its TLS certificate carried (DER SPKI); its hash is `deviceId`. */
  readonly publicKeySpki: Uint8Array | undefined;
}

export interface LinkCloseInfo {
  code: number;
  reason: string;
}

/** Answers a request; may return a value or a promise. Throw a ParleyError to answer its code. */
export type RequestHandler = (body: unknown, link: Link) => unknown;
/**
 * Receives a push; what it returns is ignored. Errors (thrown, or a rejected promise) are
 * logged, never sent to the peer.
 */
export type PushHandler = (body: unknown, link: Link) => unknown;

/** Where a link finds its handlers (the manager's registry). */
export interface LinkHandlers {
  requestHandler(type: string): RequestHandler | undefined;
  pushHandlers(type: string): readonly PushHandler[];
}

/** Traffic counters; one object may be shared by many links. */
export interface LinkCounters {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  badFrames: number;
  requestsIn: number;
  requestsOut: number;
  pushesIn: number;
  pushesOut: number;
  errorAnswersSent: number;
  unknownPushes: number;
  /** Requests and pushes whose handler refused them as the peer's fault (see onRequest/onPush). */
  refusedByHandlers: number;
  heartbeatTimeouts: number;
}

export function newLinkCounters(): LinkCounters {
  return {
    framesIn: 0,
    framesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    badFrames: 0,
    requestsIn: 0,
    requestsOut: 0,
    pushesIn: 0,
    pushesOut: 0,
    errorAnswersSent: 0,
    unknownPushes: 0,
    refusedByHandlers: 0,
    heartbeatTimeouts: 0,
  };
}

export type HandshakeFailureKind = 'timeout' | 'closed' | 'protocol' | 'version' | 'id-mismatch';

/** Why a link did not open. `claimedId` is set for 'id-mismatch'. */
export class LinkHandshakeError extends Error {
  constructor(
    readonly kind: HandshakeFailureKind,
    message: string,
    readonly claimedId?: string,
  ) {
    super(message);
    this.name = 'LinkHandshakeError';
  }
}

export interface OpenLinkOptions {
  /** An open WebSocket (server side after the upgrade, client side after 'open'). */
  ws: WebSocket;
  /** The socket under `ws`; its 'drain' event ends a backpressure wait. */
  socket: Duplex;
  direction: 'in' | 'out';
  /** The peer's address, for logs and for the upper layers. */
  address: string;
  /** The device ID the TLS handshake authenticated; the peer's hello must claim the same. */
  authenticatedId: string;
  /** The public key the TLS handshake authenticated (undefined only off TLS, in tests). */
  authenticatedKey?: Uint8Array;
  /** Our hello. */
  hello: { id: string; inst: string; name: string; port: number };
  handlers: LinkHandlers;
  counters?: LinkCounters;
  logger: Logger;
  /** Default HEARTBEAT_INTERVAL_MS. */
  heartbeatIntervalMs?: number;
  /** Default HELLO_TIMEOUT_MS. */
  helloTimeoutMs?: number;
  /** Aborting before the hellos are done closes the socket. */
  signal?: AbortSignal;
}

/**
 * A push frame validated and encoded once, to be sent unchanged on several links: the frame of
 * a new message is the same for every member of the room, so a room of ten encoded it nine
 * times on the sender's path. Only `EncodedPush.of` makes one, so its bytes always passed
 * `encodeFrame`, as every frame a link sends does. (ws copies bytes it masks, so one buffer may
 * go to many sockets.)
 */
export class EncodedPush {
  private constructor(readonly bytes: Uint8Array) {}

  /** Throws ParleyError BAD_REQUEST when the frame is invalid, as `Link.push` rejects then. */
  static of(type: string, body: unknown): EncodedPush {
    return new EncodedPush(encodeFrame({ t: 'push', type, body }));
  }
}

/**
 * Sends our hello on `ws` and resolves with the Link once the peer's hello is valid. Rejects
 * with LinkHandshakeError, after the socket has closed, when it is not.
 */
export function openLink(options: OpenLinkOptions): Promise<Link> {
  return new Link(options).ready;
}

interface PendingRequest {
  type: string;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  timer: NodeJS.Timeout;
}

interface QueuedSend {
  bytes: Uint8Array;
  resolve: () => void;
  reject: (err: unknown) => void;
}

type CloseListener = (info: LinkCloseInfo) => void;

export class Link {
  readonly direction: 'in' | 'out';
  readonly address: string;
  /** Resolves once the socket is fully closed (for shutdown). */
  readonly socketClosed: Promise<void>;
  /** @internal resolves when the hellos are done; use openLink(). */
  readonly ready: Promise<Link>;

  private readonly ws: WebSocket;
  private readonly socket: Duplex;
  private readonly authenticatedId: string;
  private readonly authenticatedKey: Uint8Array | undefined;
  private readonly handlers: LinkHandlers;
  private readonly counters: LinkCounters;
  private readonly log: Logger;
  private readonly heartbeatIntervalMs: number;

  private state: 'hello' | 'open' | 'closed' = 'hello';
  private peerInfo: LinkPeer | undefined;
  private openedAtMs = 0;
  private closeInfo: LinkCloseInfo | undefined;
  private handshakeFailure: LinkHandshakeError | undefined;
  private resolveReady!: (link: Link) => void;
  private rejectReady!: (err: unknown) => void;
  private resolveSocketClosed!: () => void;

  private readonly pending = new Map<number, PendingRequest>();
  private nextRequestId = 1;
  private readonly queue: QueuedSend[] = [];
  private drainWait: { timer: NodeJS.Timeout; onDrain: () => void } | undefined;
  private badFrames = 0;
  private missedHeartbeats = 0;
  private helloTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private readonly closeListeners = new Set<CloseListener>();
  private readonly onAbort: () => void;
  private readonly signal: AbortSignal | undefined;

  constructor(options: OpenLinkOptions) {
    this.ws = options.ws;
    this.socket = options.socket;
    this.direction = options.direction;
    this.address = options.address;
    this.authenticatedId = options.authenticatedId;
    this.authenticatedKey = options.authenticatedKey;
    this.handlers = options.handlers;
    this.counters = options.counters ?? newLinkCounters();
    this.log = options.logger;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS;
    this.ready = new Promise<Link>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.socketClosed = new Promise<void>((resolve) => (this.resolveSocketClosed = resolve));

    this.ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    this.ws.on('pong', () => (this.missedHeartbeats = 0));
    this.ws.on('error', (err) => this.onSocketError(err));
    this.ws.on('close', (code, reason) => this.onSocketClose(code, reason.toString('utf8')));

    this.signal = options.signal;
    this.onAbort = () => this.failHandshake('closed', 'aborted', CLOSE_CODES.goingAway);
    if (this.signal?.aborted) queueMicrotask(this.onAbort);
    else this.signal?.addEventListener('abort', this.onAbort, { once: true });

    if (this.ws.readyState !== WebSocket.OPEN) {
      this.failHandshake('closed', 'the socket is not open', CLOSE_CODES.goingAway);
      return;
    }
    this.helloTimer = setTimeout(
      () => this.failHandshake('timeout', 'no hello in time', CLOSE_CODES.protocolError),
      options.helloTimeoutMs ?? HELLO_TIMEOUT_MS,
    );
    const hello: HelloFrame = { t: 'hello', v: PROTOCOL_VERSION, ...options.hello };
    this.send(hello).catch((err: unknown) => {
      this.log.error('link_hello_not_sent', { error: err });
      this.failHandshake('protocol', 'our hello could not be sent', CLOSE_CODES.protocolError);
    });
  }

  /** Who is on the other end, as its hello said (and TLS proved for deviceId). */
  get peer(): LinkPeer {
    if (this.peerInfo === undefined) throw new Error('the link has no peer before the hellos');
    return this.peerInfo;
  }

  /** When the hellos completed (ms since the epoch). */
  get openedAt(): number {
    return this.openedAtMs;
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  /** How this link was closed, once it is. */
  get closedWith(): LinkCloseInfo | undefined {
    return this.closeInfo;
  }

  /**
   * Sends a request and resolves with the peer's answer body. Rejects with a ParleyError: the
   * code the peer answered, or LINK_ERROR_CODES.timeout / .closed, or BAD_REQUEST when the
   * request cannot be encoded. The body is not validated here: the caller validates it.
   */
  request<T = unknown>(
    type: string,
    body: unknown,
    options: { timeoutMs?: number } = {},
  ): Promise<T> {
    if (this.state !== 'open') return Promise.reject(this.closedError());
    const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const id = this.allocateRequestId();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new ParleyError(
            LINK_ERROR_CODES.timeout,
            `The peer did not answer "${type}" within ${timeoutMs} ms.`,
          ),
        );
      }, timeoutMs);
      this.pending.set(id, { type, resolve: resolve as (v: unknown) => void, reject, timer });
      this.counters.requestsOut++;
      this.send({ t: 'req', id, type, body }).catch((err: unknown) => {
        const entry = this.pending.get(id);
        if (entry === undefined) return;
        clearTimeout(entry.timer);
        this.pending.delete(id);
        reject(err);
      });
    });
  }

  /**
   * Sends a push. Resolves once the frame is handed to the socket (not when the peer has it);
   * rejects when the link is closed or the body cannot be encoded.
   */
  push(type: string, body: unknown): Promise<void> {
    if (this.state !== 'open') return Promise.reject(this.closedError());
    this.counters.pushesOut++;
    return this.send({ t: 'push', type, body });
  }

  /** `push` of a frame encoded beforehand (EncodedPush), e.g. one frame for many links. */
  pushEncoded(push: EncodedPush): Promise<void> {
    if (this.state !== 'open') return Promise.reject(this.closedError());
    this.counters.pushesOut++;
    return this.enqueue(push.bytes);
  }

  /** Closes the link: a close frame now, the socket destroyed within CLOSE_GRACE_MS. */
  close(code: number = CLOSE_CODES.normal, reason = ''): void {
    this.shutdown(code, reason);
  }

  /** Listens for the link closing; called once, at once if it is closed already. */
  on(event: 'close', listener: CloseListener): () => void {
    if (event !== 'close') throw new TypeError(`unknown link event ${String(event)}`);
    if (this.closeInfo !== undefined) {
      const info = this.closeInfo;
      queueMicrotask(() => listener(info));
      return () => {};
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  // ---- receiving ----

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    if (this.state === 'closed') return;
    this.missedHeartbeats = 0;
    const bytes = toBytes(data);
    this.counters.framesIn++;
    this.counters.bytesIn += bytes.length;
    if (!isBinary) return this.badFrame('text message');
    const decoded = decodeFrame(bytes);
    if (!decoded.ok) return this.badFrame(decoded.reason);
    const frame = decoded.frame;
    if (this.state === 'hello') {
      if (frame.t !== 'hello') {
        return this.failHandshake(
          'protocol',
          'first frame is not a hello',
          CLOSE_CODES.protocolError,
        );
      }
      return this.onHello(frame);
    }
    switch (frame.t) {
      case 'hello':
        return this.badFrame('second hello');
      case 'req':
        void this.onRequest(frame);
        return;
      case 'res':
        return this.onResponse(frame);
      case 'push':
        return this.onPush(frame);
    }
  }

  private onHello(hello: HelloFrame): void {
    if (hello.v !== PROTOCOL_VERSION) {
      return this.failHandshake(
        'version',
        `unsupported protocol version ${hello.v}`,
        CLOSE_CODES.unsupportedVersion,
      );
    }
    if (hello.id !== this.authenticatedId) {
      return this.failHandshake(
        'id-mismatch',
        'hello id does not match the certificate',
        CLOSE_CODES.policyViolation,
        hello.id,
      );
    }
    this.peerInfo = {
      deviceId: hello.id,
      instanceId: hello.inst,
      name: hello.name,
      port: hello.port,
      publicKeySpki: this.authenticatedKey,
    };
    this.state = 'open';
    this.openedAtMs = Date.now();
    clearTimeout(this.helloTimer);
    this.helloTimer = undefined;
    this.signal?.removeEventListener('abort', this.onAbort);
    this.heartbeatTimer = setInterval(() => this.heartbeat(), this.heartbeatIntervalMs);
    this.resolveReady(this);
  }

  private async onRequest(frame: RequestFrame): Promise<void> {
    this.counters.requestsIn++;
    const handler = this.handlers.requestHandler(frame.type);
    if (handler === undefined) {
      return this.answerError(frame.id, 'UNKNOWN_COMMAND', `Unknown request type "${frame.type}".`);
    }
    let result: unknown;
    try {
      result = await handler(frame.body, this);
    } catch (err) {
      if (err instanceof ParleyError) return this.answerError(frame.id, err.code, err.message);
      if (err instanceof z.ZodError) {
        this.refusedByHandler('link_request_refused', frame.type, err);
        return this.answerError(
          frame.id,
          'BAD_REQUEST',
          `The body of "${frame.type}" is not valid.`,
        );
      }
      this.log.error('link_request_handler_failed', { type: frame.type, error: err });
      return this.answerError(frame.id, 'INTERNAL', ERROR_CODES.INTERNAL);
    }
    if (this.state !== 'open') return;
    try {
      await this.send({ t: 'res', id: frame.id, ok: true, body: result });
    } catch (err) {
      if (this.state !== 'open') return;
      this.log.error('link_answer_not_sent', { type: frame.type, error: err });
      await this.answerError(frame.id, 'INTERNAL', 'The answer could not be sent.');
    }
  }

  private async answerError(id: number, code: ErrorCode, message: string): Promise<void> {
    if (this.state !== 'open') return;
    this.counters.errorAnswersSent++;
    const error = { code, message: message.slice(0, MAX_ERROR_MESSAGE_CHARS) };
    await this.send({ t: 'res', id, ok: false, error }).catch((err: unknown) => {
      if (this.state === 'open') this.log.error('link_answer_not_sent', { error: err });
    });
  }

  private onResponse(frame: ResponseFrame): void {
    const entry = this.pending.get(frame.id);
    // An answer after its timeout is normal; an answer to nothing we asked is ignored alike.
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.pending.delete(frame.id);
    if (frame.ok) return entry.resolve(frame.body);
    const { code, message } = frame.error;
    entry.reject(
      isErrorCode(code)
        ? new ParleyError(code, message || ERROR_CODES[code])
        : new ParleyError('INTERNAL', `The peer answered "${entry.type}" with an unknown error.`),
    );
  }

  private onPush(frame: PushFrame): void {
    this.counters.pushesIn++;
    const handlers = this.handlers.pushHandlers(frame.type);
    if (handlers.length === 0) {
      this.counters.unknownPushes++;
      this.log.debug('link_push_unhandled', { type: frame.type });
      return;
    }
    for (const handler of handlers) {
      const failed = (err: unknown): void => {
        if (err instanceof ParleyError || err instanceof z.ZodError)
          this.refusedByHandler('link_push_refused', frame.type, err);
        else this.log.error('link_push_handler_failed', { type: frame.type, error: err });
      };
      try {
        const result = handler(frame.body, this);
        if (result instanceof Promise) result.catch(failed);
      } catch (err) {
        failed(err);
      }
    }
  }

  /** A frame a handler refused: the peer's fault, so counted and logged at debug only. */
  private refusedByHandler(event: string, type: string, err: ParleyError | z.ZodError): void {
    this.counters.refusedByHandlers++;
    this.log.debug(event, {
      peer: this.peerInfo?.deviceId,
      type,
      ...(err instanceof ParleyError
        ? { code: err.code }
        : {
            code: 'BAD_REQUEST',
            issue: err.issues[0]?.path.join('.').slice(0, MAX_ERROR_MESSAGE_CHARS),
          }),
    });
  }

  private badFrame(reason: string): void {
    this.counters.badFrames++;
    if (this.state === 'hello') {
      return this.failHandshake(
        'protocol',
        `bad first frame: ${reason}`,
        CLOSE_CODES.protocolError,
      );
    }
    this.badFrames++;
    this.log.debug('link_bad_frame', { peer: this.peerInfo?.deviceId, reason });
    if (this.badFrames > MAX_BAD_FRAMES) {
      this.log.warn('link_too_many_bad_frames', { peer: this.peerInfo?.deviceId });
      this.shutdown(CLOSE_CODES.policyViolation, 'too many bad frames');
    }
  }

  // ---- sending, in order, with backpressure ----

  private send(frame: Frame): Promise<void> {
    if (this.state === 'closed') return Promise.reject(this.closedError());
    let bytes: Uint8Array;
    try {
      bytes = encodeFrame(frame);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.enqueue(bytes);
  }

  /** Queues encoded frame bytes behind those asked for earlier. */
  private enqueue(bytes: Uint8Array): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ bytes, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0 && this.state !== 'closed') {
      if (this.ws.bufferedAmount > HIGH_WATER_BYTES) return this.waitForDrain();
      const item = this.queue.shift()!;
      this.ws.send(item.bytes, { binary: true });
      this.counters.framesOut++;
      this.counters.bytesOut += item.bytes.length;
      item.resolve();
    }
  }

  private waitForDrain(): void {
    if (this.drainWait !== undefined) return;
    const onDrain = (): void => {
      this.stopDrainWait();
      this.pump();
    };
    this.socket.once('drain', onDrain);
    // ws may hold bytes of its own that end without a 'drain' from the socket: re-check too.
    this.drainWait = { onDrain, timer: setTimeout(onDrain, DRAIN_RECHECK_MS) };
  }

  private stopDrainWait(): void {
    if (this.drainWait === undefined) return;
    clearTimeout(this.drainWait.timer);
    this.socket.off('drain', this.drainWait.onDrain);
    this.drainWait = undefined;
  }

  private allocateRequestId(): number {
    let id = this.nextRequestId;
    while (this.pending.has(id)) id = id >= MAX_REQUEST_ID ? 1 : id + 1;
    this.nextRequestId = id >= MAX_REQUEST_ID ? 1 : id + 1;
    return id;
  }

  // ---- liveness and shutdown ----

  private heartbeat(): void {
    if (this.missedHeartbeats >= MISSED_HEARTBEATS_LIMIT) {
      this.counters.heartbeatTimeouts++;
      this.log.info('link_heartbeat_timeout', { peer: this.peerInfo?.deviceId });
      this.shutdown(CLOSE_CODES.goingAway, 'no heartbeat', true);
      return;
    }
    this.missedHeartbeats++;
    try {
      this.ws.ping();
    } catch {
      // The socket is closing; its 'close' event finishes the link.
    }
  }

  private failHandshake(
    kind: HandshakeFailureKind,
    message: string,
    code: number,
    claimedId?: string,
  ): void {
    if (this.state !== 'hello') return;
    this.handshakeFailure = new LinkHandshakeError(kind, message, claimedId);
    this.shutdown(code, message);
  }

  private shutdown(code: number, reason: string, terminate = false): void {
    if (this.state !== 'closed') {
      this.state = 'closed';
      this.closeInfo = { code, reason };
      clearTimeout(this.helloTimer);
      clearInterval(this.heartbeatTimer);
      this.helloTimer = this.heartbeatTimer = undefined;
      this.stopDrainWait();
      this.signal?.removeEventListener('abort', this.onAbort);
      const err = this.closedError();
      for (const entry of this.pending.values()) {
        clearTimeout(entry.timer);
        entry.reject(err);
      }
      this.pending.clear();
      for (const item of this.queue.splice(0)) item.reject(err);
      const info = this.closeInfo;
      for (const listener of [...this.closeListeners]) {
        try {
          listener(info);
        } catch (e) {
          this.log.error('link_close_listener_failed', { error: e });
        }
      }
      this.closeListeners.clear();
    }
    this.closeSocket(code, reason, terminate);
  }

  private closeSocket(code: number, reason: string, terminate: boolean): void {
    const state = this.ws.readyState;
    if (state === WebSocket.CLOSED) return;
    if (terminate || state === WebSocket.CONNECTING) return this.ws.terminate();
    if (state === WebSocket.OPEN) {
      try {
        this.ws.close(code, truncateUtf8(reason, MAX_CLOSE_REASON_BYTES));
      } catch {
        return this.ws.terminate();
      }
    }
    // Closing (by us or by the peer): give the close handshake a moment, then cut the socket.
    this.graceTimer ??= setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS);
  }

  /**
   * ws reports a peer's protocol violation (oversized or malformed message) as an error and
   * starts closing by itself; record why, since the close event will only say 1006.
   */
  private onSocketError(err: Error): void {
    const wsCode = (err as { code?: unknown }).code;
    this.log.debug('link_socket_error', {
      peer: this.peerInfo?.deviceId,
      code: wsCode,
      error: err,
    });
    if (typeof wsCode !== 'string' || !wsCode.startsWith('WS_ERR_')) return;
    const tooBig = wsCode === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
    const code = tooBig ? CLOSE_CODES.tooBig : CLOSE_CODES.protocolError;
    const reason = tooBig ? 'frame too large' : 'WebSocket protocol error';
    if (this.state === 'hello') this.failHandshake('protocol', reason, code);
    else this.shutdown(code, reason);
  }

  private onSocketClose(code: number, reason: string): void {
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    this.shutdown(code, reason);
    if (this.peerInfo === undefined) {
      this.rejectReady(
        this.handshakeFailure ??
          new LinkHandshakeError('closed', `the socket closed before the hello (${code})`),
      );
    }
    this.resolveSocketClosed();
  }

  private closedError(): ParleyError {
    const info = this.closeInfo;
    const why = info ? ` (${info.code}${info.reason ? ` ${info.reason}` : ''})` : '';
    return new ParleyError(LINK_ERROR_CODES.closed, `The link to the peer is closed${why}.`);
  }
}

function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

function truncateUtf8(text: string, maxBytes: number): string {
  let out = text;
  while (Buffer.byteLength(out) > maxBytes) out = out.slice(0, -1);
  return out;
}
