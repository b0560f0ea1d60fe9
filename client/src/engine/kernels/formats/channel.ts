// Input-channel compaction: the kept input channels (any active weight in W[:, i, :, :]) and the dense smaller
// weight over them, W_c[o, j, r, q] = W[o, kept[j], r, q], stored as a row-major [out][kept·kh·kw] matrix so a
// dense kernel runs on it. Inactive entries inside a kept channel are stored as 0 (`padded` counts them).
import type { Mask } from '../../sparse/types.js';
import { assertDenseSize } from './csr.js';

export interface ChannelCompaction {
  readonly rows: number;
  readonly inChannels: number;
  /** kh·kw (1 for linear layers). */
  readonly kernelSize: number;
  /** Kept input channels, ascending. */
  readonly kept: Int32Array;
  /** rows × kept.length·kernelSize, row-major. */
  readonly values: Float32Array;
  readonly padded: number;
}

export function buildChannelCompaction(
  weights: Float32Array,
  mask: Mask,
  rows: number,
  inChannels: number,
  kernelSize = 1,
): ChannelCompaction {
  const cols = inChannels * kernelSize;
  assertDenseSize('buildChannelCompaction weights', weights.length, rows, cols);
  assertDenseSize('buildChannelCompaction mask', mask.length, rows, cols);
  const keptList: number[] = [];
  for (let i = 0; i < inChannels; i++) {
    let any = false;
    for (let o = 0; o < rows && !any; o++) {
      for (let t = 0; t < kernelSize; t++) if (mask[o * cols + i * kernelSize + t] !== 0) any = true;
    }
    if (any) keptList.push(i);
  }
  const kept = Int32Array.from(keptList);
  const width = kept.length * kernelSize;
  const values = new Float32Array(rows * width);
  let padded = 0;
  forEachChannelEntry({ rows, inChannels, kernelSize, kept }, (slot, row, col) => {
    if (mask[row * cols + col] === 0) padded++;
    else values[slot] = weights[row * cols + col];
  });
  return { rows, inChannels, kernelSize, kept, values, padded };
}

type ChannelLayout = Pick<ChannelCompaction, 'rows' | 'inChannels' | 'kernelSize' | 'kept'>;

/** Every stored entry as (value slot, row, canonical column), in value order. */
export function forEachChannelEntry(m: ChannelLayout, visit: (slot: number, row: number, col: number) => void): void {
  const K = m.kernelSize;
  const width = m.kept.length * K;
  for (let o = 0; o < m.rows; o++) {
    for (let j = 0; j < m.kept.length; j++) {
      for (let t = 0; t < K; t++) visit(o * width + j * K + t, o, m.kept[j] * K + t);
    }
  }
}

export function channelToDense(m: ChannelCompaction, values: Float32Array = m.values): Float32Array {
  const cols = m.inChannels * m.kernelSize;
  const dense = new Float32Array(m.rows * cols);
  forEachChannelEntry(m, (slot, row, col) => (dense[row * cols + col] = values[slot]));
  return dense;
}

export function channelGather(m: ChannelCompaction, dense: Float32Array): Float32Array {
  const cols = m.inChannels * m.kernelSize;
  assertDenseSize('channelGather', dense.length, m.rows, cols);
  const out = new Float32Array(m.values.length);
  forEachChannelEntry(m, (slot, row, col) => (out[slot] = dense[row * cols + col]));
  return out;
}
