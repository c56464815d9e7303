/**
 * Key rotation in rooms of 10, 50 and 200 members, with the core modules rather than hundreds
 * of nodes: a control log with N members is built once with op-builder (test devices, no
 * store, no network), then each sample is what an admin's node does to rotate: make the action
 * (a fresh key sealed to each of the N members), sign it into an op, and fold the log with it
 * to see it accepted. Beside it, what one member does on receiving it: decode and verify the
 * op, fold, and unseal its own key.
 *
 * The admin's ECDH derives run as a node runs them: shared with the room service's ECDH thread
 * (crypto/ecdh-threads.ts), started and ready before the samples, as it is after a node's first
 * large rotation. Beside the wall-clock time, the process CPU time of each rotation (every
 * thread) is kept, so what the thread saves in waiting and what it costs in work both show.
 */
import { performance } from 'node:perf_hooks';
import { buildOp, currentEpoch, decodeSignedOp, foldOps, openSealedKey } from '../main/core/rooms';
import { rotateAction } from '../main/core/rooms/op-builder';
import { testDevice, testLog, type TestDevice } from '../main/core/rooms/control-log.testing';
import { createEcdhThreads } from '../main/core/crypto/ecdh-threads';
import { latency, type Latency } from './latency';

export interface Rotation {
  members: number;
  /** rotateAction + buildOp + fold, on the admin's side. */
  admin: Latency;
  /** The same, process CPU time (every thread), p50 in ms. */
  adminCpuP50Ms: number;
  /** Derives made on the ECDH thread, of all the admin's derives. */
  onThreadShare: number;
  /**
   * The same as `admin` with every derive on the calling thread, alternated with it sample by
   * sample: what a node's first rotation costs, before its ECDH thread has started.
   */
  oneThread: Latency;
  /** The parts of `admin`, p50 in ms. */
  partsP50Ms: { seal: number; sign: number; fold: number };
  /** decodeSignedOp + fold + openSealedKey, on one member's side. */
  member: Latency;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function rotation(members: number, samples: number, warmUp = 3): Promise<Rotation> {
  const owner = testDevice('Owner');
  const others: TestDevice[] = Array.from({ length: members - 1 }, (_, i) =>
    testDevice(`Member ${i + 1}`),
  );
  const log = testLog(owner, { capacity: Math.max(members, 10) });
  for (const d of others) log.invite(owner, d);
  const { roomId, state, ops } = log;
  const reader = others[others.length - 1] ?? owner;
  const threads = createEcdhThreads();
  await threads.warm();
  const admin: number[] = [];
  const adminCpu: number[] = [];
  const oneThread: number[] = [];
  const member: number[] = [];
  const parts = { seal: [] as number[], sign: [] as number[], fold: [] as number[] };
  for (let i = -warmUp; i < samples; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const plan = rotateAction(state, 'manual', threads);
    const t1 = performance.now();
    const op = buildOp(state, roomId, owner, plan.action);
    const t2 = performance.now();
    const folded = foldOps(roomId, [...ops, op]);
    const t3 = performance.now();
    const cpu = process.cpuUsage(c0);
    if (currentEpoch(folded)?.id !== plan.epoch?.id) throw new Error('the rotation was refused');

    const decoded = decodeSignedOp(op.bytes);
    if (!decoded.ok) throw new Error(`the rotation op does not decode: ${decoded.reason}`);
    const theirs = currentEpoch(foldOps(roomId, [...ops, decoded.op]))!;
    const key = openSealedKey(roomId, theirs.id, theirs.sealed.get(reader.deviceId)!, reader);
    const t4 = performance.now();
    if (key === null) throw new Error('a member could not open the new key');
    const t5 = performance.now();
    const alone = rotateAction(state, 'manual');
    foldOps(roomId, [...ops, buildOp(state, roomId, owner, alone.action)]);
    const t6 = performance.now();
    if (i < 0) continue;
    oneThread.push(t6 - t5);
    admin.push(t3 - t0);
    adminCpu.push((cpu.user + cpu.system) / 1000);
    parts.seal.push(t1 - t0);
    parts.sign.push(t2 - t1);
    parts.fold.push(t3 - t2);
    member.push(t4 - t3);
  }
  const onThreads = threads.derivesOnWorkers();
  await threads.close();
  return {
    members,
    adminCpuP50Ms: median(adminCpu),
    onThreadShare: onThreads / ((samples + warmUp) * members),
    admin: latency(`rotate a room of ${members}: seal to each, sign, fold (admin)`, admin),
    oneThread: latency(`the same, every derive on one thread (a node's first rotation)`, oneThread),
    partsP50Ms: { seal: median(parts.seal), sign: median(parts.sign), fold: median(parts.fold) },
    member: latency(`the same rotation received: verify, fold, unseal (a member)`, member),
  };
}
