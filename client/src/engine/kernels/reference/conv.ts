// Plain TypeScript reference of the sparse convolution kernels (stride 1, 'same' padding as TensorFlow: the top/left
// pad is floor((k-1)/2)). Activations are batch-innermost: X[C][H][W][M]. Weight entries come from any format as
// (slot, output channel o, canonical column i·kh·kw + r·kw + q).
import { forEachEntry, formatDims } from '../formats/entries.js';
import type { SparseFormat } from '../formats/types.js';

export interface ConvGeometry {
  readonly height: number;
  readonly width: number;
  readonly batch: number;
}

export interface ConvKernelSize {
  readonly kh: number;
  readonly kw: number;
}

/** Input offset (dy, dx) of kernel tap (r, q) for an output pixel. */
export function tapShift(kernel: ConvKernelSize, tap: number): { dy: number; dx: number } {
  const r = Math.floor(tap / kernel.kw);
  const q = tap % kernel.kw;
  return { dy: r - Math.floor((kernel.kh - 1) / 2), dx: q - Math.floor((kernel.kw - 1) / 2) };
}

type PixelVisitor = (outPixel: number, inPixel: number) => void;

/** Every (output pixel, input pixel) pair a tap connects, skipping the zero padding. */
function forEachValidPixel(g: ConvGeometry, dy: number, dx: number, visit: PixelVisitor): void {
  for (let y = Math.max(0, -dy); y < Math.min(g.height, g.height - dy); y++) {
    for (let x = Math.max(0, -dx); x < Math.min(g.width, g.width - dx); x++) {
      visit(y * g.width + x, (y + dy) * g.width + (x + dx));
    }
  }
}

function channels(format: SparseFormat, kernel: ConvKernelSize): { outC: number; inC: number } {
  const { rows, cols } = formatDims(format);
  const taps = kernel.kh * kernel.kw;
  if (cols % taps !== 0) throw new RangeError(`format has ${cols} columns, not a multiple of ${taps} taps`);
  return { outC: rows, inC: cols / taps };
}

function checkLength(name: string, array: Float32Array, expected: number): void {
  if (array.length !== expected) throw new RangeError(`${name}: expected ${expected} elements, got ${array.length}`);
}

export function referenceConvForward(
  format: SparseFormat,
  kernel: ConvKernelSize,
  x: Float32Array,
  g: ConvGeometry,
  values = format.matrix.values,
): Float32Array {
  const { outC, inC } = channels(format, kernel);
  const plane = g.height * g.width;
  const M = g.batch;
  checkLength('referenceConvForward x', x, inC * plane * M);
  const acc = new Float64Array(outC * plane * M);
  const taps = kernel.kh * kernel.kw;
  forEachEntry(format, (slot, o, col) => {
    const w = values[slot];
    const i = Math.floor(col / taps);
    const { dy, dx } = tapShift(kernel, col % taps);
    forEachValidPixel(g, dy, dx, (p, s) => {
      for (let m = 0; m < M; m++) acc[((o * plane + p) * M) + m] += w * x[(i * plane + s) * M + m];
    });
  });
  return Float32Array.from(acc);
}

export function referenceConvBackwardData(
  format: SparseFormat,
  kernel: ConvKernelSize,
  dy: Float32Array,
  g: ConvGeometry,
  values = format.matrix.values,
): Float32Array {
  const { outC, inC } = channels(format, kernel);
  const plane = g.height * g.width;
  const M = g.batch;
  checkLength('referenceConvBackwardData dy', dy, outC * plane * M);
  const acc = new Float64Array(inC * plane * M);
  const taps = kernel.kh * kernel.kw;
  forEachEntry(format, (slot, o, col) => {
    const w = values[slot];
    const i = Math.floor(col / taps);
    const shift = tapShift(kernel, col % taps);
    forEachValidPixel(g, shift.dy, shift.dx, (p, s) => {
      for (let m = 0; m < M; m++) acc[(i * plane + s) * M + m] += w * dy[(o * plane + p) * M + m];
    });
  });
  return Float32Array.from(acc);
}

/** dW at the stored entries only, in value order. */
export function referenceConvWeightGrad(
  format: SparseFormat,
  kernel: ConvKernelSize,
  x: Float32Array,
  dy: Float32Array,
  g: ConvGeometry,
): Float32Array {
  const { outC, inC } = channels(format, kernel);
  const plane = g.height * g.width;
  const M = g.batch;
  checkLength('referenceConvWeightGrad x', x, inC * plane * M);
  checkLength('referenceConvWeightGrad dy', dy, outC * plane * M);
  const taps = kernel.kh * kernel.kw;
  const out = new Float32Array(format.matrix.values.length);
  forEachEntry(format, (slot, o, col) => {
    const i = Math.floor(col / taps);
    const shift = tapShift(kernel, col % taps);
    let sum = 0;
    forEachValidPixel(g, shift.dy, shift.dx, (p, s) => {
      for (let m = 0; m < M; m++) sum += dy[(o * plane + p) * M + m] * x[(i * plane + s) * M + m];
    });
    out[slot] = sum;
  });
  return out;
}
