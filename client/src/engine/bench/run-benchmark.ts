// runBenchmark: one benchmark-campaign cell in this process, dispatched by kind. Rejects with the abort reason when
// the signal aborts (like runTraining), so a cancelled cell never reports a partial result as a measurement.
import { runKernelBenchmark, type KernelBenchmarkOptions } from './kernel-bench.js';
import { runStepBenchmark, type StepBenchmarkOptions } from './step-bench.js';
import { runTrainingRunBenchmark, type TrainingRunBenchmarkOptions } from './training-run-bench.js';
import type { BenchmarkCallbacks, BenchmarkOutcome, BenchmarkRequest } from './types.js';

export type RunBenchmarkOptions = KernelBenchmarkOptions & StepBenchmarkOptions & TrainingRunBenchmarkOptions;

export async function runBenchmark(
  request: BenchmarkRequest,
  callbacks: BenchmarkCallbacks = {},
  options: RunBenchmarkOptions = {},
): Promise<BenchmarkOutcome> {
  callbacks.signal?.throwIfAborted();
  let outcome: BenchmarkOutcome;
  switch (request.kind) {
    case 'kernel':
      outcome = await runKernelBenchmark(request, callbacks, options);
      break;
    case 'training-step':
      outcome = await runStepBenchmark(request, callbacks, options);
      break;
    case 'training-run':
      outcome = await runTrainingRunBenchmark(request, callbacks, options);
      break;
  }
  callbacks.signal?.throwIfAborted();
  return outcome;
}
