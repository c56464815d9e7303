import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IdentityInfo } from '../../../shared/api';
import { createWebApi, type SocketLike, type WebApi } from './web-api';

const ALICE: IdentityInfo = {
  deviceId: 'ABCD2-EFGH3-IJKL4-MNOP5',
  shortId: 'ABCD2',
  fingerprint: '1234 5678 9abc',
  name: 'Alice',
};

/** A browser WebSocket stand-in that the test opens, answers and drops by hand. */
class FakeSocket implements SocketLike {
  readyState = 0;
  readonly sent: unknown[] = [];
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;

  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {}

  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(String(data)));
  }
  close(): void {
    this.drop();
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.call(this as unknown as WebSocket, new Event('open'));
  }
  drop(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.call(this as unknown as WebSocket, new Event('close') as CloseEvent);
  }
  push(frame: unknown): void {
    const data = typeof frame === 'string' ? frame : JSON.stringify(frame);
    this.onmessage?.call(this as unknown as WebSocket, new MessageEvent('message', { data }));
  }
  /** Answers the last request sent with `value`. */
  answerLast(value: unknown): void {
    const last = this.sent.at(-1) as { id: number };
    this.push({ id: last.id, result: { ok: true, value } });
  }
}

let sockets: FakeSocket[] = [];
let api: WebApi | undefined;

function start(): WebApi {
  api = createWebApi({
    url: 'ws://127.0.0.1:47780/api/v1/ws',
    token: 'T'.repeat(43),
    createSocket: (url, protocols) => {
      const socket = new FakeSocket(url, protocols);
      sockets.push(socket);
      return socket;
    },
  });
  return api;
}

const latest = (): FakeSocket => sockets.at(-1)!;

beforeEach(() => {
  vi.useFakeTimers();
  sockets = [];
});
afterEach(() => {
  api?.close();
  api = undefined;
  expect(vi.getTimerCount()).toBe(0);
  vi.useRealTimers();
});

describe('web bridge client', () => {
  it('connects with the token as a sub-protocol and sends calls made before it opened', async () => {
    const client = start();
    expect(latest().url).toBe('ws://127.0.0.1:47780/api/v1/ws');
    expect(latest().protocols).toEqual(['parley.v1', `parley.token.${'T'.repeat(43)}`]);
    const answer = client.invoke('identity.get', {});
    latest().open();
    expect(latest().sent).toEqual([{ id: 1, name: 'identity.get', args: {} }]);
    latest().answerLast(ALICE);
    expect(await answer).toEqual({ ok: true, value: ALICE });
  });

  it('matches answers to their calls, in whatever order they come', async () => {
    const client = start();
    latest().open();
    const first = client.invoke('identity.get', {});
    const second = client.invoke('identity.setName', { name: 'Bob' });
    latest().push({ id: 2, result: { ok: true, value: { ...ALICE, name: 'Bob' } } });
    latest().push({ id: 1, result: { ok: false, error: { code: 'INTERNAL', message: 'no' } } });
    expect(await second).toEqual({ ok: true, value: { ...ALICE, name: 'Bob' } });
    expect(await first).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'no' } });
  });

  it('delivers events to subscribers until they unsubscribe, dropping what breaks the contract', () => {
    const client = start();
    latest().open();
    const names: string[] = [];
    const off = client.on('identity.updated', (info) => names.push(info.name));
    latest().push({ event: 'identity.updated', payload: ALICE });
    latest().push({ event: 'identity.updated', payload: { name: 42 } });
    latest().push({ event: 'no.such', payload: ALICE });
    latest().push('not json');
    latest().push({ something: 'else' });
    off();
    latest().push({ event: 'identity.updated', payload: { ...ALICE, name: 'Later' } });
    expect(names).toEqual(['Alice']);
  });

  it('answers an answer that breaks the contract with INTERNAL, and an unknown command at once', async () => {
    const client = start();
    latest().open();
    const bad = client.invoke('identity.get', {});
    latest().answerLast({ deviceId: 7 });
    expect(await bad).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    const unknown = await client.invoke('no.such' as 'identity.get', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
    expect(latest().sent).toHaveLength(1);
  });

  it('answers NOT_RUNNING when the connection drops, reconnects, and keeps its subscribers', async () => {
    const client = start();
    latest().open();
    const names: string[] = [];
    client.on('identity.updated', (info) => names.push(info.name));
    const lost = client.invoke('identity.get', {});
    latest().drop();
    expect(await lost).toEqual({
      ok: false,
      error: { code: 'NOT_RUNNING', message: 'The Parley node is not answering.' },
    });
    expect(await client.invoke('identity.get', {})).toMatchObject({
      ok: false,
      error: { code: 'NOT_RUNNING' },
    });

    await vi.advanceTimersByTimeAsync(10_000);
    expect(sockets).toHaveLength(2);
    latest().open();
    latest().push({ event: 'identity.updated', payload: ALICE });
    expect(names).toEqual(['Alice']);
    const again = client.invoke('identity.get', {});
    latest().answerLast(ALICE);
    expect(await again).toEqual({ ok: true, value: ALICE });
  });

  it('waits longer after each failed attempt, and starts over once connected', async () => {
    start();
    const attemptsAfter = async (ms: number): Promise<number> => {
      const before = sockets.length;
      await vi.advanceTimersByTimeAsync(ms);
      return sockets.length - before;
    };
    latest().drop(); // never opened: the node is not there
    expect(await attemptsAfter(400)).toBe(1); // ~250 ms
    latest().drop();
    expect(await attemptsAfter(300)).toBe(0); // ~500 ms now
    expect(await attemptsAfter(500)).toBe(1);
    latest().drop();
    expect(await attemptsAfter(2_000)).toBe(1); // ~1 s
    latest().open();
    latest().drop();
    expect(await attemptsAfter(400)).toBe(1); // back to ~250 ms
    for (let i = 0; i < 10; i++) {
      latest().drop();
      await vi.advanceTimersByTimeAsync(10_000);
    }
    latest().drop();
    expect(await attemptsAfter(10_000)).toBe(1); // never more than 10 s apart
  });

  it('fails calls that were waiting for a connection that never opened', async () => {
    const client = start();
    const waiting = client.invoke('identity.get', {});
    latest().drop();
    expect(await waiting).toMatchObject({ ok: false, error: { code: 'NOT_RUNNING' } });
  });

  it('stops for good on close()', async () => {
    const client = start();
    latest().open();
    const pending = client.invoke('identity.get', {});
    client.close();
    expect(await pending).toMatchObject({ ok: false, error: { code: 'NOT_RUNNING' } });
    expect(latest().readyState).toBe(3);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
    expect(await client.invoke('identity.get', {})).toMatchObject({
      ok: false,
      error: { code: 'NOT_RUNNING' },
    });
  });
});
