import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNode, DATABASE_FILE, defaultMongoDatabase, type ParleyNode } from './node';
import { createLogger, silentLogger } from './log/logger';
import { tempDirs } from './testing/temp-dir';
import { activeResources, grownResources, unusedLoopbackPort } from './testing/wait';
import { LOCK_FILE } from './fs/data-dir';
import { API_ENDPOINT_FILE } from './api/local-api-server';
import { existsSync } from 'node:fs';

const dirs = tempDirs();
const nodes: ParleyNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
  dirs.cleanup();
});

function node(dataDir: string, name?: string): ParleyNode {
  const n = createNode({ dataDir, logger: silentLogger, ...(name ? { name } : {}) });
  nodes.push(n);
  return n;
}

describe('node lifecycle', () => {
  it('starts and closes idempotently, releasing the data folder', async () => {
    const dir = dirs.make();
    const n = node(dir);
    await Promise.all([n.start(), n.start()]);
    expect(n.state).toBe('running');
    await n.close();
    await n.close();
    expect(n.state).toBe('closed');
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('answers NOT_RUNNING before start and after close', async () => {
    const n = node(dirs.make());
    expect(await n.api.invoke('identity.get', {})).toMatchObject({
      ok: false,
      error: { code: 'NOT_RUNNING' },
    });
    await n.start();
    expect((await n.api.invoke('identity.get', {})).ok).toBe(true);
    await n.close();
    expect(await n.api.invoke('identity.get', {})).toMatchObject({ ok: false });
    await expect(n.start()).rejects.toMatchObject({ code: 'NOT_RUNNING' });
  });

  it('keeps its device ID and name across a restart', async () => {
    const dir = dirs.make();
    const a = node(dir, 'Alice');
    await a.start();
    const before = await a.api.invoke('identity.get', {});
    await a.close();
    const again = node(dir);
    await again.start();
    expect(await again.api.invoke('identity.get', {})).toEqual(before);
    expect(before).toMatchObject({ ok: true, value: { name: 'Alice' } });
  });

  it('refuses a second node on the same data folder while the first runs', async () => {
    const dir = dirs.make();
    await node(dir).start();
    const second = node(dir);
    await expect(second.start()).rejects.toMatchObject({
      code: 'DATA_DIR_LOCKED',
      message: expect.stringContaining(dir),
    });
  });

  it('changes the display name, tells subscribers and keeps it', async () => {
    const dir = dirs.make();
    const n = node(dir);
    await n.start();
    const seen: string[] = [];
    const off = n.api.on('identity.updated', (info) => seen.push(info.name));
    expect(await n.api.invoke('identity.setName', { name: '  Bob  ' })).toMatchObject({
      ok: true,
      value: { name: 'Bob' },
    });
    off();
    await n.api.invoke('identity.setName', { name: 'Carol' });
    expect(seen).toEqual(['Bob']);
    await n.close();
    const again = node(dir);
    await again.start();
    expect(await again.api.invoke('identity.get', {})).toMatchObject({ value: { name: 'Carol' } });
  });

  it('rejects bad arguments with a coded error and changes nothing', async () => {
    const n = node(dirs.make(), 'Dave');
    await n.start();
    for (const args of [
      { name: '' },
      { name: 'x'.repeat(65) },
      { name: 'a\nb' },
      { name: 3 },
      {},
    ]) {
      expect(await n.api.invoke('identity.setName', args as never)).toMatchObject({
        ok: false,
        error: { code: 'BAD_REQUEST' },
      });
    }
    expect(await n.api.invoke('nope' as never, {} as never)).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_COMMAND' },
    });
    expect(await n.api.invoke('identity.get', {})).toMatchObject({ value: { name: 'Dave' } });
  });

  it('stops with a clear error on a damaged database, and frees the folder', async () => {
    const dir = dirs.make();
    writeFileSync(join(dir, DATABASE_FILE), Buffer.alloc(8192, 7));
    const n = node(dir);
    await expect(n.start()).rejects.toMatchObject({
      code: 'STORE_CORRUPT',
      message: expect.stringContaining(join(dir, DATABASE_FILE)),
    });
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('reports its status', async () => {
    const dir = dirs.make();
    const n = node(dir);
    await n.start();
    expect(await n.api.invoke('node.status', {})).toMatchObject({
      ok: true,
      value: { storage: 'sqlite', keyProtection: 'none', dataDir: dir },
    });
  });
});

describe('peer port', () => {
  it('explains a taken port, or falls back to a free one when allowed', async () => {
    const first = createNode({
      dataDir: dirs.make(),
      logger: silentLogger,
      localApi: false,
      peer: { host: '127.0.0.1' },
    });
    nodes.push(first);
    await first.start();
    const taken = first.peerPort;
    const strict = createNode({
      dataDir: dirs.make(),
      logger: silentLogger,
      localApi: false,
      peer: { host: '127.0.0.1', port: taken },
    });
    nodes.push(strict);
    await expect(strict.start()).rejects.toMatchObject({
      message: expect.stringContaining(`port ${taken} is already in use`),
    });
    const lenient = createNode({
      dataDir: dirs.make(),
      logger: silentLogger,
      localApi: false,
      peer: { host: '127.0.0.1', port: taken, fallbackToAnyPort: true },
    });
    nodes.push(lenient);
    await lenient.start();
    expect(lenient.peerPort).not.toBe(taken);
    expect(lenient.peerPort).toBeGreaterThan(0);
  });
});

describe('store choice', () => {
  it('names a MongoDB database after the device ID: valid, distinct and stable', () => {
    const a = 'MFZWI3D-BONSGYC-YLTMRWG-C43ENR5-QXGZDMM-FZWI3DP-BONSGYY-LTMRWAD';
    const b = 'MFZWI3D-CONSGYC-YLTMRWG-C43ENR5-QXGZDMM-FZWI3DP-BONSGYY-LTMRWAD';
    expect(defaultMongoDatabase(a)).toBe('parley_mfzwi3d_bonsgyc');
    expect(defaultMongoDatabase(b)).not.toBe(defaultMongoDatabase(a));
    // MongoDB: under 64 bytes, none of / \\ . " $ * < > : | ? and no upper/lower-case twins.
    expect(defaultMongoDatabase(a)).toMatch(/^[a-z0-9_]{1,63}$/);
  });

  it('fails to start promptly on a MongoDB server that does not answer, leaving nothing behind', async () => {
    const dir = dirs.make();
    const port = await unusedLoopbackPort();
    const lines: string[] = [];
    const n = createNode({
      dataDir: dir,
      logger: createLogger({ level: 'debug', write: (line) => lines.push(line) }),
      peer: { host: '127.0.0.1' },
      store: {
        kind: 'mongodb',
        uri: `mongodb://parley:s3cret-pass@127.0.0.1:${port}/?directConnection=true`,
        startupTimeoutMs: 300,
      },
    });
    nodes.push(n);
    const before = activeResources();
    await expect(n.start()).rejects.toMatchObject({
      code: 'STORE_FAILED',
      message: expect.stringMatching(
        new RegExp(`^No MongoDB server at 127\\.0\\.0\\.1:${port} answered within 0\\.3 s`),
      ),
    });
    expect(n.state).toBe('closed');
    expect(grownResources(before)).toEqual([]);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    expect(existsSync(join(dir, API_ENDPOINT_FILE))).toBe(false);
    // Nor did SQLite step in: the database stays where the user pointed.
    expect(existsSync(join(dir, DATABASE_FILE))).toBe(false);
    expect(lines.join('\n')).toContain('store_open_failed');
    expect(lines.join('\n')).not.toContain('s3cret-pass');

    // The identity made on the way stays, and the folder can be used again.
    const again = node(dir);
    await again.start();
    expect(await again.api.invoke('node.status', {})).toMatchObject({
      value: { storage: 'sqlite' },
    });
  });
});
