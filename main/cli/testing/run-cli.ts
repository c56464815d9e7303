/**
 * Runs the real `parley` command in a child process, for CLI tests. Every child started here
 * is killed when the test file's cleanup runs, even if a test failed half-way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PARLEY_BIN = fileURLToPath(new URL('../bin/parley.mjs', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/**
 * The bundled command `npm run serve` runs (made by build/ensure-cli-build.mjs): what ships,
 * for suites that should test it rather than the sources through tsx.
 */
export const PARLEY_BUNDLE = fileURLToPath(new URL('../../../out/cli/parley.mjs', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Flags every `parley serve` in a test must carry: discovery pinned to loopback (a multicast
 * packet on this machine's real interface would leave it), on a port of its own, and any free
 * peer port.
 */
export function safeServeArgs(): string[] {
  const discoveryPort = 20000 + Math.floor(Math.random() * 20000);
  return [
    '--port',
    '0',
    '--discovery-interface',
    '127.0.0.1',
    '--discovery-port',
    String(discoveryPort),
  ];
}

const children = new Set<ChildProcess>();

export function killAllCliChildren(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

/** Starts `parley ARGS`; `result` resolves when it exits. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}, bin = PARLEY_BIN) {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, PARLEY_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('close', () => children.delete(child));
  return { child, ...watchCli(child) };
}

/**
 * Collects the output of a started `parley` child (its stdout and stderr must be pipes):
 * `result` resolves when it exits, `firstLine` once it has printed one line.
 */
export function watchCli(child: ChildProcess) {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const result = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  /** Resolves with the first stdout line, once it has been printed. */
  const firstLine = new Promise<string>((resolve, reject) => {
    const check = (): void => {
      const nl = stdout.indexOf('\n');
      if (nl >= 0) resolve(stdout.slice(0, nl));
    };
    child.stdout!.on('data', check);
    void result.then((r) =>
      reject(new Error(`parley exited (${r.code}) before printing: ${r.stderr}`)),
    );
  });
  // Tests that never ask for the first line must not see an unhandled rejection.
  firstLine.catch(() => {});
  return { result, firstLine };
}

export function runCli(args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult> {
  return startCli(args, env).result;
}
