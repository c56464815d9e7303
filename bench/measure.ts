/**
 * Tiny measuring helpers for benchmarks: run an operation for a fixed count after a warm-up and
 * report operations per second and percentiles. Benchmarks report; they never assert.
 */
import { performance } from 'node:perf_hooks';

export interface Measurement {
  name: string;
  ops: number;
  opsPerSecond: number;
  p50Us: number;
  p99Us: number;
}

export async function measure(
  name: string,
  count: number,
  op: (i: number) => unknown | Promise<unknown>,
): Promise<Measurement> {
  for (let i = 0; i < Math.min(100, count); i++) await op(i);
  const samples = new Float64Array(count);
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await op(i);
    samples[i] = performance.now() - t;
  }
  const total = performance.now() - start;
  samples.sort();
  return {
    name,
    ops: count,
    opsPerSecond: Math.round((count / total) * 1000),
    p50Us: Math.round(percentile(samples, 0.5) * 1000),
    p99Us: Math.round(percentile(samples, 0.99) * 1000),
  };
}

/** The `q` quantile of samples sorted in ascending order (the sample at rank ⌊n·q⌋). */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN;
}

export function table(rows: Measurement[]): string {
  const lines = ['| operation | ops/s | p50 µs | p99 µs |', '| --- | ---: | ---: | ---: |'];
  for (const r of rows) lines.push(`| ${r.name} | ${r.opsPerSecond} | ${r.p50Us} | ${r.p99Us} |`);
  return lines.join('\n');
}
