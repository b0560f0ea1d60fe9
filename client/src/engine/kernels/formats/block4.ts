// MEST 4×1 output-row blocks over the flattened 2-D view W2[row, col]: a block is rows 4g..4g+3 at one column c.
// Blocks are stored per row group g (CSR over groups), with their four values contiguous, row order.
// A block is stored when any of its four mask entries is active; for a mask that conforms to the block scheme that
// is all four. Inactive entries of a partially active block are stored as 0 (`padded` counts them): kernels compute
// them like the others, so callers must re-apply the mask to their gradients.
// Backward-data uses the generic transposed index (entries.ts transposeFormat): one transposed entry per stored value,
// i.e. the blocks become 1×4 runs of a CSR over columns; in WASM that was measured faster than a 1×4ᵀ kernel.
import type { Mask } from '../../sparse/types.js';
import { assertDenseSize } from './csr.js';

export const BLOCK4_ROWS = 4;

export interface Block4Matrix {
  readonly rows: number;
  readonly cols: number;
  /** rows / 4 + 1 offsets into blockCol. */
  readonly groupPtr: Int32Array;
  /** Column of every block, ascending within a group. */
  readonly blockCol: Int32Array;
  /** 4 values per block: values[4b + r] = W2[4g + r, blockCol[b]]. */
  readonly values: Float32Array;
  /** Stored entries whose mask is 0 (nonzero only for masks that do not conform to 4×1 blocks). */
  readonly padded: number;
}

export function block4Groups(rows: number): number {
  if (rows % BLOCK4_ROWS !== 0) throw new RangeError(`4×1 blocks need a row count divisible by 4, got ${rows}`);
  return rows / BLOCK4_ROWS;
}

export function buildBlock4(weights: Float32Array, mask: Mask, rows: number, cols: number): Block4Matrix {
  assertDenseSize('buildBlock4 weights', weights.length, rows, cols);
  assertDenseSize('buildBlock4 mask', mask.length, rows, cols);
  const groups = block4Groups(rows);
  const active = (g: number, c: number): boolean => {
    for (let r = 0; r < BLOCK4_ROWS; r++) if (mask[(BLOCK4_ROWS * g + r) * cols + c] !== 0) return true;
    return false;
  };
  const groupPtr = new Int32Array(groups + 1);
  for (let g = 0; g < groups; g++) {
    let count = 0;
    for (let c = 0; c < cols; c++) count += active(g, c) ? 1 : 0;
    groupPtr[g + 1] = groupPtr[g] + count;
  }
  const blockCol = new Int32Array(groupPtr[groups]);
  const values = new Float32Array(BLOCK4_ROWS * blockCol.length);
  let b = 0;
  let padded = 0;
  for (let g = 0; g < groups; g++) {
    for (let c = 0; c < cols; c++) {
      if (!active(g, c)) continue;
      blockCol[b] = c;
      for (let r = 0; r < BLOCK4_ROWS; r++) {
        const e = (BLOCK4_ROWS * g + r) * cols + c;
        if (mask[e] === 0) padded++;
        else values[BLOCK4_ROWS * b + r] = weights[e];
      }
      b++;
    }
  }
  return { rows, cols, groupPtr, blockCol, values, padded };
}

/** Values of a dense canonical array at the stored block positions, in value order. */
export function block4Gather(m: Block4Matrix, dense: Float32Array): Float32Array {
  assertDenseSize('block4Gather', dense.length, m.rows, m.cols);
  const out = new Float32Array(m.values.length);
  forEachBlockEntry(m, (slot, row, col) => (out[slot] = dense[row * m.cols + col]));
  return out;
}

export function block4ToDense(m: Block4Matrix, values: Float32Array = m.values): Float32Array {
  const dense = new Float32Array(m.rows * m.cols);
  forEachBlockEntry(m, (slot, row, col) => (dense[row * m.cols + col] = values[slot]));
  return dense;
}

/** Every stored entry as (value slot, row, col), in value order. */
export function forEachBlockEntry(m: Block4Matrix, visit: (slot: number, row: number, col: number) => void): void {
  const groups = m.groupPtr.length - 1;
  for (let g = 0; g < groups; g++) {
    for (let b = m.groupPtr[g]; b < m.groupPtr[g + 1]; b++) {
      for (let r = 0; r < BLOCK4_ROWS; r++) visit(BLOCK4_ROWS * b + r, BLOCK4_ROWS * g + r, m.blockCol[b]);
    }
  }
}
