/**
 * `node --import tsx bench/message-latency-alone.ts [samples] [here|processes|both|two]`: only
 * the message latency rows (rooms of 2, 5 and 10), for finding where a message's time goes
 * without the rest of the report, in finer figures than the report's. Default: 200 samples,
 * both ways. `two`: a room of 2 with only its two nodes running, data on disk, then in memory.
 */
import type { Latency } from './latency';
import {
  messageLatency,
  messageLatencyAcrossProcesses,
  roomOfTwoAlone,
  type RoomLatency,
} from './message-latency.bench';

const ROOM_SIZES = [2, 5, 10];
const samples = Number(process.argv[2] ?? 200);
const which = process.argv[3] ?? 'both';

const print = (l: Latency): void =>
  console.log(`${l.name}: p50 ${l.p50Ms.toFixed(2)} ms, p99 ${l.p99Ms.toFixed(2)} ms`);
const printAll = (rooms: RoomLatency[]): void =>
  rooms.forEach((r) => [r.all, r.firstOther, r.answered].forEach(print));

if (which === 'two') {
  printAll(await roomOfTwoAlone(samples, ', only its 2 nodes running'));
  printAll(await roomOfTwoAlone(samples, ', only its 2 nodes, data in memory', '/dev/shm'));
} else {
  if (which !== 'processes') printAll(await messageLatency(ROOM_SIZES, samples));
  if (which !== 'here') printAll(await messageLatencyAcrossProcesses(ROOM_SIZES, samples));
}
