/**
 * Nodes in child processes for the message latency benchmark, one node a process
 * (latency-child.ts), as on a LAN where every member has its own computer: a sender's commit
 * does not hold up the receivers, and the receivers work in parallel, as far as the machine's
 * cores go. Discovery is pinned to 127.0.0.1 on one random group port for all of them.
 *
 * The parent drives them over the IPC channel; every time a child reports is its
 * process.hrtime.bigint() (CLOCK_MONOTONIC, the same clock in every process of the machine),
 * sent as a decimal string of nanoseconds.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TempDirs } from '../main/core/testing/temp-dir';
import { randomTestPort } from '../main/core/testing/wait';

const CHILD = fileURLToPath(new URL('./latency-child.ts', import.meta.url));
/** Starting (tsx compiles the node's code in every child) and linking may take this long. */
const START_TIMEOUT_MS = 120_000;
const EXIT_TIMEOUT_MS = 10_000;

/** What the parent asks a child; every request is answered by one ChildAnswer with its id. */
export type ChildRequest = { id: number } & (
  | { op: 'linked'; peers: number }
  | { op: 'create-room'; name: string; invite: string[] }
  | { op: 'sees-members'; roomId: string; members: number }
  | { op: 'send'; roomId: string; text: string }
  | { op: 'close' }
);

export type ChildAnswer = { id: number } & (
  { ok: true; value: unknown } | { ok: false; error: string }
);

/** What a child tells without being asked. */
export type ChildEvent =
  | { event: 'ready'; deviceId: string }
  /** `message.received` was emitted at `at` (ns). */
  | { event: 'received'; text: string; mine: boolean; at: string };

/** A send as the sender timed it: before messages.send was called, and when it answered (ns). */
export interface SendTimes {
  start: string;
  answered: string;
}

export interface LatencyChild {
  deviceId: string;
  ask(request: DistributiveOmit<ChildRequest, 'id'>): Promise<unknown>;
  /** Closes the node and waits for the process to end (kills it if it does not). */
  close(): Promise<void>;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Nanoseconds of process.hrtime.bigint(), as a child sent them, in milliseconds. */
export const nsToMs = (ns: string): number => Number(BigInt(ns)) / 1e6;

/**
 * Starts `count` children, each a node with a data folder from `dirs`, and waits until every
 * one is linked with every other. `onReceived` hears every child's `message.received`.
 */
export async function startLatencyChildren(
  dirs: TempDirs,
  count: number,
  onReceived: (text: string, mine: boolean, atMs: number) => void,
): Promise<LatencyChild[]> {
  const groupPort = randomTestPort();
  const started = await Promise.allSettled(
    Array.from({ length: count }, (_, i) =>
      startChild(dirs.make('parley-bench-'), `Member ${i + 1}`, groupPort, onReceived),
    ),
  );
  const children = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  try {
    if (failed) throw failed.reason;
    await Promise.all(children.map((c) => c.ask({ op: 'linked', peers: count - 1 })));
    return children;
  } catch (err) {
    await Promise.all(children.map((c) => c.close()));
    throw err;
  }
}

function startChild(
  dataDir: string,
  name: string,
  groupPort: number,
  onReceived: (text: string, mine: boolean, atMs: number) => void,
): Promise<LatencyChild> {
  const child = fork(CHILD, [dataDir, name, String(groupPort)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let lastWords = '';
  child.stderr!.on('data', (d: Buffer) => (lastWords = (lastWords + d.toString()).slice(-2000)));
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const failAll = (why: string): void => {
    for (const w of waiting.values()) w.reject(new Error(`${name}: ${why} ${lastWords}`));
    waiting.clear();
  };
  child.once('exit', (code, signal) => failAll(`exited (${code ?? signal})`));
  const ask: LatencyChild['ask'] = (request) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      child.send({ ...request, id } as ChildRequest);
    });
  return new Promise<LatencyChild>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start: ${lastWords}`));
    }, START_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready: ${lastWords}`));
    });
    child.on('message', (raw) => {
      const m = raw as ChildEvent | ChildAnswer;
      if ('event' in m) {
        if (m.event === 'received') onReceived(m.text, m.mine, nsToMs(m.at));
        else {
          clearTimeout(timer);
          resolve({ deviceId: m.deviceId, ask, close: () => closeChild(child, ask) });
        }
        return;
      }
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      if (m.ok) w?.resolve(m.value);
      else w?.reject(new Error(`${name}: ${m.error}`));
    });
  });
}

async function closeChild(child: ChildProcess, ask: LatencyChild['ask']): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
  await ask({ op: 'close' }).catch(() => child.kill('SIGKILL'));
  await exited;
  clearTimeout(timer);
}
