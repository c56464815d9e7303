/**
 * `node --import tsx bench/rotation-ab.ts <checkout A> <checkout B> [members] [samples]`: the
 * admin's side of a key rotation (what bench/rotation.bench.ts times) in two checkouts of
 * Parley, alternated sample by sample in ONE process, with single ECDH derives timed between
 * the samples. On a shared machine two runs one after the other differ by more than most
 * changes do; alternating exposes both sides to the same load. Each checkout needs its own
 * node_modules (a link to the main checkout's will do).
 *
 * Prints, for each side, the wall-clock p50 against N × the ECDH p50, and the process CPU time
 * p50 against the CPU time of N derives in a row.
 */
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { ecdh } from '../main/core/crypto/ecdh';
import { generateEcKeyPair } from '../main/core/crypto/keys';
import type * as RoomsModule from '../main/core/rooms/index';
import type * as TestingModule from '../main/core/rooms/control-log.testing';

type Rooms = typeof RoomsModule;
type Testing = typeof TestingModule;

/** ms: wall total, seal, sign, fold; then process CPU time. */
type Sample = [wall: number, seal: number, sign: number, fold: number, cpu: number];

const [rootA, rootB] = process.argv.slice(2, 4).map((p) => resolve(p));
const members = Number(process.argv[4] ?? 50);
const samples = Number(process.argv[5] ?? 100);
if (rootA === undefined || rootB === undefined) {
  throw new Error('usage: rotation-ab.ts <checkout A> <checkout B> [members] [samples]');
}

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

/** One rotation of a room of `members` built with `root`'s modules, as a timed sample. */
async function rotationIn(root: string): Promise<() => Sample> {
  const rooms = (await import(`${root}/main/core/rooms/index.ts`)) as Rooms;
  const testing = (await import(`${root}/main/core/rooms/control-log.testing.ts`)) as Testing;
  const owner = testing.testDevice('Owner');
  const log = testing.testLog(owner, { capacity: Math.max(members, 10) });
  for (let i = 1; i < members; i++) log.invite(owner, testing.testDevice(`Member ${i}`));
  const { roomId, state, ops } = log;
  return () => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const plan = rooms.rotateAction(state, 'manual');
    const t1 = performance.now();
    const op = rooms.buildOp(state, roomId, owner, plan.action);
    const t2 = performance.now();
    const folded = rooms.foldOps(roomId, [...ops, op]);
    const t3 = performance.now();
    const cpu = cpuMs(c0);
    if (rooms.currentEpoch(folded)?.id !== plan.epoch?.id) throw new Error('refused');
    return [t3 - t0, t1 - t0, t2 - t1, t3 - t2, cpu];
  };
}

const a = await rotationIn(rootA);
const b = await rotationIn(rootB);
const alice = generateEcKeyPair();
const bob = generateEcKeyPair();
const derive = (): number => {
  const t = performance.now();
  ecdh(alice.privateKey, bob.publicKey);
  return performance.now() - t;
};
const derivesCpu = (): number => {
  const c0 = process.cpuUsage();
  for (let i = 0; i < members; i++) ecdh(alice.privateKey, bob.publicKey);
  return cpuMs(c0);
};

for (let i = 0; i < 100; i++) derive();
for (let i = 0; i < 5; i++) {
  a();
  b();
}
const ofA: Sample[] = [];
const ofB: Sample[] = [];
const derives: number[] = [];
const derivesCpuMs: number[] = [];
for (let i = 0; i < samples; i++) {
  for (let k = 0; k < 10; k++) derives.push(derive());
  derivesCpuMs.push(derivesCpu());
  // Each goes first every other time.
  if (i % 2 === 0) {
    ofA.push(a());
    ofB.push(b());
  } else {
    ofB.push(b());
    ofA.push(a());
  }
}

const p50 = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const ecdhMs = p50(derives);
const ecdhCpuMs = p50(derivesCpuMs);
console.log(
  `${members} members, ${samples} samples each: ECDH p50 ${(ecdhMs * 1000).toFixed(0)} µs; ` +
    `CPU of ${members} derives p50 ${ecdhCpuMs.toFixed(2)} ms`,
);
for (const [name, root, side] of [['A', rootA, ofA] as const, ['B', rootB, ofB] as const]) {
  const at = (j: number): number => p50(side.map((s) => s[j]!));
  console.log(
    `${name} ${root}: wall p50 ${at(0).toFixed(2)} ms = ${(at(0) / (members * ecdhMs)).toFixed(2)} × ` +
      `${members} ECDH; CPU p50 ${at(4).toFixed(2)} ms = ${(at(4) / ecdhCpuMs).toFixed(2)} × ` +
      `CPU of ${members} ECDH; seal ${at(1).toFixed(2)}, sign ${at(2).toFixed(2)}, fold ` +
      `${at(3).toFixed(2)} ms (p50s)`,
  );
}
