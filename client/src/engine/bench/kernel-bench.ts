// Kernel benchmark cell: one op × scheme × shape × density on the WASM SIMD sparse kernels against the fastest dense
// tfjs path for the same op, both measured under the same run rules in this process.
import { initBackend } from '../backend/init.js';
import { KernelRuntime } from '../kernels/runtime.js';
import { MemoryPeaks } from '../train/metrics.js';
import { createDenseKernelCases, createSparseKernelCases } from './kernel-cases.js';
import { measureBestDense, measureCall, type CallMeasureOptions } from './kernel-measure.js';
import { kernelGeometry, splitKernelOp } from './kernel-operands.js';
import { median } from './latency.js';
import { compareSides, identityOf } from './outcome.js';
import type { BenchmarkCallbacks, BenchmarkOutcome, KernelBenchmarkRequest } from './types.js';

export interface KernelBenchmarkOptions extends Pick<CallMeasureOptions, 'clock' | 'readConditions' | 'sampleTargetMs'> {
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
  const dense = createDenseKernelCases(geometry, request.seed + 1);
  const memory = new MemoryPeaks();
  const measureOptions = (side: 'sparse' | 'dense'): CallMeasureOptions => ({
    clock: options.clock,
    readConditions: options.readConditions,
    sampleTargetMs: options.sampleTargetMs,
    signal: callbacks.signal,
    onProgress: (p) => {
      memory.sample();
      callbacks.onProgress?.({ ...p, side });
    },
  });
  try {
    memory.sample();
    const sparseMeasurement = await measureCall(sparse.calls[direction], request.rules, measureOptions('sparse'));
    callbacks.signal?.throwIfAborted();
    const denseChoice = await measureBestDense(dense.cases[direction].variants, request.rules, measureOptions('dense'));
    memory.sample();
    const compared = compareSides(sparseMeasurement, denseChoice.measurement);
    const sparseP50 = median(sparseMeasurement.latencies);
    return {
      ...identityOf(request),
      ...compared,
      gflops: sparseP50 > 0 ? sparse.flop / sparseP50 / 1e6 : 0,
      peakMemoryBytes: memory.rssBytes,
      modelStateBytes: 0,
      denseModelStateBytes: 0,
      testAccuracy: -1,
      backend: backend.name,
      compute: 'sparse-kernels',
      details: {
        format: sparse.format,
        nnz: sparse.nnz,
        densePath: denseChoice.path,
        denseGflops: median(denseChoice.measurement.latencies) > 0 ? dense.cases[direction].flop / median(denseChoice.measurement.latencies) / 1e6 : 0,
        callsPerIteration: sparseMeasurement.callsPerIteration,
        denseCallsPerIteration: denseChoice.measurement.callsPerIteration,
        kernelHeapBytes: runtime.raw.memory.buffer.byteLength,
      },
    };
  } finally {
    dense.dispose();
    runtime.reset();
  }
}
