/**
 * The dialling side's I/O: open a mutually authenticated TLS connection to a peer and check,
 * before a single byte of HTTP is sent, that the server's certificate hashes to the device ID
 * we meant to reach; then either upgrade that connection to the link's WebSocket or send one
 * link request over it.
 *
 * What must stay true:
 * - A server whose key does not hash to the expected device ID gets nothing from us but the
 *   TLS handshake (whose client certificate is public anyway): PeerKeyMismatchError, socket
 *   destroyed, and the caller reports it. Nothing here ever "re-pins" a device ID.
 * - Every function settles within its timeout or when its signal aborts, and leaves no socket
 *   or timer behind when it rejects.
 */
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import {
  CBOR_CONTENT_TYPE,
  LINK_PATH,
  LINK_REQUEST_PATH,
  encodeLinkRequest,
  urlHost,
  type LinkRequestBody,
} from './endpoints';
import { MAX_FRAME_BYTES } from './frames';
import { authenticatedPeer, type AuthenticatedPeer } from './tls-options';

/** Connecting, the TLS handshake, the upgrade or the link request each must finish within this, in ms. */
export const DIAL_TIMEOUT_MS = 10_000;

export interface DialTarget {
  deviceId: string;
  address: string;
  port: number;
}

export interface DialOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** The server at the address is not the device we expected (or presented no usable key). */
export class PeerKeyMismatchError extends Error {
  constructor(
    readonly expected: string,
    /** The device ID the server's certificate hashes to; undefined when it is not acceptable. */
    readonly presented: string | undefined,
  ) {
    super(
      presented === undefined
        ? 'The peer presented no acceptable certificate.'
        : 'The peer presented the key of another device.',
    );
    this.name = 'PeerKeyMismatchError';
  }
}

/**
 * Runs `body` with a deadline and an abort signal: `fail` settles the promise with an error and
 * runs `cleanup`; `done` settles it with a value. Whichever comes first wins.
 */
function guarded<T>(
  what: string,
  options: DialOptions,
  body: (done: (value: T) => void, fail: (err: unknown) => void) => () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    // `fail` may run inside `body`, before its cleanup function exists.
    const teardown: { cleanup?: () => void; failedEarly: boolean } = { failedEarly: false };
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const fail = (err: unknown): void => {
      if (!finish()) return;
      if (teardown.cleanup) teardown.cleanup();
      else teardown.failedEarly = true;
      reject(err);
    };
    const done = (value: T): void => {
      if (finish()) resolve(value);
    };
    const onAbort = (): void => fail(new Error(`${what}: aborted`));
    const timeoutMs = options.timeoutMs ?? DIAL_TIMEOUT_MS;
    const timer = setTimeout(() => fail(new Error(`${what}: timed out`)), timeoutMs);
    if (options.signal?.aborted) return fail(new Error(`${what}: aborted`));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    teardown.cleanup = body(done, fail);
    if (teardown.failedEarly) teardown.cleanup();
  });
}

/**
 * Opens a TLS 1.3 connection presenting our certificate and resolves once the server has
 * proved it holds the key of `target.deviceId`, with that key. Rejects with
 * PeerKeyMismatchError otherwise. The key is read at 'secureConnect' and handed over: a TLS
 * client socket no longer answers getPeerX509Certificate() by the time this promise has
 * resolved (seen on Node 20 with TLS 1.3).
 */
export function connectVerified(
  target: DialTarget,
  tls: ConnectionOptions,
  options: DialOptions = {},
): Promise<{ socket: TLSSocket; server: AuthenticatedPeer }> {
  return guarded<{ socket: TLSSocket; server: AuthenticatedPeer }>(
    'connect',
    options,
    (done, fail) => {
      const socket = tlsConnect({ ...tls, host: target.address, port: target.port });
      // Errors after the hand-over are handled by whoever owns the socket then (http, ws).
      socket.on('error', (err) => fail(err));
      socket.once('close', () => fail(new Error('connect: the connection closed')));
      socket.once('secureConnect', () => {
        const server = authenticatedPeer(socket);
        if (server?.deviceId !== target.deviceId)
          return fail(new PeerKeyMismatchError(target.deviceId, server?.deviceId));
        done({ socket, server });
      });
      return () => socket.destroy();
    },
  );
}

/**
 * Upgrades a verified connection to the link WebSocket. `onOpen` runs synchronously in the
 * 'open' event, so it can attach its listeners before the first frame is delivered; its result
 * is what the promise resolves with.
 */
export function upgradeToWebSocket<T>(
  socket: TLSSocket,
  target: DialTarget,
  onOpen: (ws: WebSocket) => T,
  options: DialOptions = {},
): Promise<T> {
  return guarded<T>('upgrade', options, (done, fail) => {
    const url = `wss://${urlHost(target.address)}:${target.port}${LINK_PATH}`;
    const ws = new WebSocket(url, {
      createConnection: () => socket as unknown as Socket,
      maxPayload: MAX_FRAME_BYTES,
      perMessageDeflate: false,
      followRedirects: false,
      handshakeTimeout: options.timeoutMs ?? DIAL_TIMEOUT_MS,
    });
    const onError = (err: Error): void => fail(err);
    const onClose = (): void => fail(new Error('upgrade: the connection closed'));
    ws.on('error', onError);
    ws.once('close', onClose);
    ws.once('open', () => {
      ws.off('error', onError);
      ws.off('close', onClose);
      done(onOpen(ws));
    });
    return () => {
      ws.terminate();
      socket.destroy();
    };
  });
}

/**
 * Sends one link request over a verified connection and resolves with the HTTP status; the
 * connection is closed afterwards either way.
 */
export function postLinkRequest(
  socket: TLSSocket,
  target: DialTarget,
  body: Omit<LinkRequestBody, 'v'>,
  options: DialOptions = {},
): Promise<number> {
  return guarded<number>('link request', options, (done, fail) => {
    const bytes = encodeLinkRequest(body);
    const req = httpsRequest({
      createConnection: () => socket,
      host: target.address,
      port: target.port,
      method: 'POST',
      path: LINK_REQUEST_PATH,
      headers: { 'content-type': CBOR_CONTENT_TYPE, 'content-length': bytes.length },
    });
    req.on('error', fail);
    req.on('response', (res) => {
      res.on('error', fail);
      res.on('end', () => {
        socket.destroy();
        done(res.statusCode ?? 0);
      });
      res.resume();
    });
    req.end(bytes);
    return () => {
      req.destroy();
      socket.destroy();
    };
  });
}
