/**
 * Latencies in milliseconds (one sample per event, timed by the benchmark itself rather than
 * by running an operation in a loop), summarised as percentiles, and their Markdown table with
 * each row's goal beside it. Benchmarks report; they never assert.
 */
import { percentile } from './measure';

export interface Latency {
  name: string;
  samples: number;
  p50Ms: number;
  p99Ms: number;
}

export function latency(name: string, samplesMs: readonly number[]): Latency {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return {
    name,
    samples: sorted.length,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
  };
}

/** A latency with the goal it is held to and how its p50 compares ('' where there is none). */
export interface LatencyRow extends Latency {
  goal: string;
  againstGoal: string;
}

const ms = (value: number): string => value.toFixed(1);

export function latencyTable(rows: LatencyRow[]): string {
  const lines = [
    '| measurement | samples | p50 ms | p99 ms | goal | p50 against the goal |',
    '| --- | ---: | ---: | ---: | --- | --- |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.name} | ${r.samples} | ${ms(r.p50Ms)} | ${ms(r.p99Ms)} | ${r.goal} | ${r.againstGoal} |`,
    );
  }
  return lines.join('\n');
}
