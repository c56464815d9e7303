/**
 * The web GUI of `parley serve --ui`: the built renderer and a WebSocket bridge for the API
 * contract, on 127.0.0.1, so that a browser on this computer is the node's window.
 *
 * What must stay true:
 * - It listens on 127.0.0.1 only. Every request must name it by a loopback Host
 *   (`127.0.0.1:<port>` or `localhost:<port>`), so a web page cannot reach it through DNS
 *   rebinding.
 * - A new random 256-bit token is made at every start; without it nothing but the static
 *   renderer files (public code, no data) can be had. The token is handed to the user in the
 *   printed URL's fragment, which browsers never send to a server or in a Referer.
 * - A WebSocket is accepted only with the token (as a sub-protocol, see shared/web-bridge.ts),
 *   compared in constant time, and with an Origin equal to this server's own origin, so no
 *   other site can open one with the user's browser. Refusals happen at the HTTP upgrade:
 *   no socket exists before authentication.
 * - start() and close() are idempotent; close() closes every socket it accepted.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';
import { ParleyError } from '../../../shared/errors';
import {
  WEB_BRIDGE_MAX_FRAME_BYTES,
  WEB_BRIDGE_PATH,
  WEB_BRIDGE_PROTOCOL,
  WEB_BRIDGE_TOKEN_PREFIX,
  WEB_TOKEN_FRAGMENT_KEY,
} from '../../../shared/web-bridge';
import type { Logger } from '../log/logger';
import { isLoopbackHost, newSecret, sameSecret } from './loopback-guard';
import type { ApiRouter } from './router';
import {
  DEFAULT_RENDERER_DIR,
  findRendererBuild,
  sendText,
  serveStatic,
  webUiPolicy,
  type RendererBuild,
} from './web-ui-static';
import { serveClient, type ClientCounters } from './web-ui-socket';

/** The web GUI's port unless told otherwise: next to the peer (47778) and discovery ports. */
export const DEFAULT_WEB_UI_PORT = 47780;
/** Browser tabs one node serves at once; more are refused at the upgrade. */
export const MAX_WEB_UI_CLIENTS = 32;

export interface WebUiOptions {
  router: ApiRouter;
  /** TCP port on 127.0.0.1. Default DEFAULT_WEB_UI_PORT; 0 = any free port. */
  port?: number;
  /** Folder of the built renderer. Default: out/renderer of this checkout. */
  rendererDir?: string;
  /** Events are logged without a scope of their own: hand in a child such as 'web_ui'. */
  logger: Logger;
}

export interface WebUiStats extends ClientCounters {
  /** Open WebSocket clients. */
  clients: number;
  /** Upgrades refused (wrong token, Origin, Host or path). */
  refusedUpgrades: number;
}

export interface WebUiServer {
  /** Checks the renderer build and listens. Safe to call twice. */
  start(): Promise<void>;
  /** Closes every socket and the listener. Safe to call twice, and before start(). */
  close(): Promise<void>;
  /** The port listened on (after start). */
  readonly port: number;
  /** The access token of this run (after start). Whoever has it controls the node. */
  readonly token: string;
  /** The ready-to-open address, with the token in its fragment (after start). */
  readonly url: string;
  stats(): WebUiStats;
}

export function createWebUiServer(options: WebUiOptions): WebUiServer {
  const { router, logger: log } = options;
  const token = newSecret();
  const counters: ClientCounters = { badFrames: 0, slowClientsDropped: 0 };
  const clients = new Set<WebSocket>();
  let refusedUpgrades = 0;
  let port = 0;
  let policy = '';
  let build: RendererBuild | undefined;
  let server: Server | undefined;
  let starting: Promise<void> | undefined;
  let closing: Promise<void> | undefined;

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: WEB_BRIDGE_MAX_FRAME_BYTES,
    handleProtocols: (offered) => (offered.has(WEB_BRIDGE_PROTOCOL) ? WEB_BRIDGE_PROTOCOL : false),
  });

  const handleRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (!isLoopbackHost(req.headers.host, port)) {
      return sendText(res, 421, 'Wrong Host header: open the address Parley printed.', policy);
    }
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === WEB_BRIDGE_PATH) {
      return sendText(res, 426, 'This address is for WebSocket connections.', policy, {
        Upgrade: 'websocket',
      });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendText(res, 405, 'Only GET is served here.', policy, { Allow: 'GET, HEAD' });
    }
    serveStatic(req, res, path, build!, policy).catch((err: unknown) => {
      log.error('static_failed', { err });
      if (!res.headersSent) sendText(res, 500, 'Something went wrong inside Parley.', policy);
      else res.destroy();
    });
  };

  /** Why an upgrade is refused, as an HTTP status and reason, or undefined to accept it. */
  const refusal = (req: IncomingMessage): [number, string] | undefined => {
    const host = req.headers.host;
    if (!isLoopbackHost(host, port)) return [421, 'Misdirected Request'];
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== WEB_BRIDGE_PATH) {
      return [404, 'Not Found'];
    }
    if (req.headers.origin !== `http://${host}`) return [403, 'Forbidden'];
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const given = offered.find((p) => p.startsWith(WEB_BRIDGE_TOKEN_PREFIX));
    if (!offered.includes(WEB_BRIDGE_PROTOCOL) || given === undefined) {
      return [401, 'Unauthorized'];
    }
    if (!sameSecret(given.slice(WEB_BRIDGE_TOKEN_PREFIX.length), token)) {
      return [401, 'Unauthorized'];
    }
    if (clients.size >= MAX_WEB_UI_CLIENTS) return [503, 'Service Unavailable'];
    return undefined;
  };

  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', (err) => log.debug('upgrade_socket_error', { err }));
    const refused = closing ? ([503, 'Service Unavailable'] as [number, string]) : refusal(req);
    if (refused) {
      refusedUpgrades++;
      log.debug('upgrade_refused', { status: refused[0] });
      socket.once('finish', () => socket.destroy());
      socket.end(
        `HTTP/1.1 ${refused[0]} ${refused[1]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      serveClient(ws, router, counters, log);
    });
  };

  const listen = async (): Promise<void> => {
    build = findRendererBuild(options.rendererDir ?? DEFAULT_RENDERER_DIR);
    const wanted = options.port ?? DEFAULT_WEB_UI_PORT;
    const s = createServer(handleRequest);
    s.headersTimeout = 10_000;
    s.requestTimeout = 30_000;
    s.on('upgrade', handleUpgrade);
    try {
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(wanted, '127.0.0.1', () => {
          s.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
      throw new ParleyError(
        'INTERNAL',
        inUse
          ? `The web GUI port ${wanted} is already in use (another Parley node on this computer?). Choose another with --ui-port, or --ui-port 0 for any free port.`
          : `The web GUI could not start on 127.0.0.1:${wanted}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    server = s;
    port = (s.address() as { port: number }).port;
    policy = webUiPolicy(build.pagePolicy, port);
    log.info('listening', { port });
  };

  return {
    start() {
      if (closing) return Promise.reject(new ParleyError('NOT_RUNNING', 'The web GUI is closed.'));
      starting ??= listen();
      return starting;
    },
    close() {
      closing ??= (async () => {
        await starting?.catch(() => {});
        for (const ws of clients) ws.terminate();
        clients.clear();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        const s = server;
        if (!s) return;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        });
        log.info('closed', { port });
      })();
      return closing;
    },
    get port() {
      return port;
    },
    token,
    get url() {
      return `http://127.0.0.1:${port}/#${WEB_TOKEN_FRAGMENT_KEY}=${token}`;
    },
    stats: () => ({ ...counters, clients: clients.size, refusedUpgrades }),
  };
}
