// Shared fixtures of the kernel tests: seeded random weights, activations and scheme-conforming masks, the error
// metric, and one kernel runtime per test file (the wasm is built first when missing or stale).
import { ensureKernelsBuilt } from '../../../client/src/engine/kernels/build.mjs';
import { MEST_PATTERNS } from '../../../client/src/engine/kernels/formats/pattern.js';
import { KernelRuntime } from '../../../client/src/engine/kernels/runtime.js';
import { createRng, type Rng } from '../../../client/src/engine/util/rng.js';

let runtime: Promise<KernelRuntime> | undefined;

export function loadRuntime(): Promise<KernelRuntime> {
  runtime ??= ensureKernelsBuilt({ quiet: true }).then((path) => KernelRuntime.load(path));
  return runtime;
}

export function rng(seed: number): Rng {
  return createRng(seed);
}

export function randomArray(r: Rng, length: number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = r.next() * 2 - 1;
  return out;
}

/** Normwise relative error max|a − e| / max|e| (0 when both are all zeros). */
export function maxRelError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < actual.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  if (Number.isNaN(diff)) return Number.POSITIVE_INFINITY;
  return scale === 0 ? diff : diff / scale;
}

export function irregularMask(r: Rng, rows: number, cols: number, density: number, emptyRows: readonly number[] = []): Uint8Array {
  const mask = new Uint8Array(rows * cols);
  for (let i = 0; i < mask.length; i++) mask[i] = r.next() < density ? 1 : 0;
  for (const row of emptyRows) mask.fill(0, row * cols, (row + 1) * cols);
  return mask;
}

export function block4Mask(r: Rng, rows: number, cols: number, density: number): Uint8Array {
  const mask = new Uint8Array(rows * cols);
  for (let g = 0; g < rows / 4; g++) {
    for (let c = 0; c < cols; c++) {
      if (r.next() >= density) continue;
      for (let k = 0; k < 4; k++) mask[(4 * g + k) * cols + c] = 1;
    }
  }
  return mask;
}

/** Input-channel mask: every entry of a kept channel active. */
export function channelMask(r: Rng, rows: number, inChannels: number, kernelSize: number, density: number): Uint8Array {
  const cols = inChannels * kernelSize;
  const mask = new Uint8Array(rows * cols);
  for (let i = 0; i < inChannels; i++) {
    if (r.next() >= density) continue;
    for (let o = 0; o < rows; o++) mask.fill(1, o * cols + i * kernelSize, o * cols + (i + 1) * kernelSize);
  }
  return mask;
}

export interface ShuffledFixture {
  readonly mask: Uint8Array;
  readonly rowGroups: number[][];
}

/** A random row shuffle cut into groups of B and, per group, random disjoint B-column blocks. */
export function shuffledMask(r: Rng, rows: number, cols: number, B: number, density: number): ShuffledFixture {
  const order = Array.from({ length: rows }, (_, i) => i);
  for (let i = rows - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const rowGroups: number[][] = [];
  for (let s = 0; s + B <= rows; s += B) rowGroups.push(order.slice(s, s + B));
  const mask = new Uint8Array(rows * cols);
  for (const group of rowGroups) {
    const columns = Array.from({ length: cols }, (_, c) => c).sort(() => r.next() - 0.5);
    for (let s = 0; s + B <= cols; s += B) {
      if (r.next() >= density) continue;
      for (const row of group) for (const c of columns.slice(s, s + B)) mask[row * cols + c] = 1;
    }
  }
  return { mask, rowGroups };
}

/** 3×3 pattern mask: each kernel kept with probability `density`, holding a random MEST pattern. */
export function patternMask(r: Rng, out: number, inChannels: number, density: number): Uint8Array {
  const mask = new Uint8Array(out * inChannels * 9);
  for (let k = 0; k < out * inChannels; k++) {
    if (r.next() >= density) continue;
    for (const tap of MEST_PATTERNS[r.int(MEST_PATTERNS.length)]) mask[k * 9 + tap] = 1;
  }
  return mask;
}

export function masked(weights: Float32Array, mask: Uint8Array): Float32Array {
  return weights.map((w, i) => (mask[i] ? w : 0));
}
