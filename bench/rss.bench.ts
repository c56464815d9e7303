/**
 * Resident memory of a node as it ships: `parley serve --ui` from the bundle that `npm run
 * serve` runs (out/cli/parley.mjs on plain Node, made by build/ensure-cli-build.mjs, with the
 * renderer built by build/ensure-renderer-build.mjs as `npm run serve` does first). Each
 * measurement is a process of its own: peer server on any free port, discovery pinned to
 * 127.0.0.1 on a port of its own, the local API and the web GUI on 127.0.0.1. Beside it: plain
 * Node with an empty script (the floor), and the development path (`npx parley serve --ui`,
 * the sources through tsx), which has no goal.
 *
 * How a process is read: a small script loaded with `--import` answers an IPC message with
 * process.memoryUsage().rss, then the same after a forced garbage collection (`--expose-gc`).
 * It is asked once the node has printed its ready line and sat idle for IDLE_MS.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { tempDirs } from '../main/core/testing/temp-dir';
import { randomTestPort } from '../main/core/testing/wait';
import { ratioVerdict } from './goals';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** What `npm run serve` runs, after its two build steps. */
const SHIPPED_CLI = join(ROOT, 'out', 'cli', 'parley.mjs');
const BUILD_STEPS = ['build/ensure-renderer-build.mjs', 'build/ensure-cli-build.mjs'];
/** The development bin: registers tsx and runs main/cli/main.ts. */
const DEVELOPMENT_CLI = join(ROOT, 'main', 'cli', 'bin', 'parley.mjs');
/** How long a node sits idle after its ready line before its memory is read. */
const IDLE_MS = 5_000;
const CHILD_TIMEOUT_MS = 60_000;
const MiB = 2 ** 20;
const IDLE_RSS_GOAL = 80 * MiB;
const LOADED_RSS_GOAL = 120 * MiB;

/** Loaded into the measured process: answers 'rss' with its memory before and after a GC. */
const PROBE = `process.on('message', (m) => {
  if (m !== 'rss') return;
  const idle = process.memoryUsage().rss;
  globalThis.gc();
  setTimeout(() => process.send({ idle, collected: process.memoryUsage().rss }), 200);
});
`;

/** Plain Node running nothing: the floor under everything else. */
const EMPTY = `setTimeout(() => {
  const idle = process.memoryUsage().rss;
  gc();
  setTimeout(() => console.log(JSON.stringify({ idle, collected: process.memoryUsage().rss })), 200);
}, ${IDLE_MS})`;

export interface Rss {
  /** From spawning the process to its ready line, ms (undefined without a node). */
  readyMs?: number;
  /** Bytes after the node sat idle. */
  idle: number;
  /** Bytes right after a forced garbage collection. */
  collected: number;
}

/** Plain Node with an empty script, left idle as long as a node is. */
function emptyNode(): Rss {
  const out = execFileSync(process.execPath, ['--expose-gc', '-e', EMPTY], { encoding: 'utf8' });
  return JSON.parse(out) as Rss;
}

/** Runs `parley serve --ui` from `cli` on `dataDir` until it is idle, reads it, stops it. */
async function serveNode(cli: string, dataDir: string, probe: string): Promise<Rss> {
  const args = [
    ...['--expose-gc', '--import', probe, cli, 'serve', '--ui', '--ui-port', '0', '--json'],
    ...['--data-dir', dataDir, '--port', '0', '--discovery-interface', '127.0.0.1'],
    ...['--discovery-port', String(randomTestPort())],
  ];
  const spawned = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, PARLEY_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
  try {
    const readyMs = await new Promise<number>((resolve, reject) => {
      child.stdout!.on('data', () => {
        if (out.includes('\n')) resolve(performance.now() - spawned);
      });
      void exited.then(() => reject(new Error(`parley serve exited early: ${err.trim()}`)));
    });
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const read = new Promise<Omit<Rss, 'readyMs'>>((resolve, reject) => {
      child.once('message', resolve);
      void exited.then(() => reject(new Error(`parley serve exited while idle: ${err.trim()}`)));
    });
    child.send('rss');
    const rss = await read;
    // An open IPC channel would keep the child running after its node has closed.
    child.disconnect();
    return { readyMs, ...rss };
  } finally {
    child.kill('SIGTERM');
    await exited;
    clearTimeout(timer);
  }
}

/**
 * The "Memory" section of the report. `loadedDir`: a closed data folder holding 100,000
 * messages (B's from the catch-up); without one, those rows are left out.
 */
export async function memorySection(loadedDir: string | undefined): Promise<string> {
  console.error('bench: memory of an idle node (child processes)…');
  for (const step of BUILD_STEPS) {
    execFileSync(process.execPath, [join(ROOT, step)], {
      cwd: ROOT,
      stdio: ['ignore', process.stderr, process.stderr],
    });
  }
  const dirs = tempDirs();
  const probeDir = mkdtempSync(join(tmpdir(), 'parley-rss-'));
  const probe = join(probeDir, 'rss-probe.mjs');
  writeFileSync(probe, PROBE);
  const rows: string[] = [
    '| process | ready after, ms | RSS MiB, idle 5 s | RSS MiB, after GC | goal | against the goal |',
    '| --- | ---: | ---: | ---: | --- | --- |',
  ];
  const row = (name: string, r: Rss, goal?: number): void => {
    const mib = (n: number): string => (n / MiB).toFixed(1);
    const against = goal === undefined ? '' : ratioVerdict(r.idle / goal, 1, 'goal');
    const goalText = goal === undefined ? 'none' : `≤ ${goal / MiB} MiB`;
    const ready = r.readyMs === undefined ? '–' : r.readyMs.toFixed(0);
    rows.push(
      `| ${name} | ${ready} | ${mib(r.idle)} | ${mib(r.collected)} | ${goalText} | ${against} |`,
    );
  };
  const shipped = '`npm run serve` (out/cli/parley.mjs, plain Node)';
  const development = 'development only: `npx parley serve --ui` (sources through tsx)';
  try {
    row('plain Node, empty script', emptyNode());
    row(
      `${shipped}: idle node, fresh data folder`,
      await serveNode(SHIPPED_CLI, dirs.make(), probe),
      IDLE_RSS_GOAL,
    );
    if (loadedDir) {
      row(
        `${shipped}: idle node holding 100,000 messages`,
        await serveNode(SHIPPED_CLI, loadedDir, probe),
        LOADED_RSS_GOAL,
      );
    }
    row(
      `${development}: idle node, fresh data folder`,
      await serveNode(DEVELOPMENT_CLI, dirs.make(), probe),
    );
    if (loadedDir) {
      row(
        `${development}: idle node holding 100,000 messages`,
        await serveNode(DEVELOPMENT_CLI, loadedDir, probe),
      );
    }
  } finally {
    rmSync(probeDir, { recursive: true, force: true });
    dirs.cleanup();
  }
  return [
    '### Memory',
    '',
    `Each row is its own process: \`parley serve --ui\` with its peer server, discovery (on 127.0.0.1), local API and web GUI, read after its ready line and ${IDLE_MS / 1000} s idle. "Ready after" runs from spawning the process to that line. The goals are held to the idle RSS of what \`npm run serve\` runs; the development path has none.`,
    '',
    rows.join('\n'),
  ].join('\n');
}
