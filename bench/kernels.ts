// Kernel benchmark: the AssemblyScript WASM SIMD sparse kernels against the best 1-thread tfjs-wasm dense path per op.
//   npm run build:kernels && npx tsc -p tsconfig.build.json && node dist/bench/kernels.js [--quick] [--json FILE]
// Sparse operands stay in kernel memory in the kernels' layouts (X[K][M], X[C][H][W][M]); layout transposes and
// heap copies are not timed. Dense calls include the output readback (dataSync). Every figure is the median of
// repeated samples, each calibrated to a minimum duration. GFLOP/s counts 2·nnz·(batch·pixels) for sparse and
// 2·(all weights)·(batch·pixels) for dense.
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { createConvKernel } from '../client/src/engine/kernels/conv.js';
import { buildBlock4 } from '../client/src/engine/kernels/formats/block4.js';
import { buildChannelCompaction } from '../client/src/engine/kernels/formats/channel.js';
import { buildCsr } from '../client/src/engine/kernels/formats/csr.js';
import { buildPatternConv, MEST_PATTERNS } from '../client/src/engine/kernels/formats/pattern.js';
import { buildShuffledBlocks } from '../client/src/engine/kernels/formats/shuffled-block.js';
import type { SparseFormat } from '../client/src/engine/kernels/formats/types.js';
import { createLinearKernel } from '../client/src/engine/kernels/linear.js';
import { KernelRuntime, type WasmF32 } from '../client/src/engine/kernels/runtime.js';
import { convShape } from '../client/src/engine/sparse/types.js';
import { createRng, type Rng } from '../client/src/engine/util/rng.js';

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

interface Timing {
  readonly targetMs: number;
  readonly samples: number;
}

const DENSITIES = [0.5, 0.2, 0.1, 0.05];
const LINEAR_SHAPES: [number, number, number][] = [[64, 512, 512], [128, 1152, 128], [256, 784, 300]];
const CONV_SHAPES = [
  { label: '3x3 64->64 16x16 B32', cin: 64, cout: 64, h: 16, w: 16, batch: 32 },
  { label: '3x3 32->64 14x14 B64 (fmnist cnn conv2)', cin: 32, cout: 64, h: 14, w: 14, batch: 64 },
];
const SHUFFLED_BLOCK = 16;

/** Median per-call milliseconds over `samples`, each sample running enough calls to last `targetMs`. */
function measure(fn: () => void, timing: Timing): number {
  fn();
  let reps = 1;
  for (;;) {
    const start = performance.now();
    for (let i = 0; i < reps; i++) fn();
    const elapsed = performance.now() - start;
    if (elapsed >= timing.targetMs || reps >= 1 << 16) break;
    reps = Math.max(reps * 2, Math.ceil((reps * timing.targetMs) / Math.max(elapsed, 1e-3)));
  }
  const perCall: number[] = [];
  for (let s = 0; s < timing.samples; s++) {
    const start = performance.now();
    for (let i = 0; i < reps; i++) fn();
    perCall.push((performance.now() - start) / reps);
  }
  perCall.sort((a, b) => a - b);
  return perCall[Math.floor(perCall.length / 2)];
}

function denseCall(op: () => tf.Tensor): () => void {
  return () => {
    const out = tf.tidy(op);
    out.dataSync();
    out.dispose();
  };
}

/** The fastest of several dense variants of one op. */
function bestDense(variants: Record<string, () => tf.Tensor>, timing: Timing): { ms: number; path: string } {
  let best = { ms: Number.POSITIVE_INFINITY, path: '' };
  for (const [path, op] of Object.entries(variants)) {
    const ms = measure(denseCall(op), timing);
    if (ms < best.ms) best = { ms, path };
  }
  return best;
}

function random(r: Rng, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = r.next() * 2 - 1;
  return out;
}

/** A random mask conforming to `scheme` at about `density`, and the format built from it. */
function sparseFormat(scheme: string, r: Rng, rows: number, inChannels: number, taps: number, density: number): SparseFormat | undefined {
  const cols = inChannels * taps;
  const w = random(r, rows * cols);
  const mask = new Uint8Array(rows * cols);
  switch (scheme) {
    case 'irregular':
      for (let i = 0; i < mask.length; i++) mask[i] = r.next() < density ? 1 : 0;
      return { kind: 'csr', matrix: buildCsr(w, mask, rows, cols) };
    case 'block4':
      for (let g = 0; g < rows / 4; g++) {
        for (let c = 0; c < cols; c++) if (r.next() < density) for (let k = 0; k < 4; k++) mask[(4 * g + k) * cols + c] = 1;
      }
      return { kind: 'block4', matrix: buildBlock4(w, mask, rows, cols) };
    case 'channel': {
      // Exactly round(d·in) kept channels (at least one), so small layers do not end up empty.
      const kept = Array.from({ length: inChannels }, (_, i) => i).sort(() => r.next() - 0.5).slice(0, Math.max(1, Math.round(density * inChannels)));
      for (const i of kept) for (let o = 0; o < rows; o++) mask.fill(1, o * cols + i * taps, o * cols + (i + 1) * taps);
      return { kind: 'channel', matrix: buildChannelCompaction(w, mask, rows, inChannels, taps) };
    }
    case 'pattern': {
      const keep = (density * 9) / 4;
      if (taps !== 9 || keep > 1) return undefined; // 4-of-9 patterns cannot exceed density 4/9
      for (let k = 0; k < rows * inChannels; k++) {
        if (r.next() < keep) for (const t of MEST_PATTERNS[r.int(MEST_PATTERNS.length)]) mask[k * 9 + t] = 1;
      }
      return { kind: 'pattern', matrix: buildPatternConv(convShape(rows, inChannels, 3, 3), w, mask) };
    }
    case 'shuffled-block': {
      const B = SHUFFLED_BLOCK;
      if (cols % B !== 0) return undefined;
      const order = Array.from({ length: rows }, (_, i) => i).sort(() => r.next() - 0.5);
      const groups: number[][] = [];
      for (let s = 0; s + B <= rows; s += B) groups.push(order.slice(s, s + B));
      for (const group of groups) {
        const columns = Array.from({ length: cols }, (_, c) => c).sort(() => r.next() - 0.5);
        for (let s = 0; s < cols; s += B) {
          if (r.next() < density) for (const row of group) for (const c of columns.slice(s, s + B)) mask[row * cols + c] = 1;
        }
      }
      return { kind: 'shuffled-block', matrix: buildShuffledBlocks(w, mask, rows, cols, B, groups) };
    }
  }
  return undefined;
}

function record(base: Omit<BenchRecord, 'speedup' | 'sparse_gflops' | 'dense_gflops' | 'backend' | 'dense_backend'>, sparseFlop: number, denseFlop: number): BenchRecord {
  return {
    ...base,
    backend: 'wasm-simd',
    dense_backend: 'tfjs-wasm-1t',
    speedup: base.dense_ms / base.sparse_ms,
    sparse_gflops: sparseFlop / base.sparse_ms / 1e6,
    dense_gflops: denseFlop / base.dense_ms / 1e6,
  };
}

function benchLinear(rt: KernelRuntime, timing: Timing, records: BenchRecord[]): void {
  for (const [M, K, N] of LINEAR_SHAPES) {
    const shape = `${M}x${K}x${N}`;
    const r = createRng(M * K + N);
    const x = tf.tensor2d(random(r, M * K), [M, K]);
    const w = tf.tensor2d(random(r, K * N), [K, N]);
    const dy = tf.tensor2d(random(r, M * N), [M, N]);
    const dense = {
      forward: bestDense({ 'matMul(x,w)': () => tf.matMul(x, w) }, timing),
      'backward-data': bestDense({ 'matMul(dy,w,transposeB)': () => tf.matMul(dy, w, false, true), 'matMul(dy,transpose(w))': () => tf.matMul(dy, tf.transpose(w)) }, timing),
      'backward-weight': bestDense({ 'matMul(x,dy,transposeA)': () => tf.matMul(x, dy, true, false), 'matMul(transpose(x),dy)': () => tf.matMul(tf.transpose(x), dy) }, timing),
    };
    tf.dispose([x, w, dy]);
    const denseFlop = 2 * M * K * N;
    for (const scheme of ['irregular', 'block4', 'shuffled-block', 'channel']) {
      for (const density of DENSITIES) {
        const format = sparseFormat(scheme, createRng(17 + M + Math.round(density * 1000)), N, K, 1, density);
        if (!format) continue;
        const mark = rt.mark();
        const kernel = createLinearKernel(rt, format);
        const xs = rt.uploadF32(random(r, K * M));
        const dys = rt.uploadF32(random(r, N * M));
        const ys = rt.allocF32(N * M);
        const dxs = rt.allocF32(K * M);
        const dws = rt.allocF32(kernel.values.length);
        const nnz = kernel.values.length;
        const sparse: Record<keyof typeof dense, () => void> = {
          forward: () => kernel.forward(xs, ys, M),
          'backward-data': () => kernel.backwardData(dys, dxs, M),
          'backward-weight': () => kernel.backwardWeight(xs, dys, dws, M),
        };
        for (const op of Object.keys(sparse) as (keyof typeof dense)[]) {
          const sparseMs = measure(sparse[op], timing);
          const base = { op: `linear-${op}`, scheme, shape, density, nnz, sparse_ms: sparseMs, dense_ms: dense[op].ms, dense_path: dense[op].path };
          records.push(record(base, 2 * nnz * M, denseFlop));
          printRow(records[records.length - 1]);
        }
        rt.release(mark);
      }
    }
  }
}

function benchConv(rt: KernelRuntime, timing: Timing, records: BenchRecord[]): void {
  for (const s of CONV_SHAPES) {
    const r = createRng(s.cin * s.h + s.cout);
    const x = tf.tensor4d(random(r, s.batch * s.h * s.w * s.cin), [s.batch, s.h, s.w, s.cin]);
    const f = tf.tensor4d(random(r, 9 * s.cin * s.cout), [3, 3, s.cin, s.cout]);
    const dy = tf.tensor4d(random(r, s.batch * s.h * s.w * s.cout), [s.batch, s.h, s.w, s.cout]);
    const flipped = (): tf.Tensor4D => tf.transpose(tf.reverse(f, [0, 1]), [0, 1, 3, 2]);
    const dense = {
      forward: bestDense({ 'conv2d': () => tf.conv2d(x, f, 1, 'same') }, timing),
      'backward-data': bestDense({
        'conv2dTranspose': () => tf.conv2dTranspose(dy, f, [s.batch, s.h, s.w, s.cin], 1, 'same'),
        'conv2d(dy,flipped w)': () => tf.conv2d(dy, flipped(), 1, 'same'),
      }, timing),
      // Conv2DBackpropFilter is not registered on wasm: the fastest working path is a conv2d on transposed tensors.
      'backward-weight': bestDense({
        'conv2d(transpose(pad x),transpose dy)': () => {
          const xt = tf.transpose(tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]), [3, 1, 2, 0]) as tf.Tensor4D;
          const dyt = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
          return tf.transpose(tf.conv2d(xt, dyt, 1, 'valid'), [1, 2, 0, 3]);
        },
      }, timing),
    };
    tf.dispose([x, f, dy]);
    const pixels = s.batch * s.h * s.w;
    const geo = { height: s.h, width: s.w, batch: s.batch };
    for (const scheme of ['irregular', 'pattern', 'block4', 'channel']) {
      for (const density of DENSITIES) {
        const format = sparseFormat(scheme, createRng(29 + s.cin + Math.round(density * 1000)), s.cout, s.cin, 9, density);
        if (!format) continue;
        const mark = rt.mark();
        const kernel = createConvKernel(rt, format, { kh: 3, kw: 3 });
        const xs: WasmF32 = rt.uploadF32(random(r, s.cin * pixels));
        const dys = rt.uploadF32(random(r, s.cout * pixels));
        const ys = rt.allocF32(s.cout * pixels);
        const dxs = rt.allocF32(s.cin * pixels);
        const dws = rt.allocF32(kernel.values.length);
        const nnz = kernel.values.length;
        const sparse: Record<keyof typeof dense, () => void> = {
          forward: () => kernel.forward(xs, ys, geo),
          'backward-data': () => kernel.backwardData(dys, dxs, geo),
          'backward-weight': () => kernel.backwardWeight(xs, dys, dws, geo),
        };
        for (const op of Object.keys(sparse) as (keyof typeof dense)[]) {
          const sparseMs = measure(sparse[op], timing);
          const base = { op: `conv-${op}`, scheme, shape: s.label, density, nnz, sparse_ms: sparseMs, dense_ms: dense[op].ms, dense_path: dense[op].path };
          records.push(record(base, 2 * nnz * pixels, 2 * 9 * s.cin * s.cout * pixels));
          printRow(records[records.length - 1]);
        }
        rt.release(mark);
      }
    }
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
  const rt = await KernelRuntime.load();
  const meta = {
    node: process.version,
    tfjs: tf.version.tfjs,
    backend: tf.getBackend(),
    simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    quick,
    timing,
    loadavg_start: loadavg(),
    date: new Date().toISOString(),
  };
  process.stdout.write(`# sparse kernels vs tfjs-wasm dense (${JSON.stringify(meta)})\n`);
  process.stdout.write(`| ${COLUMNS.join(' | ')} |\n|${COLUMNS.map(() => ' --- ').join('|')}|\n`);
  const records: BenchRecord[] = [];
  const started = performance.now();
  benchLinear(rt, timing, records);
  benchConv(rt, timing, records);
  process.stdout.write(`# ${records.length} records in ${((performance.now() - started) / 1000).toFixed(1)} s, load average now ${loadavg().map((v) => v.toFixed(2)).join(' ')}\n`);
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify({ meta: { ...meta, loadavg_end: loadavg() }, records }, null, 2));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
