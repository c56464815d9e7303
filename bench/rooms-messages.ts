/**
 * The "Rooms and messages" section of the report: message latency in rooms of 2, 5 and 10,
 * sustained ingest, catch-up, key rotation and a node's memory, each held to its goal as a
 * ratio to the raw baselines measured in the same run. Progress goes to standard error, so that
 * standard output stays the Markdown report.
 *
 * PARLEY_BENCH_QUICK=1 leaves out the 100,000-message pieces (catch-up and memory), which take
 * about 45 s together.
 */
import fs from 'node:fs';
import { tempDirs, type TempDirs } from '../main/core/testing/temp-dir';
import type { Baselines } from './baselines.bench';
import { catchUp, type CatchUp } from './catch-up.bench';
import { contextRow, ratioVerdict } from './goals';
import { sustainedIngest } from './ingest.bench';
import { latencyTable, type LatencyRow } from './latency';
import { table } from './measure';
import {
  messageLatency,
  messageLatencyAcrossProcesses,
  roomOfTwoAlone,
  type RoomLatency,
} from './message-latency.bench';
import { messageSteps } from './message-steps.bench';
import { rotation } from './rotation.bench';
import { memorySection } from './rss.bench';

const ROOM_SIZES = [2, 5, 10];
const LATENCY_SAMPLES = 200;
/** A memory-backed file system, where `fsync` costs nothing (Linux). */
const IN_MEMORY = '/dev/shm';
const INGEST_MESSAGES = 5_000;
const STEP_MESSAGES = 5_000;
const CATCH_UP_SIZES = [10_000, 100_000];
const ROTATIONS: ReadonlyArray<[members: number, samples: number]> = [
  [10, 50],
  [50, 30],
  [200, 15],
];

const LATENCY_GOAL = 1.5;
const INGEST_GOAL = 0.7;
const CATCH_UP_GOAL = 0.8;
/**
 * "Cores used" by a catch-up: the CPU time this process spent per wall second during the
 * transfer (signatures are checked on a worker pool, so it can exceed 1), never less than 1.
 * It counts A's answering too (both nodes run here), so it overstates B's share.
 */
const coresUsed = (c: CatchUp): number => Math.max(1, c.coresBusy);
const ROTATION_GOAL = 1.3;

const quick = process.env.PARLEY_BENCH_QUICK === '1';
const us = (n: number): string => `${Math.round(n)} µs`;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** sign + seal + one-way wss + verify + open + insert, from the p50s of the baselines, in µs. */
function latencyBound(b: Baselines): { totalUs: number; text: string } {
  const parts: Array<[string, number]> = [
    ['sign', b.sign.p50Us],
    ['AES-GCM seal', b.aeadSeal.p50Us],
    ['wss one-way (½ round trip)', b.wssRoundTrip.p50Us / 2],
    ['verify', b.verify.p50Us],
    ['AES-GCM open', b.aeadOpen.p50Us],
    ['SQLite insert', b.insert.p50Us],
  ];
  const totalUs = parts.reduce((sum, [, v]) => sum + v, 0);
  return {
    totalUs,
    text: `${parts.map(([k, v]) => `${k} ${us(v)}`).join(' + ')} = ${us(totalUs)}`,
  };
}

async function latencySection(b: Baselines): Promise<string> {
  console.error('bench: message latency in rooms of 2, 5 and 10 members…');
  const bound = latencyBound(b);
  const rows: LatencyRow[] = [];
  const add = (rooms: RoomLatency[]): void => {
    for (const r of rooms) {
      const ratio = (r.all.p50Ms * 1000) / bound.totalUs;
      rows.push({
        ...r.all,
        goal: `p50 ≤ ${LATENCY_GOAL} × bound (${((LATENCY_GOAL * bound.totalUs) / 1000).toFixed(2)} ms)`,
        againstGoal: ratioVerdict(ratio, LATENCY_GOAL, 'bound'),
      });
      if (r.members > 2) rows.push(contextRow(r.firstOther, 'none (one hop, for comparison)'));
      rows.push(contextRow(r.answered, "none (the sender's part)"));
    }
  };
  add(await messageLatency(ROOM_SIZES, LATENCY_SAMPLES));
  console.error('bench: message latency again, one process a node…');
  add(await messageLatencyAcrossProcesses(ROOM_SIZES, LATENCY_SAMPLES));
  console.error('bench: message latency in a room of 2 alone, data on disk, then in memory…');
  add(await roomOfTwoAlone(LATENCY_SAMPLES, ', only its 2 nodes running'));
  if (fs.existsSync(IN_MEMORY)) {
    for (const r of await roomOfTwoAlone(
      LATENCY_SAMPLES,
      ', only its 2 nodes, data in memory',
      IN_MEMORY,
    )) {
      const ratio = (r.all.p50Ms * 1000) / bound.totalUs;
      rows.push(contextRow(r.all, `none (nothing waits for a disk: ${ratio.toFixed(2)} × bound)`));
      rows.push(contextRow(r.answered, "none (the sender's part)"));
    }
  }
  return [
    '### Message latency',
    '',
    'On loopback (discovery pinned to 127.0.0.1), two ways. The first rows: all nodes run in this one process, so the members of a room receive a message one after another on one thread, the sender\'s commit holds up every receiver, and the background work of earlier messages runs in between. The rows marked "one process a node": each node is a child process, as on a LAN, but all of them share this machine\'s cores and its disk (`fsync`s of several processes at once slow each other down). The rows marked "only its 2 nodes running": a room of 2 with no other node in this process, so no other room\'s background work runs in between; "data in memory": the same with both data folders in /dev/shm, where nothing waits for a disk, which is the floor of this path on this machine.',
    '',
    latencyTable(rows),
    '',
    `The bound, from the p50s of the raw baselines: ${bound.text}.`,
  ].join('\n');
}

interface RateRow {
  name: string;
  messages: number;
  perSecond: number;
  goal: string;
  againstGoal: string;
}

function rateTable(rows: RateRow[]): string {
  const lines = [
    '| measurement | messages | messages/s | goal | against the goal |',
    '| --- | ---: | ---: | --- | --- |',
  ];
  for (const r of rows)
    lines.push(
      `| ${r.name} | ${fmt(r.messages)} | ${fmt(r.perSecond)} | ${r.goal} | ${r.againstGoal} |`,
    );
  return lines.join('\n');
}

async function throughputSection(
  b: Baselines,
  dirs: TempDirs,
): Promise<{ text: string; loadedDir: string | undefined }> {
  const verifyRate = b.verify.opsPerSecond;
  console.error(`bench: sustained ingest of ${fmt(INGEST_MESSAGES)} messages…`);
  const rows: RateRow[] = (await sustainedIngest(INGEST_MESSAGES)).map((r) => ({
    ...r,
    goal: `≥ ${INGEST_GOAL} × verify (${fmt(INGEST_GOAL * verifyRate)}/s)`,
    againstGoal: ratioVerdict(r.perSecond / verifyRate, INGEST_GOAL, 'verify', false),
  }));
  const catchUps: CatchUp[] = [];
  for (const count of CATCH_UP_SIZES) {
    if (quick && count > 10_000) continue;
    console.error(`bench: catch-up of ${fmt(count)} messages…`);
    const c = await catchUp(dirs, count);
    catchUps.push(c);
    const floor = verifyRate * coresUsed(c);
    rows.push({
      name: `catch-up of ${fmt(count)} messages (first to last message.received)`,
      messages: count,
      perSecond: c.perSecond,
      goal: `≥ ${CATCH_UP_GOAL} × verify × ${coresUsed(c).toFixed(2)} cores (${fmt(CATCH_UP_GOAL * floor)}/s)`,
      againstGoal: ratioVerdict(c.perSecond / floor, CATCH_UP_GOAL, 'verify × cores', false),
    });
  }
  const details = catchUps.map(
    (c) =>
      `- ${fmt(c.messages)} messages: ${(c.totalMs / 1000).toFixed(1)} s from B's start() to the last message (${(c.transferMs / 1000).toFixed(1)} s of transfer); this process kept ${c.coresBusy.toFixed(2)} cores busy during the transfer; seeding A's store took ${(c.seedMs / 1000).toFixed(1)} s (not counted).`,
  );
  const text = [
    '### Ingest and catch-up',
    '',
    rateTable(rows),
    '',
    `The verify rate is the baseline's ${fmt(verifyRate)}/s. Ingest runs from the receiver's first message.received to its last; catch-up rows: A holds the history, B was offline and starts.`,
    '',
    ...details,
    ...(quick
      ? ['', 'PARLEY_BENCH_QUICK=1: the 100,000-message catch-up and memory rows were left out.']
      : []),
  ].join('\n');
  return { text, loadedDir: catchUps.find((c) => c.messages === 100_000)?.dataDir };
}

async function rotationSection(b: Baselines): Promise<string> {
  const rows: LatencyRow[] = [];
  const parts: string[] = [];
  for (const [members, samples] of ROTATIONS) {
    console.error(`bench: key rotation in a room of ${members}…`);
    const r = await rotation(members, samples);
    const derives = (members * b.ecdh.p50Us) / 1000;
    rows.push({
      ...r.admin,
      goal: `p50 ≤ ${ROTATION_GOAL} × ${members} ECDH (${(ROTATION_GOAL * derives).toFixed(1)} ms)`,
      againstGoal: ratioVerdict(r.admin.p50Ms / derives, ROTATION_GOAL, `${members} ECDH`),
    });
    rows.push(contextRow(r.oneThread, 'none'));
    rows.push(contextRow(r.member, 'none'));
    const p = r.partsP50Ms;
    parts.push(
      `- ${members} members: seal the new key to each ${p.seal.toFixed(1)} ms, sign the op ${p.sign.toFixed(1)} ms, fold the log with it ${p.fold.toFixed(1)} ms (p50s); process CPU time (every thread) ${r.adminCpuP50Ms.toFixed(1)} ms = ${(r.adminCpuP50Ms / derives).toFixed(2)} × ${members} ECDH; ${Math.round(r.onThreadShare * 100)} % of the derives ran on the ECDH thread.`,
    );
  }
  return [
    '### Key rotation',
    '',
    'Measured with the core modules (op-builder, the fold, epoch keys), not with hundreds of nodes. ECDH p50 from the baselines.',
    '',
    latencyTable(rows),
    '',
    ...parts,
  ].join('\n');
}

export async function roomsAndMessages(b: Baselines): Promise<string> {
  // Holds the 100,000-message folder from the catch-up to the memory rows.
  const dirs = tempDirs();
  try {
    const sections = [await latencySection(b)];
    const throughput = await throughputSection(b, dirs);
    sections.push(throughput.text);
    sections.push(await rotationSection(b));
    console.error('bench: a message step by step…');
    sections.push(
      [
        '### A message, step by step',
        '',
        'Core modules alone, per message, for reading the rows above against the baselines.',
        '',
        table(await messageSteps(STEP_MESSAGES)),
      ].join('\n'),
    );
    sections.push(await memorySection(throughput.loadedDir));
    return sections.join('\n\n');
  } finally {
    dirs.cleanup();
  }
}
