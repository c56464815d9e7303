/**
 * `node --import tsx bench/ingest-alone.ts [count]`: only the receiver-alone ingest row, for
 * profiling the receive path (`node --cpu-prof --import tsx bench/ingest-alone.ts`). Prints
 * the rate against this run's verify rate, and the process's CPU time per message during the
 * transfer (every thread, the pusher's small share included).
 */
import { baselines } from './baselines.bench';
import { receiverAloneIngest } from './ingest.bench';

const count = Number(process.argv[2] ?? 5000);
const verify = (await baselines()).verify;
const r = await receiverAloneIngest(count);
console.log(
  `${r.name}: ${r.messages} messages, ${Math.round(r.perSecond)}/s = ` +
    `${(r.perSecond / verify.opsPerSecond).toFixed(2)} × verify (${Math.round(verify.opsPerSecond)}/s, ` +
    `p50 ${verify.p50Us.toFixed(0)} µs); ${Math.round(r.cpuUsPerMessage)} µs CPU per message`,
);
