/**
 * Where a message's time goes, step by step, with the core modules alone (no node, no links):
 * what the sender does (seal), what every receiver does (decode, verify and open, store, the
 * API's check of the event it emits). Set beside the raw baselines, these show how much of a
 * received message is the signature check the ingest and catch-up goals are stated against.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  decodeEnvelope,
  sealMessage,
  type DecodedEnvelope,
} from '../main/core/messages/envelope-codec';
import { openEnvelope, toMessageRecord } from '../main/core/messages/verify-envelope';
import { checkMessageSender, currentEpoch } from '../main/core/rooms';
import { testDevice, testLog } from '../main/core/rooms/control-log.testing';
import { createSqliteStore } from '../main/core/store/sqlite/sqlite-store';
import type { MessageRecord } from '../main/core/store/store';
import { tempDirs } from '../main/core/testing/temp-dir';
import { events } from '../shared/api';
import { SYNC_BATCH_MAX } from '../shared/room-wire';
import { measure, percentile, type Measurement } from './measure';

export async function messageSteps(count: number): Promise<Measurement[]> {
  const owner = testDevice('Owner');
  const log = testLog(owner);
  const epoch = currentEpoch(log.state)!;
  const epochKey = log.keys.get(epoch.id)!;
  const now = Date.now();
  // Each message names the one sealed before it (a sender's chain, as a node sends them).
  let prev: string | undefined;
  const seal = (i: number) => {
    const sealed = sealMessage({
      roomId: log.roomId,
      epochId: epoch.id,
      epochKey,
      sender: owner,
      seq: i + 1,
      prev: i === 0 ? undefined : prev,
      lamport: i + 2,
      ts: now,
      body: { text: `message number ${i}` },
    });
    prev = sealed.id;
    return sealed;
  };
  const rows = [await measure('seal a message (sender)', count, seal)];
  const sealed = Array.from({ length: count }, (_, i) => seal(i));
  const decoded: DecodedEnvelope[] = [];
  rows.push(
    await measure('decode an envelope (CBOR, schema, canonical form, ID)', count, (i) => {
      const r = decodeEnvelope(sealed[i]!.bytes);
      if (r.ok) decoded[i] = r.envelope;
    }),
  );
  const ctx = { state: log.state, keys: () => epochKey, now, checkSender: checkMessageSender };
  const records: MessageRecord[] = [];
  rows.push(
    await measure('check and open it (sender, signature, AES-GCM, body)', count, (i) => {
      const r = openEnvelope(decoded[i]!, ctx);
      if (r.ok) records[i] = toMessageRecord(r.message, now);
    }),
  );
  rows.push(await storeInBatches(records));
  const info = (m: MessageRecord) => ({
    ...m,
    text: m.text ?? '',
    senderName: 'Owner',
    mine: false,
    // Someone else's message: no delivery state.
    delivery: null,
  });
  rows.push(
    await measure("the API's check of each message.received event", count, (i) =>
      events['message.received'].parse(info(records[i]!)),
    ),
  );
  return rows;
}

/** SQLite inserts in batches of a sync (one transaction each), per message. */
async function storeInBatches(records: MessageRecord[]): Promise<Measurement> {
  const dirs = tempDirs();
  const store = createSqliteStore({ path: join(dirs.make('parley-bench-'), 'bench.db') });
  await store.open();
  try {
    const perMessage: number[] = [];
    const start = performance.now();
    for (let i = 0; i < records.length; i += SYNC_BATCH_MAX) {
      const batch = records.slice(i, i + SYNC_BATCH_MAX);
      const t = performance.now();
      await store.addMessages(batch);
      perMessage.push((performance.now() - t) / batch.length);
    }
    const total = performance.now() - start;
    perMessage.sort((a, b) => a - b);
    return {
      name: `store it, ${SYNC_BATCH_MAX} per transaction (per message)`,
      ops: records.length,
      opsPerSecond: Math.round((records.length / total) * 1000),
      p50Us: Math.round(percentile(perMessage, 0.5) * 1000),
      p99Us: Math.round(percentile(perMessage, 0.99) * 1000),
    };
  } finally {
    await store.close();
    dirs.cleanup();
  }
}
