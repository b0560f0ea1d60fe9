// Kernel benchmark cell: one op × scheme × shape × density on the WASM SIMD sparse kernels. The speedup divides by a
// same-harness dense baseline: the same op on the project's own dense SIMD kernels with every weight kept, in the
// same kernel memory layout, with the same thread count and the same timing loop (kernel-cases.ts). The fastest
// dense tfjs path of the op is measured too and reported as a second, labelled figure (speedupVsTfjs): at small
// shapes tfjs's fixed per-call dispatch cost dominates it, so it says how much faster than stock tfjs the kernels
// are, not how much sparsity buys. The three sides run under the same run rules in this process, interleaved in
// rounds (interleave.ts) so changes in the machine's load hit them alike, and with iterations of the sparse side
// batched up to the baseline's call length (kernel-measure.ts) so preemption on a shared CPU hits them alike too; a
// side with several variants is first narrowed to its fastest by a quick probe.
import { initBackend } from '../backend/init.js';
import { KernelRuntime } from '../kernels/runtime.js';
import { MemoryPeaks } from '../train/metrics.js';
import { createBaselineKernelCases, createDenseKernelCases, createSparseKernelCases, KERNEL_THREADS } from './kernel-cases.js';
import { measureInterleaved } from './interleave.js';
import { batchedIteration, calibrateCalls, DEFAULT_SAMPLE_TARGET_MS, equalizedSampleTarget, pickFastestVariant, type CallMeasureOptions } from './kernel-measure.js';
import { realClock } from './run-rules.js';
import { kernelGeometry, splitKernelOp } from './kernel-operands.js';
import { median } from './latency.js';
import { compareSides, identityOf } from './outcome.js';
import type { BenchmarkCallbacks, BenchmarkOutcome, BenchmarkProgress, KernelBenchmarkRequest } from './types.js';

export interface KernelBenchmarkOptions extends Pick<CallMeasureOptions, 'clock' | 'readConditions' | 'sampleTargetMs'> {
}

/** Useful GFLOP/s of `flop` per call at a p50 of `p50Ms`; 0 without a positive p50. */
function gflopsOf(flop: number, p50Ms: number): number {
  return p50Ms > 0 ? flop / p50Ms / 1e6 : 0;
}

export async function runKernelBenchmark(
  request: KernelBenchmarkRequest,
  callbacks: BenchmarkCallbacks = {},
  options: KernelBenchmarkOptions = {},
): Promise<BenchmarkOutcome> {
  const { family, direction } = splitKernelOp(request.op);
  const geometry = kernelGeometry(family, request.shape);
  const backend = await initBackend(request.denseBackend ?? 'wasm');
  callbacks.onProgress?.({ phase: 'setup', side: 'sparse', iterations: 0, targetIterations: request.rules.minIterations, elapsedMs: 0, targetMs: request.rules.minDurationMs });
  const runtime = await KernelRuntime.load(await KernelRuntime.compileDefault());
  const sparse = createSparseKernelCases(runtime, geometry, request.scheme, request.density, request.seed);
  if (sparse === undefined) throw new Error(`scheme '${request.scheme}' cannot express ${request.op} at shape ${request.shape.join('x')} and density ${request.density}`);
  const baseline = createBaselineKernelCases(runtime, geometry, request.seed + 2);
  const tfjs = createDenseKernelCases(geometry, request.seed + 1);
  const memory = new MemoryPeaks();
  const progress = (side: BenchmarkProgress['side']) => (p: Omit<BenchmarkProgress, 'side'>): void => {
    memory.sample();
    callbacks.onProgress?.({ ...p, side });
  };
  const clock = options.clock ?? realClock;
  const probeOptions: CallMeasureOptions = { clock, readConditions: options.readConditions, sampleTargetMs: options.sampleTargetMs, signal: callbacks.signal };
  try {
    memory.sample();
    const baselineChoice = await pickFastestVariant(baseline.cases[direction].variants, probeOptions);
    callbacks.signal?.throwIfAborted();
    const tfjsChoice = await pickFastestVariant(tfjs.cases[direction].variants, probeOptions);
    callbacks.signal?.throwIfAborted();
    const calls = [sparse.calls[direction], baselineChoice.call, tfjsChoice.call];
    // Iterations of the sparse side and its baseline last about as long as each other (see equalizedSampleTarget).
    const target = equalizedSampleTarget(calls.slice(0, 2), options.sampleTargetMs ?? DEFAULT_SAMPLE_TARGET_MS, () => clock.now());
    const batch = calls.map((call) => calibrateCalls(call, target, () => clock.now()));
    const sides = (['sparse', 'dense', 'tfjs'] as const).map((side, i) => ({ iteration: batchedIteration(calls[i], batch[i]), callsPerIteration: batch[i], onProgress: progress(side) }));
    const [sparseMeasurement, baselineMeasurement, tfjsMeasurement] = await measureInterleaved(sides, request.rules, {
      clock,
      readConditions: options.readConditions,
      signal: callbacks.signal,
    });
    memory.sample();
    const compared = compareSides({ sparse: sparseMeasurement, baseline: baselineMeasurement, baselineName: 'dense-simd-kernel', tfjs: tfjsMeasurement });
    return {
      ...identityOf(request),
      ...compared,
      gflops: gflopsOf(sparse.flop, median(sparseMeasurement.latencies)),
      threads: { measured: KERNEL_THREADS, baseline: KERNEL_THREADS, tfjs: backend.threads },
      peakMemoryBytes: memory.rssBytes,
      modelStateBytes: 0,
      denseModelStateBytes: 0,
      testAccuracy: -1,
      backend: backend.name,
      compute: 'sparse-kernels',
      details: {
        format: sparse.format,
        nnz: sparse.nnz,
        densePath: baselineChoice.path,
        denseNnz: baseline.nnz,
        denseGflops: gflopsOf(baseline.cases[direction].flop, median(baselineMeasurement.latencies)),
        tfjsPath: tfjsChoice.path,
        tfjsGflops: gflopsOf(tfjs.cases[direction].flop, median(tfjsMeasurement.latencies)),
        callsPerIteration: batch[0],
        denseCallsPerIteration: batch[1],
        tfjsCallsPerIteration: batch[2],
        kernelHeapBytes: runtime.raw.memory.buffer.byteLength,
      },
    };
  } finally {
    tfjs.dispose();
    runtime.reset();
  }
}
