// Training-run benchmark cell: one complete runTraining with the job's config, after the rules' cooldown. The
// measured iteration is a training step; runTraining reports only its step-time p50 and p90, so those are the
// percentiles a training-run result carries (others requested are left out and named in details). The whole run
// counts (no warm-up exclusion): its wall time and test accuracy are the point of this kind. Valid when the run
// took at least minIterations steps and minDurationMs.
import { activeBackend } from '../backend/init.js';
import { runTraining } from '../train/run.js';
import type { TrainCallbacks, TrainResult } from '../train/types.js';
import type { TrainConfig } from '../train/config.js';
import { readDeviceConditions, type ConditionsReader } from './device-conditions.js';
import { identityOf } from './outcome.js';
import { realClock, type BenchClock } from './run-rules.js';
import type { BenchmarkCallbacks, BenchmarkOutcome, PercentileValue, TrainingBenchmarkRequest } from './types.js';

export type TrainingRunner = (config: TrainConfig, callbacks: TrainCallbacks) => Promise<TrainResult>;

export interface TrainingRunBenchmarkOptions {
  readonly clock?: BenchClock;
  readonly readConditions?: ConditionsReader;
  /** Default: the engine's runTraining. */
  readonly runTraining?: TrainingRunner;
}

const REPORTED_PERCENTILES = [50, 90] as const;

export async function runTrainingRunBenchmark(
  request: TrainingBenchmarkRequest,
  callbacks: BenchmarkCallbacks = {},
  options: TrainingRunBenchmarkOptions = {},
): Promise<BenchmarkOutcome> {
  const { rules, config } = request;
  const clock = options.clock ?? realClock;
  const read = options.readConditions ?? readDeviceConditions;
  const train = options.runTraining ?? ((c, cb) => runTraining(c, cb));
  const start = read();
  if (rules.cooldownMs > 0) {
    callbacks.onProgress?.({ phase: 'cooldown', side: 'training', iterations: 0, targetIterations: rules.minIterations, elapsedMs: 0, targetMs: rules.minDurationMs });
    await clock.sleep(rules.cooldownMs, callbacks.signal);
  }
  callbacks.signal?.throwIfAborted();
  const result = await train(config, {
    signal: callbacks.signal,
    ...(callbacks.onMaskEvent ? { onMaskEvent: callbacks.onMaskEvent } : {}),
    onProgress: (p) =>
      callbacks.onProgress?.({ phase: 'measuring', side: 'training', iterations: p.step, targetIterations: p.totalSteps, elapsedMs: p.elapsedMs, targetMs: rules.minDurationMs }),
  });
  const end = read();
  const byPercentile: Record<number, number> = { 50: result.stepMsP50, 90: result.stepMsP90 };
  const percentiles: PercentileValue[] = rules.percentiles
    .filter((q) => q in byPercentile)
    .map((percentile) => ({ percentile, value: byPercentile[percentile] }));
  const unavailable = rules.percentiles.filter((q) => !REPORTED_PERCENTILES.some((r) => r === q));
  const invalidReasons: string[] = [];
  if (result.steps < rules.minIterations) invalidReasons.push(`minimum iterations not met: ${result.steps} steps of ${rules.minIterations}`);
  if (result.wallMs < rules.minDurationMs) invalidReasons.push(`minimum duration not met: ${result.wallMs.toFixed(0)} ms of ${rules.minDurationMs} ms`);
  const state = result.modelState;
  return {
    ...identityOf(request),
    latency: {
      iterations: result.steps,
      durationMs: result.wallMs,
      percentiles,
      meanMs: result.steps > 0 ? result.wallMs / result.steps : 0,
      minMs: 0,
    },
    speedup: 0,
    speedupVsTfjs: 0,
    threads: { measured: threadsOf(result.backend), baseline: 0, tfjs: 0 },
    gflops: 0,
    peakMemoryBytes: Math.max(result.peakRssBytes, result.peakTensorBytes),
    modelStateBytes: state?.totalBytes ?? 0,
    denseModelStateBytes: state?.denseTotalBytes ?? 0,
    testAccuracy: result.testAccuracy,
    drift: [],
    valid: invalidReasons.length === 0,
    invalidReasons,
    start,
    end,
    backend: result.backend,
    compute: config.method === 'dense' ? 'dense' : (result.compute ?? 'masked-dense'),
    details: {
      dataSource: result.dataSource,
      epochs: result.epochs,
      finalDensity: result.finalDensity,
      meanMsIncludes: 'evaluation and data loading (wall time / steps)',
      ...(unavailable.length === 0 ? {} : { percentilesUnavailable: unavailable.join(',') }),
      ...(result.computeFallbackReason === undefined ? {} : { computeFallbackReason: result.computeFallbackReason }),
    },
  };
}

/** Threads of the backend the run trained on, as the last initBackend described it; 0 when unknown. */
function threadsOf(backend: string): number {
  const active = activeBackend();
  return active !== undefined && active.name === backend ? active.threads : 0;
}
