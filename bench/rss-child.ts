/**
 * Run as a child process by rss.bench.ts, so that only a node's own memory is counted:
 * `node --import tsx --expose-gc bench/rss-child.ts <data dir>` starts a node on that folder
 * (peer server and discovery on 127.0.0.1 only, the local API on), leaves it idle, and prints
 * one JSON line: how long start() took, and its resident set size before and after a forced
 * garbage collection. `-` instead of a folder starts no node: the same process with Parley's
 * code loaded and nothing running. rss.bench.ts also runs it bundled, on plain Node.
 */
import { performance } from 'node:perf_hooks';
import { ANNOUNCE_INTERVAL_MS } from '../main/core/discovery/discovery';
import { silentLogger } from '../main/core/log/logger';
import { createNode } from '../main/core/node';
import { randomTestPort } from '../main/core/testing/wait';

/** How long the node sits idle before its memory is read. */
const IDLE_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: rss-child.ts <data dir | ->');

const node =
  dataDir === '-'
    ? undefined
    : createNode({
        dataDir,
        name: 'Memory',
        logger: silentLogger,
        peer: { host: '127.0.0.1', port: 0 },
        discovery: {
          interfaces: ['127.0.0.1'],
          port: randomTestPort(),
          announceIntervalMs: ANNOUNCE_INTERVAL_MS,
        },
      });
const starting = performance.now();
await node?.start();
const startMs = node ? performance.now() - starting : 0;
await sleep(IDLE_MS);
const idle = process.memoryUsage().rss;
(globalThis as { gc?: () => void }).gc?.();
await sleep(200);
const collected = process.memoryUsage().rss;
await node?.close();
console.log(JSON.stringify({ startMs, idle, collected }));
