/**
 * One browser client of the web GUI, after its WebSocket was accepted (the token, Host and
 * Origin were checked at the upgrade): reads `{id, name, args}` frames, answers each with the
 * router's Result, and pushes every router event (shared/web-bridge.ts).
 *
 * What must stay true:
 * - Nothing a client sends can crash the node: a frame that is binary, not JSON or not a request
 *   is answered with BAD_REQUEST (`id: null` when it had no readable id) and counted; a client
 *   that keeps sending such frames is closed.
 * - A client that does not read cannot make the node buffer without end: when its send buffer
 *   passes MAX_CLIENT_BUFFER_BYTES it is dropped (its page reconnects and reloads state).
 * - Closing the socket unsubscribes it from the router.
 */
import WebSocket from 'ws';
import { fail, type Result } from '../../../shared/errors';
import { WebRequestFrame } from '../../../shared/web-bridge';
import type { Logger } from '../log/logger';
import type { ApiRouter } from './router';

/** Bytes a client may leave unread before it is dropped (a busy room's events fit easily). */
export const MAX_CLIENT_BUFFER_BYTES = 8 * 1024 * 1024;
/** Unreadable frames one client may send before it is closed. */
export const MAX_BAD_FRAMES = 16;
/** WebSocket close code for a client closed by policy (RFC 6455: policy violation). */
const CLOSE_POLICY = 1008;

export interface ClientCounters {
  /** Frames answered with BAD_REQUEST because they could not be read. */
  badFrames: number;
  /** Clients dropped because they did not read what was sent to them. */
  slowClientsDropped: number;
}

export function serveClient(
  ws: WebSocket,
  router: ApiRouter,
  counters: ClientCounters,
  log: Logger,
): void {
  let badFrames = 0;

  const send = (frame: unknown): void => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > MAX_CLIENT_BUFFER_BYTES) {
      counters.slowClientsDropped++;
      log.warn('slow_client_dropped', { buffered: ws.bufferedAmount });
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(frame));
  };

  const refuse = (id: number | null, message: string): void => {
    counters.badFrames++;
    badFrames++;
    send({ id, result: fail('BAD_REQUEST', message) });
    if (badFrames >= MAX_BAD_FRAMES) ws.close(CLOSE_POLICY, 'Too many unreadable frames.');
  };

  const off = router.onAny((event, payload) => send({ event, payload }));
  ws.on('close', off);
  // Errors (an oversized frame, a broken connection) close the socket; 'close' cleans up.
  ws.on('error', (err) => log.debug('socket_error', { err }));

  ws.on('message', (data, isBinary) => {
    if (isBinary) return refuse(null, 'Frames are JSON text.');
    let json: unknown;
    try {
      json = JSON.parse(data.toString());
    } catch {
      return refuse(null, 'The frame is not valid JSON.');
    }
    const frame = WebRequestFrame.safeParse(json);
    if (!frame.success) {
      const id = (json as { id?: unknown } | null)?.id;
      return refuse(
        Number.isSafeInteger(id) && (id as number) >= 0 ? (id as number) : null,
        'A request is {"id": number, "name": command, "args": object}.',
      );
    }
    const { id, name, args } = frame.data;
    void router.invoke(name, args).then((result: Result<unknown>) => send({ id, result }));
  });
}
