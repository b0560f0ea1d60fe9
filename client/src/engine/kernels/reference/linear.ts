// Plain TypeScript reference of the sparse linear kernels: the test oracle and the fallback where WebAssembly
// SIMD is missing. Layout is feature-major (batch innermost): X[K][M], Y[N][M], M = batch.
// Every format goes through its entry list, so one obviously-correct loop serves them all; sums run in float64.
import { forEachEntry, formatDims } from '../formats/entries.js';
import type { SparseFormat } from '../formats/types.js';

function checkLength(name: string, array: Float32Array, expected: number): void {
  if (array.length !== expected) throw new RangeError(`${name}: expected ${expected} elements, got ${array.length}`);
}

/** Y[row][m] = Σ W2[row, col]·X[col][m] over the stored entries. */
export function referenceLinearForward(format: SparseFormat, x: Float32Array, batch: number, values = format.matrix.values): Float32Array {
  const { rows, cols } = formatDims(format);
  checkLength('referenceLinearForward x', x, cols * batch);
  const acc = new Float64Array(rows * batch);
  forEachEntry(format, (slot, row, col) => {
    const w = values[slot];
    for (let m = 0; m < batch; m++) acc[row * batch + m] += w * x[col * batch + m];
  });
  return Float32Array.from(acc);
}

/** dX[col][m] = Σ W2[row, col]·dY[row][m]: backward-data through the transposed weight. */
export function referenceLinearBackwardData(format: SparseFormat, dy: Float32Array, batch: number, values = format.matrix.values): Float32Array {
  const { rows, cols } = formatDims(format);
  checkLength('referenceLinearBackwardData dy', dy, rows * batch);
  const acc = new Float64Array(cols * batch);
  forEachEntry(format, (slot, row, col) => {
    const w = values[slot];
    for (let m = 0; m < batch; m++) acc[col * batch + m] += w * dy[row * batch + m];
  });
  return Float32Array.from(acc);
}

/** dW[slot] = Σ_m X[col][m]·dY[row][m] at the stored entries only (SDDMM), in value order. */
export function referenceLinearWeightGrad(format: SparseFormat, x: Float32Array, dy: Float32Array, batch: number): Float32Array {
  const { rows, cols } = formatDims(format);
  checkLength('referenceLinearWeightGrad x', x, cols * batch);
  checkLength('referenceLinearWeightGrad dy', dy, rows * batch);
  const out = new Float32Array(format.matrix.values.length);
  forEachEntry(format, (slot, row, col) => {
    let sum = 0;
    for (let m = 0; m < batch; m++) sum += x[col * batch + m] * dy[row * batch + m];
    out[slot] = sum;
  });
  return out;
}

/** Dense Y = W·X for a canonical [rows][cols] weight (the tests' ground truth for the sparse references). */
export function referenceDenseLinear(weights: Float32Array, rows: number, cols: number, x: Float32Array, batch: number): Float32Array {
  checkLength('referenceDenseLinear weights', weights, rows * cols);
  checkLength('referenceDenseLinear x', x, cols * batch);
  const y = new Float32Array(rows * batch);
  for (let r = 0; r < rows; r++) {
    for (let m = 0; m < batch; m++) {
      let sum = 0;
      for (let c = 0; c < cols; c++) sum += weights[r * cols + c] * x[c * batch + m];
      y[r * batch + m] = sum;
    }
  }
  return y;
}
