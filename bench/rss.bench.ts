/**
 * Resident memory of a node, measured in a child process (rss-child.ts) so that this process's
 * own heap does not count. Two ways to run the child: through tsx, as `npx parley serve` runs
 * today (tsx's loader keeps its own thread and compiler in the process), and as one JavaScript
 * bundle on plain Node (esbuild, node_modules left outside), as a built app would run. Each
 * beside its floor: the same process with no node in it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const CHILD = fileURLToPath(new URL('./rss-child.ts', import.meta.url));
/** Inside the repository, so that the bundle's imports of node_modules resolve. */
const BUNDLE_DIR = fileURLToPath(new URL('../node_modules/.cache/parley-bench', import.meta.url));
const CHILD_TIMEOUT_MS = 60_000;

export interface Rss {
  /** How long the node's start() took, ms (0 without a node). */
  startMs: number;
  /** Bytes after the node sat idle. */
  idle: number;
  /** Bytes right after a forced garbage collection. */
  collected: number;
}

/** Runs the child on `dataDir` ('-' for no node) and reads its memory. */
function run(args: string[], dataDir: string): Promise<Rss> {
  const child = spawn(process.execPath, ['--expose-gc', ...args, dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as Rss);
      else reject(new Error(`rss-child exited ${code ?? signal}: ${err.trim() || out.trim()}`));
    });
  });
}

/** Plain Node running nothing: the floor under everything else. */
const EMPTY = `setTimeout(() => {
  const idle = process.memoryUsage().rss;
  gc();
  setTimeout(() => console.log(JSON.stringify({ startMs: 0, idle, collected: process.memoryUsage().rss })), 200);
}, 1000)`;

export interface RssRunner {
  /** Plain Node with an empty script. */
  empty(): Promise<Rss>;
  /** The child through tsx (`node --import tsx`). */
  tsx(dataDir: string): Promise<Rss>;
  /** The child bundled, on plain Node. */
  bundled(dataDir: string): Promise<Rss>;
  /** Removes the bundle. */
  close(): void;
}

export async function rssRunner(): Promise<RssRunner> {
  mkdirSync(BUNDLE_DIR, { recursive: true });
  const dir = mkdtempSync(join(BUNDLE_DIR, 'rss-'));
  const bundle = join(dir, 'rss-child.mjs');
  try {
    await build({
      entryPoints: [CHILD],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'silent',
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    empty: () => run(['-e', EMPTY], '-'),
    tsx: (dataDir) => run(['--import', 'tsx', CHILD], dataDir),
    bundled: (dataDir) => run([bundle], dataDir),
    close: () => {
      rmSync(dir, { recursive: true, force: true });
      // The cache folder too, unless something else put files there.
      if (readdirSync(BUNDLE_DIR).length === 0) rmdirSync(BUNDLE_DIR);
    },
  };
}
