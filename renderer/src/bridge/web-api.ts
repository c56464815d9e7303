/**
 * The browser client of `parley serve --ui`: the same ParleyApi the Electron preload exposes,
 * over the web bridge's WebSocket (shared/web-bridge.ts), so the renderer cannot tell its hosts
 * apart.
 *
 * What must stay true:
 * - `invoke` always resolves with a Result. While the first connection is being made, calls
 *   wait for it; when there is no connection, or it drops before the answer, they answer
 *   NOT_RUNNING at once rather than hang.
 * - A dropped connection is retried with growing, jittered delays until `close()`; subscribers
 *   stay subscribed and receive the events of the new connection.
 * - What the node sends is checked against the contract before anyone sees it: frames of the
 *   wrong shape, unknown events and payloads that break their schema are dropped, and an answer
 *   that breaks its command's schema becomes INTERNAL.
 */
import {
  commands,
  events,
  isCommandName,
  isEventName,
  type CommandName,
  type ParleyApi,
} from '../../../shared/api';
import { fail, type Result } from '../../../shared/errors';
import { eventListeners } from '../../../shared/event-listeners';
import {
  WEB_BRIDGE_PROTOCOL,
  WEB_BRIDGE_TOKEN_PREFIX,
  WebServerFrame,
} from '../../../shared/web-bridge';

/** The part of the browser's WebSocket this client uses. */
export type SocketLike = Pick<
  WebSocket,
  'readyState' | 'send' | 'close' | 'onopen' | 'onmessage' | 'onclose' | 'onerror'
>;

export type SocketFactory = (url: string, protocols: string[]) => SocketLike;

export interface WebApiOptions {
  /** ws://host:port/api/v1/ws */
  url: string;
  token: string;
  /** Default: the browser's WebSocket. */
  createSocket?: SocketFactory;
  /** Delay before the first reconnect; it doubles per failure. Default 250 ms. */
  firstRetryMs?: number;
  /** Longest delay between reconnects. Default 10 s. */
  maxRetryMs?: number;
}

export interface WebApi extends ParleyApi {
  /** Closes the connection and stops reconnecting; later calls answer NOT_RUNNING. */
  close(): void;
}

const NOT_ANSWERING = 'The Parley node is not answering.';
const OPEN = 1;

interface Pending {
  name: CommandName;
  frame: string;
  resolve: (result: Result<unknown>) => void;
}

export function createWebApi(options: WebApiOptions): WebApi {
  const createSocket: SocketFactory =
    options.createSocket ?? ((url, protocols) => new WebSocket(url, protocols));
  const firstRetryMs = options.firstRetryMs ?? 250;
  const maxRetryMs = options.maxRetryMs ?? 10_000;
  const protocols = [WEB_BRIDGE_PROTOCOL, WEB_BRIDGE_TOKEN_PREFIX + options.token];
  const listeners = eventListeners();
  /** Sent, waiting for the answer. */
  const inFlight = new Map<number, Pending>();
  /** Waiting for the socket being opened. */
  const waiting = new Map<number, Pending>();
  let nextId = 1;
  let socket: SocketLike | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let retryMs = firstRetryMs;
  let closed = false;

  const failAll = (calls: Map<number, Pending>): void => {
    for (const call of calls.values()) call.resolve(fail('NOT_RUNNING', NOT_ANSWERING));
    calls.clear();
  };

  const send = (s: SocketLike, id: number, call: Pending): void => {
    try {
      s.send(call.frame);
      inFlight.set(id, call);
    } catch {
      call.resolve(fail('NOT_RUNNING', NOT_ANSWERING));
    }
  };

  const answer = (id: number | null, result: Result<unknown>): void => {
    if (id === null) {
      console.error('parley: the node could not read a request', result);
      return;
    }
    const call = inFlight.get(id);
    if (!call) return;
    inFlight.delete(id);
    if (!result.ok) return call.resolve(result);
    const checked = commands[call.name].result.safeParse(result.value);
    call.resolve(
      checked.success
        ? { ok: true, value: checked.data }
        : fail('INTERNAL', 'The node answered in a form this page does not understand.'),
    );
  };

  const deliver = (event: string, payload: unknown): void => {
    if (!isEventName(event)) return;
    const checked = events[event].safeParse(payload);
    if (checked.success) listeners.deliver(event, checked.data);
  };

  const receive = (data: unknown): void => {
    if (typeof data !== 'string') return;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return;
    }
    const frame = WebServerFrame.safeParse(json);
    if (!frame.success) return;
    if ('result' in frame.data) answer(frame.data.id, frame.data.result as Result<unknown>);
    else deliver(frame.data.event, frame.data.payload);
  };

  const scheduleReconnect = (): void => {
    // Jitter keeps several tabs from reconnecting in step after the node restarts.
    const delay = Math.min(retryMs * (0.75 + Math.random() * 0.5), maxRetryMs);
    retryMs = Math.min(retryMs * 2, maxRetryMs);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect();
    }, delay);
  };

  const connect = (): void => {
    let s: SocketLike;
    try {
      s = createSocket(options.url, protocols);
    } catch {
      return scheduleReconnect();
    }
    socket = s;
    s.onopen = () => {
      retryMs = firstRetryMs;
      for (const [id, call] of waiting) send(s, id, call);
      waiting.clear();
    };
    s.onmessage = (event) => receive(event.data);
    s.onerror = () => {}; // 'close' follows and does the work
    s.onclose = () => {
      if (socket !== s) return;
      socket = undefined;
      failAll(inFlight);
      failAll(waiting);
      if (!closed) scheduleReconnect();
    };
  };

  connect();

  return {
    invoke(name, args) {
      if (!isCommandName(name)) {
        return Promise.resolve(fail('UNKNOWN_COMMAND', `Unknown command: ${String(name)}`));
      }
      if (closed || !socket) return Promise.resolve(fail('NOT_RUNNING', NOT_ANSWERING));
      const id = nextId++;
      const s = socket;
      return new Promise((resolve) => {
        const call: Pending = {
          name,
          frame: JSON.stringify({ id, name, args }),
          resolve: resolve as Pending['resolve'],
        };
        if (s.readyState === OPEN) send(s, id, call);
        else waiting.set(id, call);
      });
    },

    on: listeners.on,

    close() {
      if (closed) return;
      closed = true;
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      retryTimer = undefined;
      const s = socket;
      socket = undefined;
      failAll(inFlight);
      failAll(waiting);
      s?.close(1000, 'The page closed.');
    },
  };
}
