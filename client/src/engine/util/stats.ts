// Small numeric summaries over typed arrays (Float64 accumulation), shared by the engine: scores, reports,
// step-time percentiles.
import { percentileLinear } from './select.js';

type Values = ArrayLike<number>;

export function sum(values: Values): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}

/** Arithmetic mean; NaN for an empty input. */
export function mean(values: Values): number {
  return values.length === 0 ? NaN : sum(values) / values.length;
}

/** Population variance (numpy's default ddof = 0); NaN for an empty input. */
export function variance(values: Values): number {
  if (values.length === 0) return NaN;
  const mu = mean(values);
  let total = 0;
  for (let i = 0; i < values.length; i++) total += (values[i] - mu) ** 2;
  return total / values.length;
}

export function l2Norm(values: Values): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i] * values[i];
  return Math.sqrt(total);
}

/** Mean of the strictly positive entries; 0 when there are none (DSB's score for grown positions). */
export function meanOfPositive(values: Values): number {
  let total = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] > 0) {
      total += values[i];
      count++;
    }
  }
  return count === 0 ? 0 : total / count;
}

/** numpy-style linear percentiles (q in [0, 100]) of the same values, e.g. step times at [50, 90]. */
export function percentiles(values: Values, qs: readonly number[]): number[] {
  return qs.map((q) => percentileLinear(values, q));
}
