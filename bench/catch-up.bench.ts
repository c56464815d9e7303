/**
 * Catch-up: a member that was offline starts, and we time until it holds every message of a
 * room that another member holds (pulled in batches of 500 by version vector, PROTOCOL.md
 * §10). Two nodes in this process on loopback; B asks for the next batch as soon as one
 * arrives (one request ahead) and checks signatures on worker threads, so A's answering and
 * B's storing share this process's event loop.
 *
 * The history is seeded straight into the author's database, which is fast enough for 100,000
 * messages: the room is made through the API (A creates it and invites B while both run), both
 * close, then A's room key (from A's store) and identity (from A's data folder) seal the
 * envelopes, which go into A's store in batches. A and then B start again, and B catches up.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadOrCreateIdentity } from '../main/core/identity/identity';
import { plainKeyProtector } from '../main/core/identity/key-protector';
import { DATABASE_FILE, type ParleyNode } from '../main/core/node';
import { call } from '../main/core/rooms/testing/rooms-test-kit';
import { createSqliteStore } from '../main/core/store/sqlite/sqlite-store';
import type { MessageRecord } from '../main/core/store/store';
import type { TempDirs } from '../main/core/testing/temp-dir';
import { sealMany } from './bare-member';
import { lanNodes } from './lan-nodes';
import { ARRIVAL_TIMEOUT_MS, seesMembers } from './room-fixture';

const SEED_BATCH = 1000;

export interface CatchUp {
  messages: number;
  /** B's start() called → B holds every message. */
  totalMs: number;
  /** B's first `message.received` of the room → its last: the transfer alone. */
  transferMs: number;
  /** Messages per second over the transfer. */
  perSecond: number;
  /** CPU time of this process over the transfer, per wall second (both nodes). */
  coresBusy: number;
  /** Time to seed the author's store (sealing included); not part of the catch-up. */
  seedMs: number;
  /** B's data folder, which now holds every message (for the memory benchmark). */
  dataDir: string;
}

/** Seals `count` messages by the node whose closed data folder is `dataDir` into its store. */
async function seed(dataDir: string, roomId: string, count: number): Promise<void> {
  const identity = await loadOrCreateIdentity(dataDir, plainKeyProtector);
  const store = createSqliteStore({ path: join(dataDir, DATABASE_FILE) });
  await store.open();
  try {
    const [epoch] = await store.listRoomKeys(roomId);
    if (!epoch) throw new Error('the author holds no key for the room');
    const lamport = Math.max(...(await store.listControlOps(roomId)).map((op) => op.lamport));
    const key = { roomId, epochId: epoch.epochId, key: epoch.key, lamport };
    let last: { seq: number; id: string } | undefined;
    for (let from = 0; from < count; from += SEED_BATCH) {
      const n = Math.min(SEED_BATCH, count - from);
      const text = (i: number): string => `history ${from + i}`;
      const now = Date.now();
      const sealed = sealMany(identity, key, n, text, last);
      const tail = sealed.at(-1)!;
      last = { seq: tail.header.seq, id: tail.id };
      const records = sealed.map((sealed, i): MessageRecord => ({
        id: sealed.id,
        roomId,
        sender: identity.deviceId,
        seq: sealed.header.seq,
        lamport: sealed.header.lamport,
        ts: sealed.header.ts,
        envelope: sealed.bytes,
        text: text(i),
        receivedAt: now,
      }));
      await store.addMessages(records);
    }
  } finally {
    await store.close();
  }
}

export async function catchUp(dirs: TempDirs, count: number): Promise<CatchUp> {
  const set = lanNodes(dirs);
  try {
    const [a, b] = (await set.startLinked(2, 'Catch-up')) as [ParleyNode, ParleyNode];
    const room = await call(a, 'rooms.create', { name: 'History' });
    await call(a, 'rooms.invite', { roomId: room.id, deviceId: b.identity.deviceId });
    await seesMembers(b, room.id, 2);
    await Promise.all([a.close(), b.close()]);

    const seeding = performance.now();
    await seed(a.dataDir, room.id, count);
    const seedMs = performance.now() - seeding;

    await set.node('Catch-up 1', a.dataDir).start();
    const again = set.node('Catch-up 2', b.dataDir);
    let first = 0;
    let cpuAtFirst = process.cpuUsage();
    let seen = 0;
    const done = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`catch-up stalled at ${seen} of ${count}`)),
        ARRIVAL_TIMEOUT_MS + count,
      );
      // Only a stalled catch-up is waited out; a failed start must not be kept alive by it.
      timer.unref();
      again.api.on('message.received', (m) => {
        if (m.roomId !== room.id) return;
        if (seen++ === 0) {
          first = performance.now();
          cpuAtFirst = process.cpuUsage();
        }
        if (seen === count) {
          clearTimeout(timer);
          resolve(performance.now());
        }
      });
    });
    const start = performance.now();
    await again.start();
    const end = await done;
    const cpu = process.cpuUsage(cpuAtFirst);
    const transferMs = end - first;
    return {
      messages: count,
      totalMs: end - start,
      transferMs,
      perSecond: (count / transferMs) * 1000,
      coresBusy: (cpu.user + cpu.system) / 1000 / transferMs,
      seedMs,
      dataDir: b.dataDir,
    };
  } finally {
    await set.closeAll();
  }
}
