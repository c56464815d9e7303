import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDirs } from '../core/testing/temp-dir';
import { killAllCliChildren, runCli, safeServeArgs, startCli } from './testing/run-cli';
import { LOCK_FILE } from '../core/fs/data-dir';

const dirs = tempDirs();
afterEach(() => {
  killAllCliChildren();
  dirs.cleanup();
});

describe('parley id', () => {
  it('creates an identity in a new folder and prints the same one every time', async () => {
    const dir = dirs.make();
    const first = await runCli(['id', '--data-dir', dir, '--json']);
    expect(first.code).toBe(0);
    const id = JSON.parse(first.stdout);
    expect(Object.keys(id).sort()).toEqual(['deviceId', 'fingerprint', 'name']);
    expect(id.deviceId).toMatch(/^([A-Z2-7]{7}-){7}[A-Z2-7]{7}$/);
    const again = await runCli(['id', '--data-dir', dir, '--json']);
    expect(JSON.parse(again.stdout)).toEqual(id);
    const text = await runCli(['id', '--data-dir', dir]);
    expect(text.stdout).toContain(id.deviceId);
    expect(text.stdout).toContain(id.fingerprint);
  });

  it('explains a damaged key file, naming it, and exits 1', async () => {
    const dir = dirs.make();
    writeFileSync(join(dir, 'identity.json'), '{"format":"parley-identity","vers');
    const r = await runCli(['id', '--data-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(join(dir, 'identity.json'));
    expect(r.stderr).toMatch(/damaged/);
  });

  it('explains a data folder that cannot be used, and exits 1', async () => {
    const file = join(dirs.make(), 'file');
    writeFileSync(file, 'x');
    const r = await runCli(['id', '--data-dir', join(file, 'sub')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot use .* as its data folder/);
  });
});

describe('command line errors', () => {
  it.each([[['id', '--bogus']], [['serve', '--data-dir']], [['id', 'extra']], [['frobnicate']]])(
    '%j prints the usage and exits 2',
    async (args) => {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('Usage: parley');
    },
  );
});

describe('parley serve', () => {
  it('runs until SIGTERM, refuses a second node on the folder, and exits 0 after closing', async () => {
    const dir = dirs.make();
    const serve = startCli([
      'serve',
      '--data-dir',
      dir,
      '--name',
      'Headless',
      '--json',
      ...safeServeArgs(),
    ]);
    const ready = JSON.parse(await serve.firstLine);
    expect(ready).toMatchObject({ event: 'ready', name: 'Headless' });

    const second = await runCli(['serve', '--data-dir', dir, ...safeServeArgs()]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/Another Parley node \(process \d+\) is already using/);

    const id = await runCli(['id', '--data-dir', dir, '--json']);
    expect(JSON.parse(id.stdout)).toEqual({
      deviceId: ready.deviceId,
      fingerprint: ready.fingerprint,
      name: 'Headless',
    });

    serve.child.kill('SIGTERM');
    const done = await serve.result;
    expect(done.code).toBe(0);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('closes cleanly on SIGINT too', async () => {
    const dir = dirs.make();
    const serve = startCli(['serve', '--data-dir', dir, ...safeServeArgs()]);
    expect(await serve.firstLine).toMatch(/Parley node running/);
    serve.child.kill('SIGINT');
    const done = await serve.result;
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('Parley node stopped.');
  });

  it('starts again after being killed with SIGKILL (stale lock)', async () => {
    const dir = dirs.make();
    const first = startCli(['serve', '--data-dir', dir, '--json', ...safeServeArgs()]);
    const ready = JSON.parse(await first.firstLine);
    first.child.kill('SIGKILL');
    await first.result;
    const again = startCli(['serve', '--data-dir', dir, '--json', ...safeServeArgs()]);
    expect(JSON.parse(await again.firstLine).deviceId).toBe(ready.deviceId);
    again.child.kill('SIGTERM');
    expect((await again.result).code).toBe(0);
  });
});

describe('parley peers', () => {
  it('says so when no node is running', async () => {
    const dir = dirs.make();
    const r = await runCli(['peers', '--data-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No Parley node is running');
  });

  it('lists the peers of a running node, and adds one by address', async () => {
    const [dirA, dirB] = [dirs.make(), dirs.make()];
    const noDiscovery = ['--port', '0', '--no-discovery'];
    const a = startCli(['serve', '--data-dir', dirA, '--name', 'Alice', '--json', ...noDiscovery]);
    const b = startCli(['serve', '--data-dir', dirB, '--name', 'Bob', '--json', ...noDiscovery]);
    const [readyA, readyB] = [JSON.parse(await a.firstLine), JSON.parse(await b.firstLine)];
    expect(JSON.parse((await runCli(['peers', '--data-dir', dirA, '--json'])).stdout)).toEqual([]);

    const added = await runCli([
      'peers',
      'add',
      `127.0.0.1:${readyB.peerPort}`,
      '--data-dir',
      dirA,
      '--json',
    ]);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toEqual({
      address: `127.0.0.1:${readyB.peerPort}`,
      deviceId: readyB.deviceId,
    });

    let rows: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 100 && !rows.some((r) => r['online']); i++) {
      rows = JSON.parse((await runCli(['peers', '--data-dir', dirA, '--json'])).stdout);
    }
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      deviceId: readyB.deviceId,
      name: 'Bob',
      address: `127.0.0.1:${readyB.peerPort}`,
      online: true,
    });
    expect(typeof rows[0]!['lastSeen']).toBe('number');
    const table = await runCli(['peers', '--data-dir', dirB]);
    expect(table.stdout).toMatch(/Alice\s+[A-Z2-7-]{63}\s+127\.0\.0\.1:\d+\s+linked/);
    expect(readyA.deviceId).not.toBe(readyB.deviceId);

    const bad = await runCli(['peers', 'add', 'not-an-address', '--data-dir', dirA]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('host:port');
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect((await a.result).code).toBe(0);
    expect((await b.result).code).toBe(0);
  });

  it.each([
    [['serve', '--port', 'abc']],
    [['serve', '--discovery-interface', 'eth0']],
    [['serve', '--discovery-group', '224.0.0.1']],
    [['peers', 'frob']],
    [['peers', 'add']],
  ])('%j is a usage error', async (args) => {
    const r = await runCli([...args, '--data-dir', dirs.make()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: parley');
  });
});
