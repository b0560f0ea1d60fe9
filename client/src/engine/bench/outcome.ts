// Turning the measurements of a sparse side, its same-harness dense baseline and (kernel cells) the stock tfjs op
// into one BenchmarkOutcome's shared fields.
import { median } from './latency.js';
import type { RunRulesMeasurement } from './run-rules.js';
import type { BaselineName, BenchmarkOutcome, BenchmarkRequest } from './types.js';

export type ComparedFields = Pick<
  BenchmarkOutcome,
  'latency' | 'dense' | 'baseline' | 'speedup' | 'tfjs' | 'speedupVsTfjs' | 'drift' | 'valid' | 'invalidReasons' | 'start' | 'end'
>;

export interface ComparedSides {
  readonly sparse: RunRulesMeasurement;
  /** The speedup's denominator, measured in the same harness. */
  readonly baseline: RunRulesMeasurement;
  readonly baselineName: BaselineName;
  /** The stock tfjs op, when measured: a second figure that never enters `speedup`. */
  readonly tfjs?: RunRulesMeasurement;
}

/** p50 of `other` / p50 of `sparse`; 0 when the sparse side has no positive median. */
function ratio(other: RunRulesMeasurement, sparse: RunRulesMeasurement): number {
  const sparseP50 = median(sparse.latencies);
  return sparseP50 > 0 ? median(other.latencies) / sparseP50 : 0;
}

/**
 * Validity needs every measured side valid; reasons name their side ("sparse: ", "dense: ", "tfjs: ").
 * speedup = baseline p50 / sparse p50, speedupVsTfjs = tfjs p50 / sparse p50.
 */
export function compareSides(sides: ComparedSides): ComparedFields {
  const { sparse, baseline, tfjs } = sides;
  const invalidReasons = [
    ...sparse.invalidReasons.map((r) => `sparse: ${r}`),
    ...baseline.invalidReasons.map((r) => `dense: ${r}`),
    ...(tfjs?.invalidReasons ?? []).map((r) => `tfjs: ${r}`),
  ];
  return {
    latency: sparse.summary,
    dense: baseline.summary,
    baseline: sides.baselineName,
    speedup: ratio(baseline, sparse),
    ...(tfjs === undefined ? {} : { tfjs: tfjs.summary }),
    speedupVsTfjs: tfjs === undefined ? 0 : ratio(tfjs, sparse),
    drift: sparse.drift,
    valid: invalidReasons.length === 0,
    invalidReasons,
    start: sparse.start,
    end: (tfjs ?? baseline).end,
  };
}

export function identityOf(request: BenchmarkRequest): Pick<BenchmarkOutcome, 'campaignId' | 'cellId' | 'kind' | 'rules'> {
  return { campaignId: request.campaignId, cellId: request.cellId, kind: request.kind, rules: request.rules };
}
