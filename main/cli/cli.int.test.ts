import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDirs } from '../core/testing/temp-dir';
import { killAllCliChildren, runCli, startCli } from './testing/run-cli';
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
    const serve = startCli(['serve', '--data-dir', dir, '--name', 'Headless', '--json']);
    const ready = JSON.parse(await serve.firstLine);
    expect(ready).toMatchObject({ event: 'ready', name: 'Headless' });

    const second = await runCli(['serve', '--data-dir', dir]);
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
    const serve = startCli(['serve', '--data-dir', dir]);
    expect(await serve.firstLine).toMatch(/Parley node running/);
    serve.child.kill('SIGINT');
    const done = await serve.result;
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('Parley node stopped.');
  });

  it('starts again after being killed with SIGKILL (stale lock)', async () => {
    const dir = dirs.make();
    const first = startCli(['serve', '--data-dir', dir, '--json']);
    const ready = JSON.parse(await first.firstLine);
    first.child.kill('SIGKILL');
    await first.result;
    const again = startCli(['serve', '--data-dir', dir, '--json']);
    expect(JSON.parse(await again.firstLine).deviceId).toBe(ready.deviceId);
    again.child.kill('SIGTERM');
    expect((await again.result).code).toBe(0);
  });
});
