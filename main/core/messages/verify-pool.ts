/**
 * Signature checks on worker threads, so that a large catch-up verifies on every core instead
 * of on the node's one event loop. Only the curve arithmetic moves: the caller applies every
 * other rule of crypto/signature.ts `verify` first (`labelledMessage`: label, length, low S)
 * and hands over the exact bytes a plain ECDSA P-256 / SHA-256 check must accept.
 *
 * What must stay true:
 * - A result is true only when node:crypto's ECDSA verify said so for that key, message and
 *   signature; any failure (a worker that died, a pool that closed, an exception) gives the
 *   answer of the same check on this thread, never a guess.
 * - Workers start lazily (a node that never catches up never starts one), at most `size` of
 *   them, each with a bounded number of requests in flight: past that, work is done on the
 *   calling thread rather than queued without end.
 * - `close()` terminates every worker; it is safe to call twice, and checks asked for after it
 *   run on the calling thread.
 *
 * Why the worker's code is a string run with `eval: true`: it uses only node:crypto and
 * node:worker_threads, and a string needs no loader and no build input, so the same worker
 * runs under vitest, under tsx (`parley serve`), and bundled in the Electron app, where a
 * .ts worker file would need tsx's loader in the worker or its own electron-vite entry. The
 * worker gets no execArgv of ours (a `--import tsx` would start a loader it does not need).
 */
import { availableParallelism } from 'node:os';
import { verify as nodeVerify, type KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** One signature to check: the key, the labelled message and the 64-byte P1363 signature. */
export interface SignatureJob {
  publicKey: KeyObject;
  message: Uint8Array;
  signature: Uint8Array;
}

/** Checks signatures, possibly on other threads. Results are in the order of the jobs. */
export interface SignatureVerifier {
  verifyAll(jobs: readonly SignatureJob[]): Promise<boolean[]>;
  close(): Promise<void>;
}

export interface VerifyPoolOptions {
  /** Workers at most. Default: the cores this process may use, at most 4. */
  size?: number;
  /** Fewer jobs than this are checked on the calling thread (a thread round trip costs about as much as a few checks). Default 8. */
  minParallelJobs?: number;
  /** Requests in flight per worker before further work runs on the calling thread. Default 4. */
  maxInFlightPerWorker?: number;
}

const DEFAULT_MAX_WORKERS = 4;
const DEFAULT_MIN_PARALLEL_JOBS = 8;
const DEFAULT_MAX_IN_FLIGHT = 4;

/** The same check as crypto/signature.ts verifyRaw, on any thread. */
export function verifyOnThisThread(job: SignatureJob): boolean {
  try {
    return nodeVerify(
      'sha256',
      job.message,
      { key: job.publicKey, dsaEncoding: 'ieee-p1363' },
      job.signature,
    );
  } catch {
    return false;
  }
}

const verifyAllHere = (jobs: readonly SignatureJob[]): boolean[] => jobs.map(verifyOnThisThread);

/** A verifier with no threads: what small nodes and tests without a pool use. */
export const inlineVerifier: SignatureVerifier = {
  verifyAll: (jobs) => Promise.resolve(verifyAllHere(jobs)),
  close: () => Promise.resolve(),
};

/**
 * Worker body. Keys arrive once per request as KeyObjects (node:crypto lets them cross
 * threads); each job names its key by index. Answers are one byte per job, 1 = valid.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { verify } = require('node:crypto');
parentPort.on('message', ({ id, keys, jobs }) => {
  const ok = new Uint8Array(jobs.length);
  for (let i = 0; i < jobs.length; i++) {
    const job = jobs[i];
    try {
      ok[i] = verify('sha256', job.m, { key: keys[job.k], dsaEncoding: 'ieee-p1363' }, job.s) ? 1 : 0;
    } catch {
      ok[i] = 0;
    }
  }
  parentPort.postMessage({ id, ok }, [ok.buffer]);
});
`;

interface Pending {
  jobs: readonly SignatureJob[];
  resolve: (ok: boolean[]) => void;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, Pending>;
}

export function createVerifyPool(options: VerifyPoolOptions = {}): SignatureVerifier {
  const size = Math.max(1, options.size ?? Math.min(DEFAULT_MAX_WORKERS, availableParallelism()));
  const minParallel = options.minParallelJobs ?? DEFAULT_MIN_PARALLEL_JOBS;
  const maxInFlight = options.maxInFlightPerWorker ?? DEFAULT_MAX_IN_FLIGHT;
  const workers: PoolWorker[] = [];
  let nextId = 0;
  let closed = false;

  /** Answers a dead or closing worker's requests here, on this thread. */
  const settleHere = (w: PoolWorker): void => {
    for (const p of w.pending.values()) p.resolve(verifyAllHere(p.jobs));
    w.pending.clear();
  };

  function spawn(): PoolWorker {
    const w: PoolWorker = {
      worker: new Worker(WORKER_SOURCE, { eval: true, execArgv: [] }),
      pending: new Map(),
    };
    // The pool never keeps a process alive by itself; close() still ends the threads.
    w.worker.unref();
    w.worker.on('message', ({ id, ok }: { id: number; ok: Uint8Array }) => {
      const p = w.pending.get(id);
      if (!p) return;
      w.pending.delete(id);
      p.resolve(Array.from(ok, (b) => b === 1));
    });
    const retire = (): void => {
      const at = workers.indexOf(w);
      if (at >= 0) workers.splice(at, 1);
      settleHere(w);
    };
    w.worker.on('error', retire);
    w.worker.on('exit', retire);
    workers.push(w);
    return w;
  }

  /** The least busy worker with room, starting one when all are busy and the pool may grow. */
  function pick(): PoolWorker | undefined {
    let best: PoolWorker | undefined;
    for (const w of workers) if (!best || w.pending.size < best.pending.size) best = w;
    if ((!best || best.pending.size > 0) && workers.length < size) return spawn();
    return best && best.pending.size < maxInFlight ? best : undefined;
  }

  function send(w: PoolWorker, jobs: readonly SignatureJob[]): Promise<boolean[]> {
    const keys: KeyObject[] = [];
    const keyIndex = new Map<KeyObject, number>();
    const wire = jobs.map((job) => {
      let k = keyIndex.get(job.publicKey);
      if (k === undefined) {
        k = keys.push(job.publicKey) - 1;
        keyIndex.set(job.publicKey, k);
      }
      return { k, m: job.message, s: job.signature };
    });
    const id = nextId++;
    return new Promise<boolean[]>((resolve) => {
      w.pending.set(id, { jobs, resolve });
      w.worker.postMessage({ id, keys, jobs: wire });
    });
  }

  async function verifyAll(jobs: readonly SignatureJob[]): Promise<boolean[]> {
    if (closed || jobs.length < minParallel) return verifyAllHere(jobs);
    // One slice per worker that may take it: every core gets an equal share.
    const slices = Math.min(size, Math.ceil(jobs.length / minParallel));
    const per = Math.ceil(jobs.length / slices);
    const parts: Array<Promise<boolean[]>> = [];
    for (let from = 0; from < jobs.length; from += per) {
      const slice = jobs.slice(from, from + per);
      const w = pick();
      parts.push(w ? send(w, slice) : Promise.resolve(verifyAllHere(slice)));
    }
    return (await Promise.all(parts)).flat();
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    const all = workers.splice(0);
    for (const w of all) settleHere(w);
    await Promise.all(all.map((w) => w.worker.terminate()));
  }

  return { verifyAll, close };
}
