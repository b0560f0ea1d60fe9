// Pattern sparsity for 3×3 convolutions (spec §2.5): every kept kernel W[o, i, :, :] holds at most four entries
// that fit one of a fixed list of 4-tap patterns. Stored per filter (CSR over output channels): the kernel's input
// channel, its pattern id and its four values in the pattern's tap order.
import type { LayerShape, Mask } from '../../sparse/types.js';
import { assertDenseSize } from './csr.js';

export const PATTERN_TAPS = 4;

/** MEST's eight active patterns as flat 3×3 tap positions r·3+q (spec §2.5, in the reference's order). */
export const MEST_PATTERNS: readonly (readonly number[])[] = [
  [4, 5, 7, 8],
  [3, 4, 6, 7],
  [1, 2, 4, 5],
  [0, 1, 3, 4],
  [5, 6, 7, 8],
  [3, 4, 5, 7],
  [1, 4, 5, 7],
  [1, 3, 4, 7],
];

export interface PatternConv {
  readonly out: number;
  readonly in: number;
  /** Tap positions (r·3+q) of every pattern, 4 per pattern. */
  readonly patterns: Int32Array;
  /** out + 1 offsets into the kernel list. */
  readonly kernelPtr: Int32Array;
  readonly kernelChannel: Int32Array;
  readonly kernelPattern: Int32Array;
  /** 4 values per kernel: values[4k + t] = W[o, channel, tap patterns[4p + t]]. */
  readonly values: Float32Array;
  /** Stored entries whose mask is 0 (kernels with fewer than four active taps). */
  readonly padded: number;
}

const KERNEL = 9;

export function buildPatternConv(
  shape: LayerShape,
  weights: Float32Array,
  mask: Mask,
  patterns: readonly (readonly number[])[] = MEST_PATTERNS,
): PatternConv {
  if (shape.kh !== 3 || shape.kw !== 3) throw new RangeError(`pattern format needs 3×3 kernels, got ${shape.kh}×${shape.kw}`);
  const cols = shape.in * KERNEL;
  assertDenseSize('buildPatternConv weights', weights.length, shape.out, cols);
  assertDenseSize('buildPatternConv mask', mask.length, shape.out, cols);
  const table = Int32Array.from(patterns.flatMap((p) => [...p]));
  const bits = patterns.map((p) => {
    if (p.length !== PATTERN_TAPS) throw new RangeError('every pattern needs exactly 4 taps');
    return p.reduce((acc, t) => acc | (1 << t), 0);
  });
  const kernelPtr = new Int32Array(shape.out + 1);
  const channels: number[] = [];
  const ids: number[] = [];
  for (let o = 0; o < shape.out; o++) {
    for (let i = 0; i < shape.in; i++) {
      let active = 0;
      for (let t = 0; t < KERNEL; t++) if (mask[o * cols + i * KERNEL + t] !== 0) active |= 1 << t;
      if (active === 0) continue;
      const id = bits.findIndex((b) => (active & ~b) === 0);
      if (id < 0) throw new RangeError(`kernel (${o}, ${i}) has active taps ${active.toString(2)} that fit no pattern`);
      channels.push(i);
      ids.push(id);
    }
    kernelPtr[o + 1] = channels.length;
  }
  const kernelChannel = Int32Array.from(channels);
  const kernelPattern = Int32Array.from(ids);
  const values = new Float32Array(PATTERN_TAPS * channels.length);
  let padded = 0;
  const m = { out: shape.out, in: shape.in, patterns: table, kernelPtr, kernelChannel, kernelPattern };
  forEachPatternEntry(m, (slot, row, col) => {
    if (mask[row * cols + col] === 0) padded++;
    else values[slot] = weights[row * cols + col];
  });
  return { ...m, values, padded };
}

type PatternLayout = Pick<PatternConv, 'out' | 'patterns' | 'kernelPtr' | 'kernelChannel' | 'kernelPattern'>;

/** Every stored entry as (value slot, output channel, canonical column i·9 + tap), in value order. */
export function forEachPatternEntry(m: PatternLayout, visit: (slot: number, row: number, col: number) => void): void {
  for (let o = 0; o < m.out; o++) {
    for (let k = m.kernelPtr[o]; k < m.kernelPtr[o + 1]; k++) {
      const base = m.kernelChannel[k] * KERNEL;
      const p = m.kernelPattern[k];
      for (let t = 0; t < PATTERN_TAPS; t++) visit(PATTERN_TAPS * k + t, o, base + m.patterns[PATTERN_TAPS * p + t]);
    }
  }
}

export function patternToDense(m: PatternConv, values: Float32Array = m.values): Float32Array {
  const cols = m.in * KERNEL;
  const dense = new Float32Array(m.out * cols);
  forEachPatternEntry(m, (slot, row, col) => (dense[row * cols + col] = values[slot]));
  return dense;
}

export function patternGather(m: PatternConv, dense: Float32Array): Float32Array {
  assertDenseSize('patternGather', dense.length, m.out, m.in * KERNEL);
  const out = new Float32Array(m.values.length);
  forEachPatternEntry(m, (slot, row, col) => (out[slot] = dense[row * m.in * KERNEL + col]));
  return out;
}
