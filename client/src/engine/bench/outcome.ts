// Turning the measurements of a sparse side and its dense baseline into one BenchmarkOutcome's shared fields.
import { median } from './latency.js';
import type { RunRulesMeasurement } from './run-rules.js';
import type { BenchmarkOutcome, BenchmarkRequest } from './types.js';

export type ComparedFields = Pick<BenchmarkOutcome, 'latency' | 'dense' | 'speedup' | 'drift' | 'valid' | 'invalidReasons' | 'start' | 'end'>;

/** Validity needs both sides valid; reasons name their side. Speedup = dense p50 / sparse p50. */
export function compareSides(sparse: RunRulesMeasurement, dense: RunRulesMeasurement): ComparedFields {
  const sparseP50 = median(sparse.latencies);
  const denseP50 = median(dense.latencies);
  const invalidReasons = [...sparse.invalidReasons.map((r) => `sparse: ${r}`), ...dense.invalidReasons.map((r) => `dense: ${r}`)];
  return {
    latency: sparse.summary,
    dense: dense.summary,
    speedup: sparseP50 > 0 ? denseP50 / sparseP50 : 0,
    drift: sparse.drift,
    valid: invalidReasons.length === 0,
    invalidReasons,
    start: sparse.start,
    end: dense.end,
  };
}

export function identityOf(request: BenchmarkRequest): Pick<BenchmarkOutcome, 'campaignId' | 'cellId' | 'kind'> {
  return { campaignId: request.campaignId, cellId: request.cellId, kind: request.kind };
}
