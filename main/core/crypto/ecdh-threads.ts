/**
 * ECDH derives shared between the calling thread and worker threads: a rotation seals the new
 * room key to every member, one ECDH each, and on one thread a room of 200 holds the node's
 * event loop for tens of milliseconds. Only the curve arithmetic moves (node:crypto's
 * `diffieHellman`, the call crypto/ecdh.ts makes); key checks, HKDF and AES-GCM stay with the
 * caller (seal.ts).
 *
 * How the work is shared: the caller posts the keys to every ready worker, then takes items
 * itself from a counter in shared memory, which the workers take from too; when none is left it
 * waits (Atomics.wait) only for the items a worker is still deriving. So a worker that is slow
 * to wake, or busy, costs nothing: the caller simply does more. `deriveAll` stays synchronous,
 * which keeps the seal and the op builders that call it synchronous; the event loop is held
 * for the whole call, as before, but the call is about half as long on two cores. The CPU time
 * spent is a little more than on one thread, not less.
 *
 * What must stay true:
 * - Every secret returned is `ecdh(privateKey, publicKey)` for that key: either the caller
 *   derived it, or a worker's `diffieHellman` did and marked it done after writing it. Anything
 *   a worker did not finish in time, or failed on, is derived again on the calling thread, so
 *   a failure throws exactly where and as the one-thread path would.
 * - Keys are checked (P-256, public or private) on the calling thread before any work is
 *   shared.
 * - Workers start lazily (the first large enough call derives on its own and starts them), then
 *   stay until `close()` (about 10 MiB each), and never keep the process alive; `close()` is
 *   safe to call twice, and calls after it derive on the calling thread.
 *
 * The worker's code is a string for the same reason as messages/verify-pool.ts's: it runs under
 * vitest, tsx and the bundles alike, with no loader and no build entry of its own.
 */
import { availableParallelism } from 'node:os';
import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { ecdh, ECDH_SECRET_BYTES } from './ecdh';
import { assertP256Key } from './keys';

/** ECDH of one private key with each of several public keys, in order. */
export interface EcdhDeriver {
  /**
   * `each`, when given, is called once per index as soon as that secret is known on the calling
   * thread, in no set order: callers put their per-secret work there (a seal's HKDF and
   * AES-GCM), so that it runs while another thread is still deriving.
   */
  deriveAll(
    privateKey: KeyObject,
    publicKeys: readonly KeyObject[],
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
  deriveAll: (privateKey, publicKeys, each) =>
    publicKeys.map((publicKey, i) => {
      const secret = ecdh(privateKey, publicKey);
      each?.(i, secret);
      return secret;
    }),
};

const DEFAULT_MAX_THREADS = 3;
const DEFAULT_MIN_PARALLEL = 4;
const DEFAULT_WAIT_MS = 100;

/**
 * The shared control words: [0] the next item to take, [1] how many are finished (by anyone),
 * then one state per item: pending, done, or 2 when a worker failed on it.
 */
const NEXT = 0;
const FINISHED = 1;
const STATES = 2;
const PENDING = 0;
const DONE = 1;

/**
 * Worker body. Takes items until none is left; writes each secret, then marks it done (1) or
 * failed (2), then counts it finished and wakes the caller. A request whose items were all
 * taken before it arrived does nothing.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createPrivateKey, diffieHellman } = require('node:crypto');
parentPort.on('message', ({ privateJwk, publicKeys, control, secrets }) => {
  const words = new Int32Array(control);
  let privateKey;
  try {
    privateKey = createPrivateKey({ key: privateJwk, format: 'jwk' });
  } catch {
    return; // takes no item: the caller derives them all
  }
  const out = new Uint8Array(secrets);
  const n = publicKeys.length;
  for (let i = Atomics.add(words, ${NEXT}, 1); i < n; i = Atomics.add(words, ${NEXT}, 1)) {
    let state = 2;
    try {
      const secret = diffieHellman({ privateKey, publicKey: publicKeys[i] });
      if (secret.length === ${ECDH_SECRET_BYTES}) {
        out.set(secret, i * ${ECDH_SECRET_BYTES});
        state = ${DONE};
      }
    } catch {}
    Atomics.store(words, ${STATES} + i, state);
    Atomics.add(words, ${FINISHED}, 1);
    Atomics.notify(words, ${FINISHED});
  }
});
parentPort.postMessage('ready');
`;

interface EcdhWorker {
  worker: Worker;
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
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    worker.unref();
    const w: EcdhWorker = {
      worker,
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
    privateKey: KeyObject,
    publicKeys: readonly KeyObject[],
    each?: (index: number, secret: Uint8Array) => void,
  ): Uint8Array[] {
    assertP256Key(privateKey, 'private');
    for (const publicKey of publicKeys) assertP256Key(publicKey, 'public');
    const n = publicKeys.length;
    if (closed || n < minParallel) return thisThreadOnly.deriveAll(privateKey, publicKeys, each);
    const helpers = workers.filter((w) => w.isReady);
    if (helpers.length === 0) {
      // Starting a thread takes tens of milliseconds: this call does not wait for it.
      while (workers.length < maxThreads) spawn();
      return thisThreadOnly.deriveAll(privateKey, publicKeys, each);
    }

    const control = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * (STATES + n));
    const secrets = new SharedArrayBuffer(ECDH_SECRET_BYTES * n);
    const words = new Int32Array(control);
    // The private key travels as JWK for the worker to import a key object of its own: node
    // locks a key object's mutex for each derive, so one shared by two threads would let only
    // one of them derive at a time.
    const privateJwk = privateKey.export({ format: 'jwk' });
    for (const w of helpers) w.worker.postMessage({ privateJwk, publicKeys, control, secrets });

    // Filled, not sparse: map() and friends skip the holes of a sparse array.
    const result = new Array<Uint8Array | undefined>(n).fill(undefined);
    const deriveHere = (i: number): void => {
      result[i] = ecdh(privateKey, publicKeys[i]!);
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
    await Promise.all(workers.splice(0).map((w) => w.worker.terminate()));
  }

  return { deriveAll, warm, derivesOnWorkers: () => onWorkers, close };
}
