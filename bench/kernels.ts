// Kernel benchmark: the AssemblyScript WASM SIMD sparse kernels against the best 1-thread tfjs-wasm dense path per op.
//   npm run build:kernels && npx tsc -p tsconfig.build.json && node dist/bench/kernels.js [--quick] [--json FILE] [--threads-only]
// A second table times the same sparse kernels on 1 thread (SIMD build) and on N threads (threads build + worker
// pool, N = the cores, at least 2) at d = 0.1, batch >= 64, alternating the two in every sample (`thread_scaling`).
// The operands, dense variants and timing are the engine's benchmark code (client/src/engine/bench/), the same a
// campaign's kernel cell runs: sparse operands stay in kernel memory in the kernels' layouts (X[K][M],
// X[C][H][W][M]); layout transposes and heap copies are not timed; dense calls include the output readback
// (dataSync). Every figure is the median (p50) of `samples` iterations under the run-rules executor, each
// iteration a batch of calls calibrated to last at least `targetMs`. GFLOP/s counts 2·nnz·(batch·pixels) for
// sparse and 2·(all weights)·(batch·pixels) for dense.
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { createDenseKernelCases, createSparseKernelCases } from '../client/src/engine/bench/kernel-cases.js';
import { calibrateCalls, measureBestDense, measureCall } from '../client/src/engine/bench/kernel-measure.js';
import { KERNEL_DIRECTIONS, type KernelDirection, type KernelGeometry } from '../client/src/engine/bench/kernel-operands.js';
import { median } from '../client/src/engine/bench/latency.js';
import type { KernelScheme, RunRules } from '../client/src/engine/bench/types.js';
import { KernelRuntime } from '../client/src/engine/kernels/runtime.js';

interface BenchRecord {
  op: string;
  scheme: string;
  shape: string;
  density: number;
  backend: 'wasm-simd';
  dense_backend: 'tfjs-wasm-1t';
  nnz: number;
  sparse_ms: number;
  dense_ms: number;
  dense_path: string;
  speedup: number;
  sparse_gflops: number;
  dense_gflops: number;
}

interface ThreadRecord {
  op: string;
  scheme: string;
  shape: string;
  density: number;
  threads: number;
  one_thread_ms: number;
  threaded_ms: number;
  thread_scaling: number;
}

interface Timing {
  readonly targetMs: number;
  readonly samples: number;
}

interface ShapeCase {
  readonly label: string;
  readonly geometry: KernelGeometry;
  readonly schemes: readonly KernelScheme[];
  /** Seed of the sparse operands at `density`. */
  seed(density: number): number;
}

const DENSITIES = [0.5, 0.2, 0.1, 0.05];
const LINEAR_SHAPES: [number, number, number][] = [[64, 512, 512], [128, 1152, 128], [256, 784, 300]];
const CONV_SHAPES = [
  { label: '3x3 64->64 16x16 B32', cin: 64, cout: 64, h: 16, w: 16, batch: 32 },
  { label: '3x3 32->64 14x14 B64 (fmnist cnn conv2)', cin: 32, cout: 64, h: 14, w: 14, batch: 64 },
];

function shapeCases(): ShapeCase[] {
  const linear = LINEAR_SHAPES.map(([M, K, N]): ShapeCase => ({
    label: `${M}x${K}x${N}`,
    geometry: { family: 'linear', batch: M, inFeatures: K, outFeatures: N },
    schemes: ['irregular', 'block', 'shuffled-block', 'channel'],
    seed: (density) => 17 + M + Math.round(density * 1000),
  }));
  const conv = CONV_SHAPES.map((s): ShapeCase => ({
    label: s.label,
    geometry: { family: 'conv', batch: s.batch, height: s.h, width: s.w, inChannels: s.cin, outChannels: s.cout, k: 3 },
    schemes: ['irregular', 'pattern', 'block', 'channel'],
    seed: (density) => 29 + s.cin + Math.round(density * 1000),
  }));
  return [...linear, ...conv];
}

/** The old "median of `samples` calibrated samples" as run rules: no cooldown or duration minimum. */
function rulesOf(timing: Timing): RunRules {
  return { warmupIterations: 0, minIterations: timing.samples, minDurationMs: 0, percentiles: [50], cooldownMs: 0, sustainedDurationMs: 0, driftWindowMs: 0 };
}

async function benchShape(rt: KernelRuntime, shape: ShapeCase, timing: Timing, records: BenchRecord[]): Promise<void> {
  const rules = rulesOf(timing);
  const measure = { sampleTargetMs: timing.targetMs };
  const denseCases = createDenseKernelCases(shape.geometry, shape.seed(0));
  const dense = {} as Record<KernelDirection, { ms: number; path: string; flop: number }>;
  try {
    for (const direction of KERNEL_DIRECTIONS) {
      const choice = await measureBestDense(denseCases.cases[direction].variants, rules, { ...measure, select: 'full' });
      dense[direction] = { ms: median(choice.measurement.latencies), path: choice.path, flop: denseCases.cases[direction].flop };
    }
  } finally {
    denseCases.dispose();
  }
  for (const scheme of shape.schemes) {
    for (const density of DENSITIES) {
      const mark = rt.mark();
      const sparse = createSparseKernelCases(rt, shape.geometry, scheme, density, shape.seed(density));
      if (sparse !== undefined) {
        for (const direction of KERNEL_DIRECTIONS) {
          const sparseMs = median((await measureCall(sparse.calls[direction], rules, measure)).latencies);
          const d = dense[direction];
          records.push({
            op: `${shape.geometry.family}-${direction}`,
            scheme,
            shape: shape.label,
            density,
            backend: 'wasm-simd',
            dense_backend: 'tfjs-wasm-1t',
            nnz: sparse.nnz,
            sparse_ms: sparseMs,
            dense_ms: d.ms,
            dense_path: d.path,
            speedup: d.ms / sparseMs,
            sparse_gflops: sparse.flop / sparseMs / 1e6,
            dense_gflops: d.flop / d.ms / 1e6,
          });
          printRow(records[records.length - 1]);
        }
      }
      rt.release(mark);
    }
  }
}

const THREAD_DENSITY = 0.1;
const THREAD_SCHEMES: readonly KernelScheme[] = ['irregular', 'block'];
const THREAD_COLUMNS = ['op', 'scheme', 'shape', 'density', 'threads', '1-thread ms', 'N-thread ms', 'x vs 1 thread'];

/** Median per-call ms of `a` and `b`, sampled alternately (a, b, a, b, …) so load changes hit both alike. */
function alternatingMedians(a: () => void, b: () => void, timing: Timing): [number, number] {
  const callsA = calibrateCalls(a, timing.targetMs);
  const callsB = calibrateCalls(b, timing.targetMs);
  const samplesA: number[] = [];
  const samplesB: number[] = [];
  for (let s = 0; s < Math.max(5, timing.samples); s++) {
    for (const [call, calls, out] of [[a, callsA, samplesA], [b, callsB, samplesB]] as const) {
      const start = performance.now();
      for (let i = 0; i < calls; i++) call();
      out.push((performance.now() - start) / calls);
    }
  }
  return [median(samplesA), median(samplesB)];
}

function benchThreads(single: KernelRuntime, pooled: KernelRuntime, shape: ShapeCase, timing: Timing, out: ThreadRecord[]): void {
  for (const scheme of THREAD_SCHEMES) {
    if (!shape.schemes.includes(scheme)) continue;
    const markA = single.mark();
    const markB = pooled.mark();
    const seed = shape.seed(THREAD_DENSITY);
    const one = createSparseKernelCases(single, shape.geometry, scheme, THREAD_DENSITY, seed);
    const many = createSparseKernelCases(pooled, shape.geometry, scheme, THREAD_DENSITY, seed);
    if (one !== undefined && many !== undefined) {
      for (const direction of KERNEL_DIRECTIONS) {
        const [oneMs, manyMs] = alternatingMedians(one.calls[direction], many.calls[direction], timing);
        const record = {
          op: `${shape.geometry.family}-${direction}`,
          scheme,
          shape: shape.label,
          density: THREAD_DENSITY,
          threads: pooled.threads,
          one_thread_ms: oneMs,
          threaded_ms: manyMs,
          thread_scaling: oneMs / manyMs,
        };
        out.push(record);
        const cells = [record.op, scheme, record.shape, THREAD_DENSITY.toFixed(2), String(record.threads), oneMs.toFixed(3), manyMs.toFixed(3), `x${record.thread_scaling.toFixed(2)}`];
        process.stdout.write(`| ${cells.join(' | ')} |\n`);
      }
    }
    single.release(markA);
    pooled.release(markB);
  }
}

const COLUMNS = ['op', 'scheme', 'shape', 'density', 'sparse ms', 'dense ms', 'speedup', 'sparse GF/s', 'dense GF/s'];

function printRow(rec: BenchRecord): void {
  const cells = [rec.op, rec.scheme, rec.shape, rec.density.toFixed(2), rec.sparse_ms.toFixed(3), rec.dense_ms.toFixed(3), `x${rec.speedup.toFixed(2)}`, rec.sparse_gflops.toFixed(1), rec.dense_gflops.toFixed(1)];
  process.stdout.write(`| ${cells.join(' | ')} |\n`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const jsonIndex = args.indexOf('--json');
  const jsonFile = jsonIndex >= 0 ? args[jsonIndex + 1] : undefined;
  if (jsonIndex >= 0 && !jsonFile) throw new Error('--json needs a file name');
  const timing: Timing = quick ? { targetMs: 8, samples: 3 } : { targetMs: 30, samples: 9 };

  await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend unavailable');
  await tf.ready();
  const threadsOnly = args.includes('--threads-only');
  const rt = await KernelRuntime.load();
  const threads = Math.max(2, Math.min(8, availableParallelism()));
  const pooled = await KernelRuntime.create({ threads });
  const meta = {
    node: process.version,
    tfjs: tf.version.tfjs,
    backend: tf.getBackend(),
    simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    quick,
    timing,
    threads: pooled.describe(),
    loadavg_start: loadavg(),
    date: new Date().toISOString(),
  };
  process.stdout.write(`# sparse kernels vs tfjs-wasm dense (${JSON.stringify(meta)})\n`);
  const records: BenchRecord[] = [];
  const started = performance.now();
  if (!threadsOnly) {
    process.stdout.write(`| ${COLUMNS.join(' | ')} |\n|${COLUMNS.map(() => ' --- ').join('|')}|\n`);
    for (const shape of shapeCases()) await benchShape(rt, shape, timing, records);
  }
  process.stdout.write(`\n# thread scaling at d = ${THREAD_DENSITY}: ${pooled.threads} threads (${pooled.describe().variant} build) vs 1 (simd), load average ${loadavg().map((v) => v.toFixed(2)).join(' ')}\n`);
  process.stdout.write(`| ${THREAD_COLUMNS.join(' | ')} |\n|${THREAD_COLUMNS.map(() => ' --- ').join('|')}|\n`);
  const threadRecords: ThreadRecord[] = [];
  for (const shape of shapeCases()) {
    if (shape.geometry.batch >= 64) benchThreads(rt, pooled, shape, timing, threadRecords);
  }
  await pooled.close();
  process.stdout.write(`# ${records.length} records in ${((performance.now() - started) / 1000).toFixed(1)} s, load average now ${loadavg().map((v) => v.toFixed(2)).join(' ')}\n`);
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify({ meta: { ...meta, loadavg_end: loadavg() }, records, thread_records: threadRecords }, null, 2));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
