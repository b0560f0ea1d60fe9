// Timing one kernel-sized call under the run rules. Calls far below a millisecond are timed in batches: a batch
// size is calibrated so one iteration lasts at least `sampleTargetMs`, and latencies are per call. A dense side
// with several variants (the dense SIMD baseline, the tfjs op) is measured as its fastest variant.
import { median } from './latency.js';
import { executeRunRules, realClock, type ExecutorOptions, type RunRulesMeasurement } from './run-rules.js';
import type { RunRules } from './types.js';

export const DEFAULT_SAMPLE_TARGET_MS = 1;
const MAX_CALLS_PER_ITERATION = 1 << 16;

export interface CallMeasureOptions extends Omit<ExecutorOptions, 'rules' | 'callsPerIteration'> {
  /** One iteration (a batch of calls) lasts at least this long (default 1 ms). */
  readonly sampleTargetMs?: number;
}

export interface CallMeasurement extends RunRulesMeasurement {
  readonly callsPerIteration: number;
}

/** Calls per iteration so that one iteration lasts at least `targetMs` (after one untimed call). */
export function calibrateCalls(call: () => void, targetMs: number, now: () => number = realClock.now): number {
  call();
  let reps = 1;
  for (;;) {
    const start = now();
    for (let i = 0; i < reps; i++) call();
    const elapsed = now() - start;
    if (elapsed >= targetMs || reps >= MAX_CALLS_PER_ITERATION) return reps;
    reps = Math.min(MAX_CALLS_PER_ITERATION, Math.max(reps * 2, Math.ceil((reps * targetMs) / Math.max(elapsed, 1e-3))));
  }
}

/** The shortest of `samples` timed calls (after one untimed call), ms. */
export function singleCallMs(call: () => void, now: () => number = realClock.now, samples = 3): number {
  call();
  let best = Infinity;
  for (let i = 0; i < samples; i++) {
    const start = now();
    call();
    best = Math.min(best, now() - start);
  }
  return best;
}

/**
 * The sample target that gives every compared side iterations of about the same length: at least `minTargetMs`
 * and at least one call of the slowest side. On a shared CPU a call shorter than a scheduler time slice often
 * runs uninterrupted while a longer one is preempted; timing short sparse calls against long dense calls would
 * then favour the sparse side, so the fast side is batched up to the slow side's call length.
 */
export function equalizedSampleTarget(calls: readonly (() => void)[], minTargetMs: number, now: () => number = realClock.now): number {
  let target = minTargetMs;
  for (const call of calls) target = Math.max(target, singleCallMs(call, now));
  return target;
}

export async function measureCall(call: () => void, rules: RunRules, options: CallMeasureOptions = {}): Promise<CallMeasurement> {
  const clock = options.clock ?? realClock;
  const calls = calibrateCalls(call, options.sampleTargetMs ?? DEFAULT_SAMPLE_TARGET_MS, () => clock.now());
  const iteration = batchedIteration(call, calls);
  const measurement = await executeRunRules(iteration, { ...options, rules, callsPerIteration: calls });
  return { ...measurement, callsPerIteration: calls };
}

export interface DenseChoice {
  readonly path: string;
  readonly measurement: CallMeasurement;
}

/** Rules of the quick probe that picks the fastest dense variant before the full measurement. */
export const DENSE_PROBE_RULES: RunRules = {
  warmupIterations: 1,
  minIterations: 5,
  minDurationMs: 0,
  percentiles: [50],
  cooldownMs: 0,
  sustainedDurationMs: 0,
  driftWindowMs: 0,
};

/**
 * The fastest dense variant by p50. 'probe' picks it with a quick probe and then measures it under the full rules
 * (campaign cells); 'full' measures every variant under the full rules and keeps the best (bench/kernels.ts).
 */
export async function measureBestDense(
  variants: Readonly<Record<string, () => void>>,
  rules: RunRules,
  options: CallMeasureOptions & { readonly select?: 'probe' | 'full' } = {},
): Promise<DenseChoice> {
  const entries = Object.entries(variants);
  if (entries.length === 0) throw new Error('no dense variant to measure');
  if (entries.length === 1) return { path: entries[0][0], measurement: await measureCall(entries[0][1], rules, options) };
  const full = options.select === 'full';
  let best: DenseChoice | undefined;
  for (const [path, call] of entries) {
    const measurement = await measureCall(call, full ? rules : DENSE_PROBE_RULES, full ? options : { ...options, onProgress: undefined });
    if (best === undefined || median(measurement.latencies) < median(best.measurement.latencies)) best = { path, measurement };
    if (options.signal?.aborted) break;
  }
  if (best === undefined) throw new Error('no dense variant was measured');
  if (full) return best;
  return { path: best.path, measurement: await measureCall(variants[best.path], rules, options) };
}

export interface VariantChoice {
  readonly path: string;
  readonly call: () => void;
}

/**
 * The fastest variant by the minimum of a quick probe (DENSE_PROBE_RULES, no progress): the minimum is the figure
 * least disturbed by other load on the machine. A single variant is taken as it is. The caller measures the choice
 * under the full rules.
 */
export async function pickFastestVariant(variants: Readonly<Record<string, () => void>>, options: CallMeasureOptions = {}): Promise<VariantChoice> {
  const entries = Object.entries(variants);
  if (entries.length === 0) throw new Error('no dense variant to measure');
  if (entries.length === 1) return { path: entries[0][0], call: entries[0][1] };
  let best: { path: string; call: () => void; fastest: number } | undefined;
  for (const [path, call] of entries) {
    const fastest = (await measureCall(call, DENSE_PROBE_RULES, { ...options, onProgress: undefined })).summary.minMs;
    if (best === undefined || fastest < best.fastest) best = { path, call, fastest };
    if (options.signal?.aborted) break;
  }
  if (best === undefined) throw new Error('no dense variant was measured');
  return { path: best.path, call: best.call };
}

/** One iteration of `calls` calls (the call itself when 1). */
export function batchedIteration(call: () => void, calls: number): () => void {
  return calls === 1 ? call : () => {
    for (let i = 0; i < calls; i++) call();
  };
}
