/**
 * `parley serve` as a child process on a host of a test LAN, for the namespace benchmark: its
 * device ID from the ready line, and its log lines with their time stamps. Every namespace
 * shares the machine's clock, so stamps written by different processes compare (to the
 * millisecond the log prints).
 */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { serveArgsOnLan, type LanServeOptions } from '../main/cli/testing/lan-cli';
import type { LanHost, TestLan } from '../main/core/testing/netns';
import { WAIT_TIMEOUT_MS, waitFor } from '../main/core/testing/wait';

export interface LogLine {
  /** Milliseconds since the epoch. */
  at: number;
  /** The scoped event name, e.g. `net.link_up`. */
  event: string;
  fields: Record<string, unknown>;
}

export interface ServeChild {
  deviceId: string;
  /** When start() resolved: the stamp of the node's `node.started` line. */
  startedAt: number;
  /** The stamp of the first log line about `deviceId` with this event name, once there is one. */
  logged(event: string, field: string, deviceId: string): Promise<number>;
  /** SIGTERM, and resolves once the node has closed and exited. */
  stop(): Promise<void>;
}

/** `<ISO time> <level> <event> [<JSON fields>]`, as main/core/log/logger.ts writes it. */
const LOG_LINE = /^(\S+) (?:debug|info|warn|error) (\S+)(?: (\{.*\}))?$/;

function parseLogLine(text: string): LogLine | undefined {
  const m = LOG_LINE.exec(text);
  const at = m ? Date.parse(m[1]!) : Number.NaN;
  if (!m || Number.isNaN(at)) return undefined;
  return { at, event: m[2]!, fields: m[3] ? (JSON.parse(m[3]) as Record<string, unknown>) : {} };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export type ServeOptions = LanServeOptions;

export async function serveIn(
  lan: TestLan,
  host: LanHost,
  opts: ServeOptions,
): Promise<ServeChild> {
  const child = lan.spawnIn(
    host,
    process.execPath,
    serveArgsOnLan(host, opts),
    // Debug, for the discovery events (info has no line for a peer heard).
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PARLEY_LOG_LEVEL: 'debug' } },
  );
  const lines: LogLine[] = [];
  let lastWords = '';
  createInterface({ input: child.stderr! }).on('line', (text) => {
    const line = parseLogLine(text);
    if (line) lines.push(line);
    else lastWords = text;
  });
  const ready = await new Promise<{ deviceId: string }>((resolve, reject) => {
    const onExit = (code: number | null): void => fail(`exited ${code}`);
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.kill('SIGKILL');
      reject(new Error(`serve on ${host.ns} ${why}: ${lastWords}`));
    };
    const timer = setTimeout(() => fail('printed no ready line'), WAIT_TIMEOUT_MS);
    createInterface({ input: child.stdout! }).once('line', (text) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      try {
        resolve(JSON.parse(text) as { deviceId: string });
      } catch {
        fail(`printed "${text}" for its ready line`);
      }
    });
    child.once('exit', onExit);
  });
  const first = (event: string, match: (line: LogLine) => boolean, what: string) =>
    waitFor(() => lines.find((l) => l.event === event && match(l))?.at, what);
  return {
    deviceId: ready.deviceId,
    startedAt: await first('node.started', () => true, `${opts.name} started`),
    logged: (event, field, deviceId) =>
      first(event, (l) => l.fields[field] === deviceId, `${opts.name}: ${event} ${deviceId}`),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited(child);
    },
  };
}
