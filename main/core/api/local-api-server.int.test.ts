import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { createNode, type ParleyNode } from '../node';
import { silentLogger } from '../log/logger';
import { tempDirs } from '../testing/temp-dir';
import { API_ENDPOINT_FILE, API_TOKEN_FILE, MAX_API_BODY_BYTES } from './local-api-server';

const dirs = tempDirs();
const nodes: ParleyNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
  dirs.cleanup();
});

async function startNode(): Promise<{ node: ParleyNode; base: string; auth: string; dir: string }> {
  const dir = dirs.make();
  const node = createNode({ dataDir: dir, logger: silentLogger, name: 'Api' });
  nodes.push(node);
  await node.start();
  const api = node.localApi!;
  return { node, dir, base: `http://127.0.0.1:${api.port}/api/v1/`, auth: `Bearer ${api.token}` };
}

/** A raw request, so that the Host header can be anything. */
function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'POST', headers: options.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('local REST API', () => {
  it('answers commands with the token, and says where it listens', async () => {
    const { base, auth, dir, node } = await startNode();
    const res = await fetch(base + 'identity.get', {
      method: 'POST',
      headers: { Authorization: auth },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, value: { name: 'Api' } });
    expect(JSON.parse(readFileSync(join(dir, API_ENDPOINT_FILE), 'utf8')).port).toBe(
      node.localApi!.port,
    );
    expect(statSync(join(dir, API_TOKEN_FILE)).mode & 0o777).toBe(0o600);
    const list = await fetch(base + 'commands', { headers: { Authorization: auth } });
    expect(((await list.json()) as { value: string[] }).value).toContain('identity.setName');
  });

  it('refuses requests without the right token', async () => {
    const { base } = await startNode();
    const attempts: Record<string, string>[] = [
      {},
      { Authorization: 'Bearer nope' },
      { Authorization: 'Basic x' },
    ];
    for (const headers of attempts) {
      const res = await fetch(base + 'identity.get', { method: 'POST', headers });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { ok: boolean }).ok).toBe(false);
    }
  });

  it('refuses a Host header that is not the loopback address (DNS rebinding)', async () => {
    const { base, auth } = await startNode();
    const res = await raw(base + 'identity.get', {
      headers: { Authorization: auth, Host: 'evil.example:80' },
    });
    expect(res.status).toBe(421);
  });

  it('validates bodies and names with coded errors', async () => {
    const { base, auth } = await startNode();
    const post = (name: string, body: string, type = 'application/json') =>
      fetch(base + name, {
        method: 'POST',
        headers: { Authorization: auth, 'Content-Type': type },
        body,
      });
    expect((await post('identity.setName', '{"name":')).status).toBe(400);
    expect((await post('identity.setName', '{"name":""}')).status).toBe(400);
    expect(
      (await post('identity.setName', 'name=x', 'application/x-www-form-urlencoded')).status,
    ).toBe(415);
    const unknown = await post('no.such', '{}');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
    expect(
      (await post('identity.setName', JSON.stringify({ name: 'x'.repeat(MAX_API_BODY_BYTES) })))
        .status,
    ).toBe(413);
    const get = await fetch(base + 'identity.get', { headers: { Authorization: auth } });
    expect(get.status).toBe(405);
    const ok = await post('identity.setName', '{"name":"Renamed"}');
    expect(await ok.json()).toMatchObject({ ok: true, value: { name: 'Renamed' } });
  });

  it('streams events to subscribers', async () => {
    const { base, auth } = await startNode();
    const controller = new AbortController();
    const stream = await fetch(base + 'events', {
      headers: { Authorization: auth },
      signal: controller.signal,
    });
    const reader = stream.body!.getReader();
    await reader.read(); // the opening comment
    await fetch(base + 'identity.setName', {
      method: 'POST',
      headers: { Authorization: auth, 'Content-Type': 'application/json' },
      body: '{"name":"Evented"}',
    });
    let text = '';
    while (!text.includes('Evented')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('event: identity.updated');
    controller.abort();
  });

  it('removes api.json on close', async () => {
    const { dir, node } = await startNode();
    await node.close();
    expect(existsSync(join(dir, API_ENDPOINT_FILE))).toBe(false);
  });
});
