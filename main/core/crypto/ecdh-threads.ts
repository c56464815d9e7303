/**
 * ECDH derives shared between the calling thread and worker threads: a rotation seals the new
 * room key to every member, one ECDH each, and on one thread a room of 200 takes tens of
 * milliseconds. Only the curve arithmetic moves (node's ECDH object, as ecdh.ts's
 * `EphemeralEcdh.derive` uses it); the points come from keys that keys.ts's imports checked,
 * and HKDF and AES-GCM stay with the caller (seal.ts).
 *
 * How the work is shared: each worker sleeps in `Atomics.wait` on a word of shared memory, not
 * in its event loop, so waking it is one futex call (an event-loop message took 0.15-0.25 ms,
 * most of a small rotation). The caller puts the job on the worker's port, bumps that word,
 * then takes items itself from a counter in shared memory, which the worker takes from too;
 * the worker reads the job with `receiveMessageOnPort`. The caller uses each secret as soon as
 * it is known (`each`), and waits only when no finished secret is left. So a worker that is
 * slow or busy costs nothing: the caller simply does more. `deriveAll` stays synchronous,
 * which keeps the seal and the op builders that call it synchronous; the event loop is held
 * for the whole call, as before, but the call is about half as long on two cores. The CPU
 * time spent is a little more than on one thread, not less.
 *
 * What must stay true:
 * - Every secret is `ephemeral.derive(point)` for that point: either the caller derived it, or
 *   a worker did with the same scalar and marked it done after writing it. Anything a worker
 *   did not finish in time, or failed on, is derived again on the calling thread, so a failure
 *   throws exactly where and as the one-thread path would.
 * - Workers start lazily (the first large enough call derives on its own and starts them), then
 *   stay until `close()` (about 10 MiB each), and never keep the process alive; `close()` is
 *   safe to call twice, and calls after it derive on the calling thread.
 * - The one-time scalar visits the workers, threads of this process (SECURITY.md, Cryptography).
 *
 * The worker's code is a string for the same reason as messages/verify-pool.ts's: it runs under
 * vitest, tsx and the bundles alike, with no loader and no build entry of its own.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { ECDH_SECRET_BYTES, type EphemeralEcdh } from './ecdh';

/** ECDH of one one-time key with each of several points, in order. */
export interface EcdhDeriver {
  /**
   * `each`, when given, is called once per index as soon as that secret is known on the calling
   * thread, in no set order: callers put their per-secret work there (a seal's HKDF and
   * AES-GCM), so that it runs while another thread is still deriving.
   */
  deriveAll(
    ephemeral: EphemeralEcdh,
    points: readonly Uint8Array[],
    each?: (index: number, secret: Uint8Array) => void,
  ): Uint8Array[];
}

export interface EcdhThreads extends EcdhDeriver {
  /**
   * Starts the threads now and resolves once they can take work (tests, benchmarks). A node
   * does not call it: its threads start at the first rotation large enough to need them.
   */
  warm(): Promise<void>;
  /** How many derives worker threads have made so far (the rest were made by callers). */
  derivesOnWorkers(): number;
  close(): Promise<void>;
}

export interface EcdhThreadsOptions {
  /** Worker threads at most. Default: the cores this process may use, less this one, at most 3. */
  threads?: number;
  /** Fewer derives than this run on the calling thread alone. Default 4. */
  minParallel?: number;
  /**
   * How long the caller waits for a worker's last items once it has none left to take, in ms;
   * after that it derives them itself. Default 100: far above one derive (~0.1 ms), so it
   * only matters when a worker is stuck.
   */
  waitMs?: number;
}

/** Derives on the calling thread only: what tests and one-off seals use. */
export const thisThreadOnly: EcdhDeriver = {
  deriveAll: (ephemeral, points, each) =>
    points.map((point, i) => {
      const secret = ephemeral.derive(point);
      each?.(i, secret);
      return secret;
    }),
};

const DEFAULT_MAX_THREADS = 3;
const DEFAULT_MIN_PARALLEL = 4;
const DEFAULT_WAIT_MS = 100;

/**
 * A job's shared words: [0] the next item to take, [1] how many are finished (by anyone), then
 * one state per item: pending, done, or 2 when a worker failed on it.
 */
const NEXT = 0;
const FINISHED = 1;
const STATES = 2;
const PENDING = 0;
const DONE = 1;

/** A worker's own shared words: [0] jobs posted to it so far, [1] 1 once it must stop. */
const POSTED = 0;
const STOP = 1;

/**
 * Worker body. Says it is ready, then sleeps on its POSTED word; woken, it reads every job on
 * its port and takes items of each until none is left: writes each secret, marks it done (1)
 * or failed (2), counts it finished and wakes the caller. A job whose items were all taken
 * before it was read does nothing.
 */
const WORKER_SOURCE = `
const { parentPort, receiveMessageOnPort, workerData } = require('node:worker_threads');
const { createECDH } = require('node:crypto');
const { port, signal } = workerData;
const own = new Int32Array(signal);

function take({ scalar, points, control, secrets }) {
  const words = new Int32Array(control);
  const out = new Uint8Array(secrets);
  let agreement;
  try {
    agreement = createECDH('prime256v1');
    agreement.setPrivateKey(scalar);
  } catch {
    return; // takes no item: the caller derives them all
  }
  for (let i = Atomics.add(words, ${NEXT}, 1); i < points.length; i = Atomics.add(words, ${NEXT}, 1)) {
    let state = 2;
    try {
      const secret = agreement.computeSecret(points[i]);
      if (secret.length === ${ECDH_SECRET_BYTES}) {
        out.set(secret, i * ${ECDH_SECRET_BYTES});
        state = ${DONE};
      }
    } catch {}
    Atomics.store(words, ${STATES} + i, state);
    Atomics.add(words, ${FINISHED}, 1);
    Atomics.notify(words, ${FINISHED});
  }
}

parentPort.postMessage('ready');
let seen = 0;
while (Atomics.load(own, ${STOP}) === 0) {
  Atomics.wait(own, ${POSTED}, seen);
  seen = Atomics.load(own, ${POSTED});
  for (let job = receiveMessageOnPort(port); job !== undefined; job = receiveMessageOnPort(port)) {
    take(job.message);
  }
}
port.close();
`;

interface EcdhWorker {
  worker: Worker;
  /** Where jobs go; the worker holds the other end. */
  jobs: MessagePort;
  /** The worker's POSTED and STOP words. */
  own: Int32Array;
  ready: Promise<void>;
  isReady: boolean;
}

export function createEcdhThreads(options: EcdhThreadsOptions = {}): EcdhThreads {
  const maxThreads = Math.max(
    0,
    options.threads ?? Math.min(DEFAULT_MAX_THREADS, availableParallelism() - 1),
  );
  const minParallel = Math.max(2, options.minParallel ?? DEFAULT_MIN_PARALLEL);
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  const workers: EcdhWorker[] = [];
  let onWorkers = 0;
  let closed = false;

  function spawn(): void {
    const { port1: jobs, port2 } = new MessageChannel();
    jobs.unref();
    const signal = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * 2);
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      workerData: { port: port2, signal },
      transferList: [port2],
    });
    worker.unref();
    const w: EcdhWorker = {
      worker,
      jobs,
      own: new Int32Array(signal),
      isReady: false,
      // Settles either way: a worker that dies before it is ready is simply never used.
      ready: new Promise<void>((resolve) => {
        worker.once('message', () => {
          w.isReady = true;
          resolve();
        });
        worker.once('exit', () => resolve());
      }),
    };
    const retire = (): void => {
      const at = workers.indexOf(w);
      if (at >= 0) workers.splice(at, 1);
      w.jobs.close();
    };
    worker.on('error', retire);
    worker.on('exit', retire);
    workers.push(w);
  }

  async function warm(): Promise<void> {
    if (closed) return;
    while (workers.length < maxThreads) spawn();
    await Promise.all(workers.map((w) => w.ready));
  }

  function deriveAll(
    ephemeral: EphemeralEcdh,
    points: readonly Uint8Array[],
    each?: (index: number, secret: Uint8Array) => void,
  ): Uint8Array[] {
    const n = points.length;
    if (closed || n < minParallel) return thisThreadOnly.deriveAll(ephemeral, points, each);
    const helpers = workers.filter((w) => w.isReady);
    if (helpers.length === 0) {
      // Starting a thread takes tens of milliseconds: this call does not wait for it.
      while (workers.length < maxThreads) spawn();
      return thisThreadOnly.deriveAll(ephemeral, points, each);
    }

    const control = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * (STATES + n));
    const secrets = new SharedArrayBuffer(ECDH_SECRET_BYTES * n);
    const words = new Int32Array(control);
    for (const w of helpers) {
      w.jobs.postMessage({ scalar: ephemeral.scalar, points, control, secrets });
      Atomics.add(w.own, POSTED, 1);
      Atomics.notify(w.own, POSTED);
    }

    // Filled, not sparse: map() and friends skip the holes of a sparse array.
    const result = new Array<Uint8Array | undefined>(n).fill(undefined);
    const deriveHere = (i: number): void => {
      result[i] = ephemeral.derive(points[i]!);
      each?.(i, result[i]);
    };
    for (let i = Atomics.add(words, NEXT, 1); i < n; i = Atomics.add(words, NEXT, 1)) {
      deriveHere(i);
      Atomics.store(words, STATES + i, DONE);
      Atomics.add(words, FINISHED, 1);
    }

    // Every item is taken now; the rest are a worker's. Use each as it is done, and wait only
    // while none is.
    const outOfWorkers = new Uint8Array(secrets);
    const deadline = performance.now() + waitMs;
    let theirs = result.flatMap((mine, i) => (mine === undefined ? [i] : []));
    while (theirs.length > 0) {
      const finished = Atomics.load(words, FINISHED);
      const pending: number[] = [];
      for (const i of theirs) {
        const state = Atomics.load(words, STATES + i);
        if (state === PENDING) pending.push(i);
        else if (state === DONE) {
          onWorkers++;
          const at = i * ECDH_SECRET_BYTES;
          result[i] = outOfWorkers.slice(at, at + ECDH_SECRET_BYTES);
          each?.(i, result[i]);
        } else deriveHere(i); // the worker failed on it: the one-thread answer, or its exception
      }
      theirs = pending;
      if (theirs.length === 0) break;
      const left = deadline - performance.now();
      if (left <= 0) {
        // A worker is stuck: what it still holds is derived here.
        for (const i of theirs) deriveHere(i);
        break;
      }
      Atomics.wait(words, FINISHED, finished, left);
    }
    return result as Uint8Array[];
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    const all = workers.splice(0);
    for (const w of all) {
      Atomics.store(w.own, STOP, 1);
      Atomics.add(w.own, POSTED, 1);
      Atomics.notify(w.own, POSTED);
    }
    await Promise.all(all.map((w) => w.worker.terminate()));
    for (const w of all) w.jobs.close();
  }

  return { deriveAll, warm, derivesOnWorkers: () => onWorkers, close };
}
