import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type WebSocket from 'ws';
import type { IdentityInfo } from '../../../shared/api';
import { silentLogger } from '../log/logger';
import type { ParleyNode } from '../node';
import { tempDirs } from '../testing/temp-dir';
import { testNodes } from '../testing/test-nodes';
import { activeResources, grownResources, waitFor } from '../testing/wait';
import { createWebUiServer, type WebUiServer } from './web-ui-server';
import { copyOfRendererBuild, frameLog, openBridge, upgradeOutcome } from './web-ui-server.testing';

const dirs = tempDirs();
const nodes = testNodes(dirs);
const servers: WebUiServer[] = [];
const sockets: WebSocket[] = [];

let renderer = '';
beforeAll(() => {
  renderer = copyOfRendererBuild(dirs.make());
}, 120_000);
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await nodes.closeAll();
});
afterAll(() => dirs.cleanup());

async function startUi(
  rendererDir?: string,
): Promise<{ node: ParleyNode; ui: WebUiServer; origin: string }> {
  const node = nodes.isolatedNode('Webby');
  await node.start();
  const ui = createWebUiServer({
    router: node.api,
    port: 0,
    logger: silentLogger,
    rendererDir: rendererDir ?? renderer,
  });
  servers.push(ui);
  await ui.start();
  return { node, ui, origin: `http://127.0.0.1:${ui.port}` };
}

/** A raw GET, so that the path and Host reach the server exactly as written. */
function rawGet(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function bridge(ui: WebUiServer, options: Parameters<typeof openBridge>[1] = {}): WebSocket {
  const ws = openBridge(ui.port, {
    token: ui.token,
    origin: `http://127.0.0.1:${ui.port}`,
    ...options,
  });
  sockets.push(ws);
  return ws;
}

describe('web GUI server', () => {
  it('serves the built renderer with the desktop CSP plus its own WebSocket origin', async () => {
    const { ui } = await startUi();
    const page = await rawGet(ui.port, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${ui.port} ws://localhost:${ui.port}`);
    // The page's own <meta> says the same, so the two policies never disagree.
    expect(page.body).toContain(`content="${csp}"`);
    expect(page.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });
    const script = /src="\.(\/assets\/[^"]+\.js)"/.exec(page.body)![1]!;
    const js = await rawGet(ui.port, script);
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['content-security-policy']).toBe(csp);
    expect(ui.url).toBe(`http://127.0.0.1:${ui.port}/#token=${ui.token}`);
    expect(ui.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('serves nothing outside the renderer folder', async () => {
    const outside = dirs.make();
    writeFileSync(join(outside, 'secret.txt'), 'secret');
    const renderer = dirs.make();
    mkdirSync(join(renderer, 'assets'));
    writeFileSync(
      join(renderer, 'index.html'),
      `<meta http-equiv="Content-Security-Policy" content="default-src 'self'; connect-src 'self'" />`,
    );
    writeFileSync(join(renderer, '.env'), 'hidden');
    symlinkSync(join(outside, 'secret.txt'), join(renderer, 'assets', 'link.txt'));
    const { ui } = await startUi(renderer);
    const outsideName = outside.split('/').pop()!;
    for (const path of [
      `/../${outsideName}/secret.txt`,
      `/%2e%2e/${outsideName}/secret.txt`,
      `/assets/..%2f..%2f${outsideName}%2fsecret.txt`,
      '/assets/..\\..\\etc\\passwd',
      '/assets/link.txt',
      '/.env',
      '/assets',
      '/index.html%00.js',
      '/%E0%A4%A',
    ]) {
      const res = await rawGet(ui.port, path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.body).not.toContain('secret');
      expect(res.body).not.toContain('hidden');
    }
    expect((await rawGet(ui.port, '/index.html')).status).toBe(200);
  });

  it('refuses a Host header that is not the loopback address (DNS rebinding)', async () => {
    const { ui } = await startUi();
    expect((await rawGet(ui.port, '/', { Host: `evil.example:${ui.port}` })).status).toBe(421);
    expect(await upgradeOutcome(bridge(ui, { host: `evil.example:${ui.port}` }))).toBe(421);
    expect((await rawGet(ui.port, '/', { Host: `localhost:${ui.port}` })).status).toBe(200);
  });

  it('refuses a WebSocket without the right token or from another origin', async () => {
    const { ui, origin } = await startUi();
    expect(await upgradeOutcome(bridge(ui, { token: undefined }))).toBe(401);
    expect(await upgradeOutcome(bridge(ui, { token: 'x'.repeat(43) }))).toBe(401);
    expect(await upgradeOutcome(bridge(ui, { token: ui.token.slice(1) }))).toBe(401);
    expect(await upgradeOutcome(bridge(ui, { origin: 'http://evil.example' }))).toBe(403);
    expect(await upgradeOutcome(bridge(ui, { origin: undefined }))).toBe(403);
    expect(await upgradeOutcome(bridge(ui, { origin: `http://localhost:${ui.port}` }))).toBe(403);
    expect(await upgradeOutcome(bridge(ui, { path: '/elsewhere' }))).toBe(404);
    expect(ui.stats()).toMatchObject({ refusedUpgrades: 7, clients: 0 });
    // The page's own origin, by either loopback name, is let in.
    expect(await upgradeOutcome(bridge(ui, { origin }))).toBe('open');
    const viaLocalhost = bridge(ui, {
      host: `localhost:${ui.port}`,
      origin: `http://localhost:${ui.port}`,
    });
    expect(await upgradeOutcome(viaLocalhost)).toBe('open');
    expect(viaLocalhost.protocol).toBe('parley.v1');
  });

  it('answers commands and pushes events', async () => {
    const { ui } = await startUi();
    const ws = bridge(ui);
    const frames = frameLog(ws);
    expect(await upgradeOutcome(ws)).toBe('open');
    ws.send(JSON.stringify({ id: 1, name: 'identity.get', args: {} }));
    ws.send(JSON.stringify({ id: 2, name: 'identity.setName', args: { name: 'Renamed' } }));
    await waitFor(() => frames.length >= 3, 'two answers and an event');
    expect(frames).toContainEqual({
      id: 1,
      result: { ok: true, value: expect.objectContaining({ name: 'Webby' }) },
    });
    expect(frames).toContainEqual({
      id: 2,
      result: { ok: true, value: expect.objectContaining({ name: 'Renamed' }) },
    });
    expect(frames).toContainEqual({
      event: 'identity.updated',
      payload: expect.objectContaining({ name: 'Renamed' }),
    });
  });

  it('answers unreadable frames with BAD_REQUEST and carries on', async () => {
    const { ui, node } = await startUi();
    const ws = bridge(ui);
    const frames = frameLog(ws);
    expect(await upgradeOutcome(ws)).toBe('open');
    ws.send('not json');
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    ws.send(JSON.stringify({ id: 7, command: 'identity.get' }));
    ws.send(JSON.stringify(null));
    ws.send(JSON.stringify({ id: 8, name: 'no.such', args: {} }));
    ws.send(JSON.stringify({ id: 9, name: 'identity.setName', args: { name: '' } }));
    ws.send(JSON.stringify({ id: 10, name: 'identity.get' }));
    await waitFor(() => frames.length >= 7, 'seven answers');
    const codes = (frames as Array<{ id: number | null; result: { error?: { code: string } } }>)
      .map((f) => [f.id, f.result.error?.code ?? 'ok'])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(codes).toEqual([
      [10, 'ok'],
      [7, 'BAD_REQUEST'],
      [8, 'UNKNOWN_COMMAND'],
      [9, 'BAD_REQUEST'],
      [null, 'BAD_REQUEST'],
      [null, 'BAD_REQUEST'],
      [null, 'BAD_REQUEST'],
    ]);
    expect(ui.stats().badFrames).toBe(4);
    expect((await node.api.invoke('node.status', {})).ok).toBe(true);
  });

  it('closes a client that keeps sending unreadable frames, and one that sends too much', async () => {
    const { ui } = await startUi();
    const noisy = bridge(ui);
    expect(await upgradeOutcome(noisy)).toBe('open');
    const noisyClosed = new Promise<number>((resolve) => noisy.once('close', resolve));
    for (let i = 0; i < 20; i++) noisy.send('garbage');
    expect(await noisyClosed).toBe(1008);

    const big = bridge(ui);
    expect(await upgradeOutcome(big)).toBe('open');
    const bigClosed = new Promise<number>((resolve) => big.once('close', resolve));
    big.send(JSON.stringify({ id: 1, name: 'identity.get', args: { pad: 'x'.repeat(2 << 20) } }));
    expect(await bigClosed).toBe(1009);
    await waitFor(() => ui.stats().clients === 0, 'both clients gone');
  });

  it('drops a client that stops reading, and serves the others on', async () => {
    const { ui, node } = await startUi();
    const stalled = bridge(ui);
    expect(await upgradeOutcome(stalled)).toBe('open');
    const stalledClosed = new Promise<void>((resolve) => stalled.once('close', () => resolve()));
    // The page stops reading: its socket's receive buffer fills, then the server's send buffer.
    (stalled as unknown as { _socket: { pause(): void } })._socket.pause();
    const info = (await node.api.invoke('identity.get', {})) as { value: IdentityInfo };
    await waitFor(async () => {
      for (let i = 0; i < 2_000; i++) node.api.emit('identity.updated', info.value);
      await new Promise((resolve) => setImmediate(resolve));
      return ui.stats().slowClientsDropped === 1;
    }, 'the stalled client dropped');
    (stalled as unknown as { _socket: { resume(): void } })._socket.resume();
    await stalledClosed;

    const fresh = bridge(ui);
    const frames = frameLog(fresh);
    expect(await upgradeOutcome(fresh)).toBe('open');
    fresh.send(JSON.stringify({ id: 1, name: 'node.status' }));
    await waitFor(() => frames.length > 0, 'an answer');
    expect(frames[0]).toMatchObject({ id: 1, result: { ok: true } });
  });

  it('says clearly when the port is taken or the renderer is not built', async () => {
    const { ui, node } = await startUi();
    const second = createWebUiServer({
      router: node.api,
      port: ui.port,
      logger: silentLogger,
      rendererDir: renderer,
    });
    servers.push(second);
    await expect(second.start()).rejects.toThrow(/port \d+ is already in use.*--ui-port/);
    const unbuilt = createWebUiServer({
      router: node.api,
      port: 0,
      rendererDir: dirs.make(),
      logger: silentLogger,
    });
    servers.push(unbuilt);
    await expect(unbuilt.start()).rejects.toThrow(/not built.*npm run build/);
  });

  it('close() closes every socket and leaves nothing open', async () => {
    const node = nodes.isolatedNode('Closer');
    await node.start();
    const before = activeResources();
    const ui = createWebUiServer({
      router: node.api,
      port: 0,
      logger: silentLogger,
      rendererDir: renderer,
    });
    await Promise.all([ui.start(), ui.start()]);
    const ws = openBridge(ui.port, { token: ui.token, origin: `http://127.0.0.1:${ui.port}` });
    expect(await upgradeOutcome(ws)).toBe('open');
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    await Promise.all([ui.close(), ui.close()]);
    await closed;
    await expect(rawGet(ui.port, '/')).rejects.toThrow(/ECONNREFUSED/);
    await waitFor(() => grownResources(before).length === 0 || undefined, 'no handle left');
    await expect(ui.start()).rejects.toThrow(/closed/);
  });
});
