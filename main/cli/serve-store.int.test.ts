/**
 * `parley serve` with MongoDB, without a MongoDB server: a server that does not answer must
 * stop the start promptly, in words and without the password; and the shipped bundle
 * (out/cli/parley.mjs) must not load the MongoDB driver for a node on SQLite.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../core/fs/data-dir';
import { tempDirs } from '../core/testing/temp-dir';
import { unusedLoopbackPort } from '../core/testing/wait';
import { killAllCliChildren, REPO_ROOT, runCli, safeServeArgs, watchCli } from './testing/run-cli';

const dirs = tempDirs();
afterEach(() => {
  killAllCliChildren();
  dirs.cleanup();
});

const PASSWORD = 's3cret-pass';

describe('parley serve --mongodb-uri, with no server answering', () => {
  it('exits 1 with the reason, no password, and nothing left running', async () => {
    const dir = dirs.make();
    const port = await unusedLoopbackPort();
    const uri = `mongodb://parley:${PASSWORD}@127.0.0.1:${port}/?directConnection=true`;
    // The process must end by itself: a socket or timer left open would keep it alive.
    const r = await runCli(
      [
        'serve',
        '--data-dir',
        dir,
        '--mongodb-uri',
        uri,
        '--mongodb-timeout',
        '300',
        ...safeServeArgs(),
      ],
      { PARLEY_LOG_LEVEL: 'debug' },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `parley: No MongoDB server at 127.0.0.1:${port} answered within 0.3 s`,
    );
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('takes the connection string from PARLEY_MONGODB_URI too', async () => {
    const port = await unusedLoopbackPort();
    const r = await runCli(
      ['serve', '--data-dir', dirs.make(), '--mongodb-timeout', '300', ...safeServeArgs()],
      { PARLEY_MONGODB_URI: `mongodb://parley:${PASSWORD}@127.0.0.1:${port}/` },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`No MongoDB server at 127.0.0.1:${port}`);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });
});

describe('the parley bundle (out/cli/parley.mjs)', () => {
  const bundle = join(REPO_ROOT, 'out', 'cli', 'parley.mjs');
  beforeAll(() => {
    execFileSync(process.execPath, ['build/ensure-cli-build.mjs'], {
      cwd: REPO_ROOT,
      stdio: 'ignore',
    });
  }, 120_000);

  /** Loaded with --import: says on exit whether the driver is among the loaded modules. */
  function probeFile(): string {
    const probe = join(dirs.make(), 'probe.mjs');
    writeFileSync(
      probe,
      `import { createRequire } from 'node:module';
const loaded = createRequire(import.meta.url).cache;
process.on('exit', () => {
  const mongodb = Object.keys(loaded).some((path) => /[\\\\/]node_modules[\\\\/]mongodb[\\\\/]/.test(path));
  process.stderr.write('probe: mongodb loaded=' + mongodb + '\\n');
});
`,
    );
    return probe;
  }

  function startBundle(args: string[], env: NodeJS.ProcessEnv = {}) {
    const child = spawn(process.execPath, ['--import', probeFile(), bundle, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, PARLEY_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { child, ...watchCli(child) };
  }

  it('does not load the MongoDB driver for a node on SQLite', async () => {
    const serve = startBundle(['serve', '--data-dir', dirs.make(), '--json', ...safeServeArgs()]);
    const ready = JSON.parse(await serve.firstLine);
    expect(ready).toMatchObject({ event: 'ready', storage: 'sqlite' });
    serve.child.kill('SIGTERM');
    const r = await serve.result;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('probe: mongodb loaded=false');
  });

  it('loads it for a node on MongoDB (so the probe above can tell)', async () => {
    const port = await unusedLoopbackPort();
    const serve = startBundle([
      'serve',
      '--data-dir',
      dirs.make(),
      '--mongodb-uri',
      `mongodb://127.0.0.1:${port}/`,
      '--mongodb-timeout',
      '300',
      ...safeServeArgs(),
    ]);
    const r = await serve.result;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('probe: mongodb loaded=true');
  });
});
