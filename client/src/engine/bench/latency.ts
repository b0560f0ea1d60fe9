// Latency statistics shared by every benchmark: requested percentiles (numpy 'linear', as util/select), mean, min.
import { percentileLinear } from '../util/select.js';
import type { LatencySummary, PercentileValue } from './types.js';

/** p50/p90/p99 per device, as a benchmark suite publishes them (the campaign spec's default too). */
export const DEFAULT_PERCENTILES: readonly number[] = [50, 90, 99];

export function summarizeLatencies(latencies: ArrayLike<number>, percentiles: readonly number[], durationMs: number): LatencySummary {
  const n = latencies.length;
  if (n === 0) return { iterations: 0, durationMs, percentiles: percentiles.map((percentile) => ({ percentile, value: 0 })), meanMs: 0, minMs: 0 };
  let total = 0;
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    total += latencies[i];
    if (latencies[i] < min) min = latencies[i];
  }
  return {
    iterations: n,
    durationMs,
    percentiles: percentiles.map((percentile) => ({ percentile, value: percentileLinear(latencies, percentile) })),
    meanMs: total / n,
    minMs: min,
  };
}

/** The value at `percentile` (e.g. 50) of a summary; NaN when that percentile was not requested. */
export function percentileOf(summary: LatencySummary, percentile: number): number {
  return summary.percentiles.find((p: PercentileValue) => p.percentile === percentile)?.value ?? Number.NaN;
}

export function median(latencies: ArrayLike<number>): number {
  return latencies.length === 0 ? 0 : percentileLinear(latencies, 50);
}
