// A benchmark-campaign cell as a job: the spec's BenchmarkSpec becomes an engine BenchmarkRequest (the agent's
// backend filled in when the spec names none), the engine measures it, and the outcome comes back for the job
// runner to report as JobResult.benchmark.
import type { TrainingJobSpec } from '../../../protocol/src/index.js';
import type { BenchmarkOutcome, BenchmarkProgress, BenchmarkRequest } from '../engine/bench/types.js';
import type { TrainConfig } from '../engine/train/config.js';
import type { MaskEvent } from '../engine/train/types.js';
import type { TrainingEngine } from './training-engine.js';

export interface BenchmarkJobContext {
  readonly engine: TrainingEngine;
  /** Backend the agent initialised. */
  readonly backend: string | undefined;
  readonly signal: AbortSignal;
  readonly onProgress: (progress: BenchmarkProgress) => void;
  /** Training-run cells that report masks. */
  readonly onMaskEvent?: (event: MaskEvent) => void;
}

export function isBenchmarkSpec(spec: TrainingJobSpec): boolean {
  return spec.benchmark !== undefined;
}

/** Validates the cell (throws a readable error for a bad spec or an engine that cannot benchmark). */
export function benchmarkRequest(spec: TrainingJobSpec, engine: TrainingEngine, backend: string | undefined): BenchmarkRequest {
  if (engine.toBenchmarkRequest === undefined || engine.runBenchmark === undefined) {
    throw new Error("this agent's engine cannot run benchmark cells");
  }
  const request = engine.toBenchmarkRequest(spec);
  if (request.kind === 'kernel' || request.config.backend !== undefined || backend === undefined) return request;
  return { ...request, config: withAgentBackend(request.config, backend) };
}

export async function runBenchmarkCell(request: BenchmarkRequest, context: BenchmarkJobContext): Promise<BenchmarkOutcome> {
  const run = context.engine.runBenchmark;
  if (run === undefined) throw new Error("this agent's engine cannot run benchmark cells");
  return run.call(context.engine, request, {
    signal: context.signal,
    onProgress: (progress) => {
      if (!context.signal.aborted) context.onProgress(progress);
    },
    ...(context.onMaskEvent ? { onMaskEvent: context.onMaskEvent } : {}),
  });
}

/** The config with the agent's backend when it is one a run can ask for. */
export function withAgentBackend(config: TrainConfig, backend: string): TrainConfig {
  if (backend !== 'tensorflow' && backend !== 'wasm' && backend !== 'cpu') return config;
  return { ...config, backend };
}
