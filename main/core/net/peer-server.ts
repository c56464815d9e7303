/**
 * The node's one HTTPS server for peers (mutual TLS 1.3): the link WebSocket upgrade at
 * /api/v1/link, link requests at /api/v1/link-request, 404 for everything else. Policy (who may
 * link, what a link request does) belongs to the caller's hooks; this module authenticates,
 * routes, bounds and refuses.
 *
 * What must stay true:
 * - A connection whose client presents no acceptable certificate, or our own, is destroyed as
 *   soon as its TLS handshake ends: it never reaches the HTTP parser. Each request and upgrade
 *   checks the certificate again before anything else.
 * - Every hook gets the device ID proved by TLS, never one taken from a header or a body.
 * - Handshakes, headers and bodies are bounded in time and size, and close() destroys every
 *   socket the server ever accepted, so nothing outlives it.
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket, TlsOptions } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../log/logger';
import {
  LINK_PATH,
  LINK_REQUEST_PATH,
  MAX_LINK_REQUEST_BYTES,
  decodeLinkRequest,
  normalizeAddress,
  type LinkRequestBody,
} from './endpoints';
import { MAX_FRAME_BYTES } from './frames';
import { authenticatedPeer, peerDeviceId, type AuthenticatedPeer } from './tls-options';

/** Request headers must arrive within this time, in milliseconds. */
export const HTTP_HEADERS_TIMEOUT_MS = 10_000;
/** A whole request (headers and body) must arrive within this time, in milliseconds. */
export const HTTP_REQUEST_TIMEOUT_MS = 15_000;
/** Most simultaneous connections to the peer server. */
export const MAX_SERVER_CONNECTIONS = 512;
/** Most request headers read. */
const MAX_HEADERS_COUNT = 32;

export interface Refusal {
  /** The HTTP status answered. */
  status: number;
  reason: string;
}

export interface PeerServerHooks {
  /** Decides on a link upgrade from `deviceId` (already authenticated, not our own). */
  admitLink(deviceId: string): Refusal | undefined;
  /**
   * Receives an accepted upgrade, with the device ID and key its TLS handshake authenticated;
   * must attach its listeners synchronously.
   */
  onLink(ws: WebSocket, socket: Duplex, peer: AuthenticatedPeer, address: string): void;
  /** Handles a link request from `deviceId`; answered 202 unless refused. */
  onLinkRequest(deviceId: string, address: string, body: LinkRequestBody): Refusal | undefined;
  /** Counts a refused connection, request or upgrade. */
  onRefused(reason: string): void;
}

export interface PeerServerOptions {
  tls: TlsOptions;
  ownDeviceId: string;
  hooks: PeerServerHooks;
  logger: Logger;
}

export interface PeerServer {
  /** Starts listening; resolves with the bound port. */
  listen(host: string, port: number): Promise<number>;
  /** Stops listening and destroys every connection. Idempotent. */
  close(): Promise<void>;
}

export function createPeerServer(options: PeerServerOptions): PeerServer {
  const { hooks, ownDeviceId } = options;
  const log = options.logger;
  const server: Server = createServer(options.tls);
  server.headersTimeout = HTTP_HEADERS_TIMEOUT_MS;
  server.requestTimeout = HTTP_REQUEST_TIMEOUT_MS;
  server.maxHeadersCount = MAX_HEADERS_COUNT;
  server.maxConnections = MAX_SERVER_CONNECTIONS;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
  });
  const sockets = new Set<Duplex>();
  let closing: Promise<void> | undefined;

  const track = (socket: Duplex): void => {
    if (closing) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  const refused = (reason: string, fields: Record<string, unknown> = {}): void => {
    log.debug('peer_refused', { reason, ...fields });
    hooks.onRefused(reason);
  };

  server.on('connection', (raw: Socket) => track(raw));
  // Prepended: runs before node:http attaches its parser to the connection.
  server.prependListener('secureConnection', (socket: TLSSocket) => {
    track(socket);
    const id = peerDeviceId(socket);
    if (id === undefined || id === ownDeviceId) {
      refused(id === undefined ? 'no-certificate' : 'own-device-id', {
        address: normalizeAddress(socket.remoteAddress),
      });
      socket.destroy();
    }
  });
  server.on('tlsClientError', (err, socket) => {
    refused('tls-error', { error: err.message });
    socket.destroy();
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const tlsSocket = req.socket as TLSSocket;
    const peer = authenticatedPeer(tlsSocket);
    if (peer === undefined || peer.deviceId === ownDeviceId) {
      refused('no-certificate');
      return refuseUpgrade(socket, 401, 'A client certificate is required.');
    }
    if (pathOf(req) !== LINK_PATH) {
      refused('not-found');
      return refuseUpgrade(socket, 404, 'Not found.');
    }
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      refused('bad-upgrade');
      return refuseUpgrade(socket, 400, 'Only WebSocket upgrades are served.');
    }
    const refusal = hooks.admitLink(peer.deviceId);
    if (refusal !== undefined) {
      refused(refusal.reason, { peer: peer.deviceId });
      return refuseUpgrade(socket, refusal.status, refusal.reason);
    }
    const address = normalizeAddress(tlsSocket.remoteAddress);
    wss.handleUpgrade(req, socket, head, (ws) => hooks.onLink(ws, socket, peer, address));
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const tlsSocket = req.socket as TLSSocket;
    const id = peerDeviceId(tlsSocket);
    if (id === undefined || id === ownDeviceId) {
      refused('no-certificate');
      return reply(res, 401, 'A client certificate is required.');
    }
    const path = pathOf(req);
    if (path === LINK_PATH) return reply(res, 426, 'Upgrade to a WebSocket.');
    if (path !== LINK_REQUEST_PATH) return reply(res, 404, 'Not found.');
    if (req.method !== 'POST') return reply(res, 405, 'Use POST.', { allow: 'POST' });
    const declared = Number(req.headers['content-length'] ?? 0);
    if (!(declared <= MAX_LINK_REQUEST_BYTES)) {
      refused('link-request-too-large', { peer: id });
      return reply(res, 413, 'The link request is too large.');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_LINK_REQUEST_BYTES) {
        refused('link-request-too-large', { peer: id });
        reply(res, 413, 'The link request is too large.');
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (res.headersSent) return;
      const decoded = decodeLinkRequest(Buffer.concat(chunks));
      if (!decoded.ok) {
        refused('bad-link-request', { peer: id, why: decoded.reason });
        return reply(res, 400, 'Not a link request.');
      }
      const address = normalizeAddress(tlsSocket.remoteAddress);
      const refusal = hooks.onLinkRequest(id, address, decoded.body);
      if (refusal !== undefined) {
        refused(refusal.reason, { peer: id });
        return reply(res, refusal.status, refusal.reason);
      }
      reply(res, 202, 'Accepted.');
    });
  });

  return {
    listen(host, port) {
      return new Promise<number>((resolve, reject) => {
        const onError = (err: Error): void => reject(err);
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          server.on('error', (err) => log.error('peer_server_error', { error: err }));
          const address = server.address();
          resolve(typeof address === 'object' && address !== null ? address.port : port);
        });
      });
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        wss.close();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        sockets.clear();
      });
      return closing;
    },
  };
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function reply(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  const body = text + '\n';
  res.writeHead(status, {
    ...headers,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    // Peers send one request per connection; do not keep it open.
    connection: 'close',
  });
  res.end(body);
}

/** Answers an upgrade request with an HTTP error and closes the connection. */
function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = text + '\n';
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
