// Operands of a kernel benchmark: the shape of a cell and a random mask that conforms to a scheme, compressed into
// the kernels' format. Shared by the campaign runner and bench/kernels.ts.
import { buildBlock4 } from '../kernels/formats/block4.js';
import { buildChannelCompaction } from '../kernels/formats/channel.js';
import { buildCsr } from '../kernels/formats/csr.js';
import { buildPatternConv, MEST_PATTERNS } from '../kernels/formats/pattern.js';
import { buildShuffledBlocks } from '../kernels/formats/shuffled-block.js';
import type { SparseFormat } from '../kernels/formats/types.js';
import { DEFAULT_SHUFFLED_BLOCK_SIDE } from '../sparse/schemes/descriptors.js';
import { convShape } from '../sparse/types.js';
import type { Rng } from '../util/rng.js';
import type { KernelOp, KernelScheme } from './types.js';

export type KernelDirection = 'forward' | 'backward-data' | 'backward-weight';

export const KERNEL_DIRECTIONS: readonly KernelDirection[] = ['forward', 'backward-data', 'backward-weight'];

/** Linear: Y[batch][out] = X[batch][in] · W; written batch × in × out. */
export interface LinearGeometry {
  readonly family: 'linear';
  readonly batch: number;
  readonly inFeatures: number;
  readonly outFeatures: number;
}

/** Square k×k conv, stride 1, 'same' padding (odd k). */
export interface ConvGeometry {
  readonly family: 'conv';
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly k: number;
}

export type KernelGeometry = LinearGeometry | ConvGeometry;

export function splitKernelOp(op: KernelOp): { family: 'linear' | 'conv'; direction: KernelDirection } {
  const family = op.startsWith('linear-') ? 'linear' : 'conv';
  return { family, direction: op.slice(family.length + 1) as KernelDirection };
}

/** The wire shape ([batch, in, out] or [batch, height, width, in, out, k]) as a geometry; throws when malformed. */
export function kernelGeometry(family: 'linear' | 'conv', shape: readonly number[]): KernelGeometry {
  if (!shape.every((n) => Number.isInteger(n) && n >= 1)) throw new RangeError(`shape ${shape.join('x')}: every size must be a positive integer`);
  if (family === 'linear') {
    if (shape.length !== 3) throw new RangeError(`linear shape must be [batch, in, out], got [${shape.join(', ')}]`);
    const [batch, inFeatures, outFeatures] = shape;
    return { family, batch, inFeatures, outFeatures };
  }
  if (shape.length !== 6) throw new RangeError(`conv shape must be [batch, height, width, in, out, k], got [${shape.join(', ')}]`);
  const [batch, height, width, inChannels, outChannels, k] = shape;
  if (k % 2 !== 1) throw new RangeError(`conv kernel size must be odd ('same' padding), got ${k}`);
  return { family, batch, height, width, inChannels, outChannels, k };
}

/** Output rows, input channels and taps of the weight matrix the format compresses. */
export function weightDims(geometry: KernelGeometry): { rows: number; inChannels: number; taps: number } {
  return geometry.family === 'linear'
    ? { rows: geometry.outFeatures, inChannels: geometry.inFeatures, taps: 1 }
    : { rows: geometry.outChannels, inChannels: geometry.inChannels, taps: geometry.k * geometry.k };
}

export function randomValues(r: Rng, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = r.next() * 2 - 1;
  return out;
}

/** A random mask conforming to `scheme` at about `density`, and the format built from it; undefined when the scheme cannot express the cell. */
export function sparseFormat(scheme: KernelScheme, r: Rng, rows: number, inChannels: number, taps: number, density: number): SparseFormat | undefined {
  const cols = inChannels * taps;
  const w = randomValues(r, rows * cols);
  const mask = new Uint8Array(rows * cols);
  switch (scheme) {
    case 'irregular':
      for (let i = 0; i < mask.length; i++) mask[i] = r.next() < density ? 1 : 0;
      return { kind: 'csr', matrix: buildCsr(w, mask, rows, cols) };
    case 'block':
      if (rows % 4 !== 0) return undefined;
      for (let g = 0; g < rows / 4; g++) {
        for (let c = 0; c < cols; c++) if (r.next() < density) for (let k = 0; k < 4; k++) mask[(4 * g + k) * cols + c] = 1;
      }
      return { kind: 'block4', matrix: buildBlock4(w, mask, rows, cols) };
    case 'channel': {
      // Exactly round(d·in) kept channels (at least one), so small layers do not end up empty.
      const kept = shuffled(r, inChannels).slice(0, Math.max(1, Math.round(density * inChannels)));
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
      const B = DEFAULT_SHUFFLED_BLOCK_SIDE;
      if (cols % B !== 0 || rows < B) return undefined;
      const order = shuffled(r, rows);
      const groups: number[][] = [];
      for (let s = 0; s + B <= rows; s += B) groups.push(order.slice(s, s + B));
      for (const group of groups) {
        const columns = shuffled(r, cols);
        for (let s = 0; s < cols; s += B) {
          if (r.next() < density) for (const row of group) for (const c of columns.slice(s, s + B)) mask[row * cols + c] = 1;
        }
      }
      return { kind: 'shuffled-block', matrix: buildShuffledBlocks(w, mask, rows, cols, B, groups) };
    }
  }
}

function shuffled(r: Rng, n: number): number[] {
  return Array.from({ length: n }, (_, i) => i).sort(() => r.next() - 0.5);
}
