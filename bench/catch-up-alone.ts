/**
 * `node --import tsx bench/catch-up-alone.ts [count]`: only the catch-up row, for profiling the
 * pulling side. Prints the rate against this run's verify rate times the cores the process kept
 * busy during the transfer (never counted below 1), as the goal counts them.
 */
import { baselines } from './baselines.bench';
import { catchUp } from './catch-up.bench';
import { tempDirs } from '../main/core/testing/temp-dir';

const count = Number(process.argv[2] ?? 10_000);
const verify = (await baselines()).verify;
const dirs = tempDirs();
try {
  const c = await catchUp(dirs, count);
  const cores = Math.max(1, c.coresBusy);
  console.log(
    `catch-up of ${count}: ${Math.round(c.perSecond)}/s, ${c.coresBusy.toFixed(2)} cores busy = ` +
      `${(c.perSecond / (verify.opsPerSecond * cores)).toFixed(2)} × verify × cores ` +
      `(verify ${Math.round(verify.opsPerSecond)}/s, p50 ${verify.p50Us.toFixed(0)} µs); ` +
      `${Math.round(((c.coresBusy * c.transferMs) / count) * 1000)} µs CPU per message`,
  );
} finally {
  dirs.cleanup();
}
