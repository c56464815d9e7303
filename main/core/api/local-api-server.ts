/**
 * The local REST API: the node's ApiRouter over HTTP on 127.0.0.1, for the CLI, scripts and
 * cURL. Derived from shared/api.ts: every command is `POST /api/v1/<command>` with its
 * arguments as a JSON body, answering the router's Result as JSON; `GET /api/v1/events` streams
 * every event as server-sent events.
 *
 * What must stay true:
 * - It listens on 127.0.0.1 only, and every request carries `Authorization: Bearer <token>`,
 *   the token in `<dataDir>/api-token` (mode 0600): other local users cannot drive the node.
 * - The Host header must name the loopback address, so a web page cannot reach the API through
 *   DNS rebinding; a body must be JSON, so a cross-site form cannot post to it.
 * - `<dataDir>/api.json` says where the API listens, so that the CLI can find a running node.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND_NAMES } from '../../../shared/api';
import type { ErrorCode } from '../../../shared/errors';
import { writeFileAtomic } from '../fs/atomic-file';
import type { Logger } from '../log/logger';
import { isLoopbackHost, newSecret, sameSecret } from './loopback-guard';
import type { ApiRouter } from './router';

export const API_TOKEN_FILE = 'api-token';
export const API_ENDPOINT_FILE = 'api.json';
export const API_PREFIX = '/api/v1/';
/** Largest request body accepted: commands are small. */
export const MAX_API_BODY_BYTES = 1024 * 1024;
/** A comment line on the event stream this often keeps proxies and clients from timing out. */
const EVENT_KEEPALIVE_MS = 15_000;

const STATUS_FOR_CODE: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  UNKNOWN_COMMAND: 404,
  NOT_RUNNING: 503,
};

export interface LocalApiServer {
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

export interface LocalApiOptions {
  router: ApiRouter;
  dataDir: string;
  /** Default 0: any free port (written to api.json). */
  port?: number;
  logger: Logger;
}

/** Reads the API token, creating it on first use. */
export function loadOrCreateApiToken(dataDir: string): string {
  const path = join(dataDir, API_TOKEN_FILE);
  try {
    const token = readFileSync(path, 'utf8').trim();
    if (token.length >= 32) return token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = newSecret();
  writeFileAtomic(path, token + '\n', 0o600);
  return token;
}

export async function startLocalApi(options: LocalApiOptions): Promise<LocalApiServer> {
  const { router, dataDir, logger: log } = options;
  const token = loadOrCreateApiToken(dataDir);
  const streams = new Set<ServerResponse>();
  let port = 0;

  const authorized = (req: IncomingMessage): boolean =>
    sameSecret(req.headers.authorization ?? '', `Bearer ${token}`);
  const hostAllowed = (req: IncomingMessage): boolean => isLoopbackHost(req.headers.host, port);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hostAllowed(req))
      return sendJson(res, 421, errorBody('BAD_REQUEST', 'Wrong Host header.'));
    if (!authorized(req)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return sendJson(
        res,
        401,
        errorBody('BAD_REQUEST', `Missing or wrong token (see ${join(dataDir, API_TOKEN_FILE)}).`),
      );
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!url.pathname.startsWith(API_PREFIX))
      return sendJson(res, 404, errorBody('UNKNOWN_COMMAND', 'Not found.'));
    const name = decodeURIComponent(url.pathname.slice(API_PREFIX.length));
    if (req.method === 'GET' && name === 'commands')
      return sendJson(res, 200, { ok: true, value: COMMAND_NAMES });
    if (req.method === 'GET' && name === 'events') return openEventStream(res);
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return sendJson(res, 405, errorBody('BAD_REQUEST', 'Commands are sent with POST.'));
    }
    const body = await readBody(req);
    if (body === 'too-large')
      return sendJson(res, 413, errorBody('BAD_REQUEST', 'The request body is too large.'));
    let args: unknown = {};
    if (body.length > 0) {
      if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
        return sendJson(
          res,
          415,
          errorBody('BAD_REQUEST', 'Send the arguments as JSON (Content-Type: application/json).'),
        );
      }
      try {
        args = JSON.parse(body.toString('utf8'));
      } catch {
        return sendJson(res, 400, errorBody('BAD_REQUEST', 'The body is not valid JSON.'));
      }
    }
    const result = await router.invoke(name, args);
    sendJson(res, result.ok ? 200 : (STATUS_FOR_CODE[result.error.code] ?? 500), result);
  };

  const openEventStream = (res: ServerResponse): void => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
    res.write(': parley events\n\n');
    const off = router.onAny((event, payload) => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`);
    });
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), EVENT_KEEPALIVE_MS);
    streams.add(res);
    res.on('close', () => {
      off();
      clearInterval(keepAlive);
      streams.delete(res);
    });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error('local_api_failed', { err });
      if (!res.headersSent)
        sendJson(res, 500, errorBody('INTERNAL', 'Something went wrong inside Parley.'));
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as { port: number }).port;
  const endpointPath = join(dataDir, API_ENDPOINT_FILE);
  writeFileAtomic(endpointPath, JSON.stringify({ port, pid: process.pid }) + '\n', 0o600);
  log.info('local_api_listening', { port });

  let closing: Promise<void> | undefined;
  return {
    port,
    token,
    close() {
      closing ??= new Promise<void>((resolve) => {
        rmSync(endpointPath, { force: true });
        for (const res of streams) res.end();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function errorBody(code: ErrorCode, message: string) {
  return { ok: false, error: { code, message } };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_API_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
