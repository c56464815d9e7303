/**
 * Kills a process that is writing to the store (SIGKILL, no chance to clean up) and checks
 * what a user would notice after the restart: the database opens, it is intact, every write
 * that was acknowledged is there, and search finds the last acknowledged message.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from './sqlite-store';
import {
  BURST_PEER,
  BURST_ROOM,
  BURST_SENDER,
  burstStep,
  burstWord,
  MESSAGES_PER_STEP,
} from './testing/burst-data';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const WRITER = fileURLToPath(new URL('./testing/write-burst.ts', import.meta.url));

/** Acknowledged steps after which the writer is killed, one run each. */
const KILL_AFTER_ACKS = [200, 350, 600];
/** Most of the writer's standard error kept for a failure message, in characters. */
const MAX_STDERR_CHARS = 10_000;
/** Generous: it covers starting Node with tsx on a busy machine; nothing asserts on time. */
const TEST_TIMEOUT_MS = 120_000;

const children = new Set<ChildProcess>();
const dirs = new Set<string>();

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Kills the child if it still runs and waits until it is gone. */
async function stop(child: ChildProcess): Promise<void> {
  if (!isRunning(child)) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

// Runs even when a test times out, which skips the test's own finally blocks.
afterEach(async () => {
  for (const child of children) await stop(child);
  children.clear();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  dirs.clear();
});

/**
 * Starts the writer, SIGKILLs it once it has acknowledged `killAfter` steps, and resolves with
 * the last step it acknowledged (it may have acknowledged a few more before the signal landed).
 */
function writeUntilKilled(dbPath: string, killAfter: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dbPath], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let lastAck = 0;
    let killed = false;
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-MAX_STDERR_CHARS);
    });
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /^ack (\d+)$/.exec(line);
      if (!match) return;
      lastAck = Number(match[1]);
      if (!killed && lastAck >= killAfter) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    // 'close' comes after the output pipes have ended, so every ack line has been read.
    child.on('close', (code, signal) => {
      if (killed && signal === 'SIGKILL') resolve(lastAck);
      else {
        reject(
          new Error(
            `The writer stopped by itself (code ${code}, signal ${signal}) after ${lastAck} ` +
              `acks:\n${stderr}`,
          ),
        );
      }
    });
  });
}

/** Checks the file below the Store: SQLite's own check and the FTS index's. */
function expectIntact(dbPath: string): void {
  // Read-write, so that SQLite can recover the WAL the killed writer left behind.
  const db = new Database(dbPath);
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    // Throws when the FTS index disagrees with the messages table.
    db.prepare("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')").run();
  } finally {
    db.close();
  }
}

describe('SQLite store killed while writing', () => {
  it.each(KILL_AFTER_ACKS)(
    'loses nothing it acknowledged when killed after %i acks',
    async (killAfter) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-store-'));
      dirs.add(dir);
      const dbPath = path.join(dir, 'parley.db');

      const acked = await writeUntilKilled(dbPath, killAfter);
      expect(acked).toBeGreaterThanOrEqual(killAfter);
      expectIntact(dbPath);

      const store = createSqliteStore({ path: dbPath });
      await store.open();
      try {
        // A batch is all or nothing: whole steps only, and no gaps.
        const count = await store.countMessages(BURST_ROOM);
        expect(count % MESSAGES_PER_STEP).toBe(0);
        expect(count).toBeGreaterThanOrEqual(acked * MESSAGES_PER_STEP);
        expect(await store.versionVector(BURST_ROOM)).toEqual({ [BURST_SENDER]: count });

        const opHashes = new Set((await store.listControlOps(BURST_ROOM)).map((o) => o.hash));
        for (let step = 1; step <= acked; step++) {
          const { messages, ops } = burstStep(step);
          for (const m of messages) {
            const stored = await store.getMessage(m.id);
            expect(stored?.text).toBe(m.text);
            expect(Buffer.from(stored?.envelope ?? []).equals(Buffer.from(m.envelope))).toBe(true);
          }
          for (const o of ops) expect(opHashes.has(o.hash), `op of step ${step}`).toBe(true);
        }
        // Written without a sync of its own, and still there: only a power cut may lose it.
        const [delivery] = await store.listDeliveries(BURST_ROOM);
        expect(delivery?.peer).toBe(BURST_PEER);
        expect(delivery?.heldUpTo).toBeGreaterThanOrEqual(burstStep(acked).delivery.heldUpTo);

        const last = burstStep(acked).messages.at(-1);
        const found = await store.searchMessages(burstWord(acked, MESSAGES_PER_STEP - 1), {
          roomId: BURST_ROOM,
          limit: 5,
        });
        expect(found.map((m) => m.id)).toEqual([last?.id]);
      } finally {
        await store.close();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
