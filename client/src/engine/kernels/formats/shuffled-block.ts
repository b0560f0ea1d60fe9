// DSB shuffled B×B blocks (spec §4.2) over the flattened 2-D view W2[row, col]: the rows are cut into groups of B
// (a row shuffle), and each block is one group's B rows × B columns chosen for that group. Stored per group:
// the group's rows, its blocks (CSR over groups), each block's B columns and its dense B×B values (row-major).
// Backward-data needs no transposed index here: the kernel scatter-adds whole dense blocks into dX.
import type { Mask } from '../../sparse/types.js';
import { assertDenseSize } from './csr.js';

export interface ShuffledBlockMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly blockSize: number;
  /** groups·B rows: group g owns rows groupRows[gB .. gB+B-1]. */
  readonly groupRows: Int32Array;
  /** groups + 1 offsets into the block list. */
  readonly groupPtr: Int32Array;
  /** B columns per block, ascending. */
  readonly blockCols: Int32Array;
  /** B·B values per block: values[b·B² + r·B + k] = W2[groupRows[gB + r], blockCols[bB + k]]. */
  readonly values: Float32Array;
}

/**
 * Builds the block format from a mask that is a union of shuffled blocks. `rowGroups` is the row shuffle (e.g.
 * `ExtractedBlocks.rowGroups` of the shuffled-block scheme); without it, rows with identical mask rows are grouped
 * in order of first appearance. Each group's active columns (active in all its rows) are cut, ascending, into
 * blocks of B. Throws when the mask is not such a union for these groups.
 */
export function buildShuffledBlocks(
  weights: Float32Array,
  mask: Mask,
  rows: number,
  cols: number,
  blockSize: number,
  rowGroups?: readonly ArrayLike<number>[],
): ShuffledBlockMatrix {
  assertDenseSize('buildShuffledBlocks weights', weights.length, rows, cols);
  assertDenseSize('buildShuffledBlocks mask', mask.length, rows, cols);
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new RangeError(`invalid block size ${blockSize}`);
  const B = blockSize;
  const groups = rowGroups ?? groupIdenticalRows(mask, rows, cols, B);
  const covered = new Uint8Array(rows);
  const groupRows = new Int32Array(groups.length * B);
  const groupPtr = new Int32Array(groups.length + 1);
  const colsPerGroup: number[][] = [];
  groups.forEach((group, g) => {
    if (group.length !== B) throw new RangeError(`row group ${g} has ${group.length} rows, expected ${B}`);
    for (let r = 0; r < B; r++) {
      const row = group[r];
      if (row < 0 || row >= rows || covered[row]) throw new RangeError(`row ${row} is out of range or in two groups`);
      covered[row] = 1;
      groupRows[g * B + r] = row;
    }
    const active = groupColumns(mask, cols, groupRows.subarray(g * B, g * B + B), g);
    if (active.length % B !== 0) throw new RangeError(`row group ${g} has ${active.length} active columns, not a multiple of ${B}`);
    colsPerGroup.push(active);
    groupPtr[g + 1] = groupPtr[g] + active.length / B;
  });
  for (let row = 0; row < rows; row++) {
    if (covered[row]) continue;
    for (let c = 0; c < cols; c++) {
      if (mask[row * cols + c] !== 0) throw new RangeError(`row ${row} has active weights but belongs to no row group`);
    }
  }
  const blocks = groupPtr[groups.length];
  const blockCols = new Int32Array(blocks * B);
  const values = new Float32Array(blocks * B * B);
  colsPerGroup.forEach((active, g) => {
    for (let b = groupPtr[g]; b < groupPtr[g + 1]; b++) {
      for (let k = 0; k < B; k++) blockCols[b * B + k] = active[(b - groupPtr[g]) * B + k];
      for (let r = 0; r < B; r++) {
        const rowBase = groupRows[g * B + r] * cols;
        for (let k = 0; k < B; k++) values[b * B * B + r * B + k] = weights[rowBase + blockCols[b * B + k]];
      }
    }
  });
  return { rows, cols, blockSize: B, groupRows, groupPtr, blockCols, values };
}

/** Every stored entry as (value slot, row, col), in value order. */
export function forEachShuffledEntry(m: ShuffledBlockMatrix, visit: (slot: number, row: number, col: number) => void): void {
  const B = m.blockSize;
  for (let g = 0; g + 1 < m.groupPtr.length; g++) {
    for (let b = m.groupPtr[g]; b < m.groupPtr[g + 1]; b++) {
      for (let r = 0; r < B; r++) {
        for (let k = 0; k < B; k++) visit(b * B * B + r * B + k, m.groupRows[g * B + r], m.blockCols[b * B + k]);
      }
    }
  }
}

export function shuffledBlocksToDense(m: ShuffledBlockMatrix, values: Float32Array = m.values): Float32Array {
  const dense = new Float32Array(m.rows * m.cols);
  forEachShuffledEntry(m, (slot, row, col) => (dense[row * m.cols + col] = values[slot]));
  return dense;
}

export function shuffledBlocksGather(m: ShuffledBlockMatrix, dense: Float32Array): Float32Array {
  assertDenseSize('shuffledBlocksGather', dense.length, m.rows, m.cols);
  const out = new Float32Array(m.values.length);
  forEachShuffledEntry(m, (slot, row, col) => (out[slot] = dense[row * m.cols + col]));
  return out;
}

/** Columns active in every row of the group; throws on a column active in only some of them. */
function groupColumns(mask: Mask, cols: number, rows: Int32Array, group: number): number[] {
  const active: number[] = [];
  for (let c = 0; c < cols; c++) {
    let count = 0;
    for (const row of rows) count += mask[row * cols + c] !== 0 ? 1 : 0;
    if (count === rows.length) active.push(c);
    else if (count !== 0) throw new RangeError(`column ${c} is active in only ${count} of row group ${group}'s ${rows.length} rows`);
  }
  return active;
}

/** Classes of identical mask rows (first-appearance order), each cut into groups of B; throws if one does not divide. */
function groupIdenticalRows(mask: Mask, rows: number, cols: number, B: number): number[][] {
  const classes = new Map<string, number[]>();
  for (let r = 0; r < rows; r++) {
    const key = mask.subarray(r * cols, (r + 1) * cols).join('');
    const members = classes.get(key);
    if (members) members.push(r);
    else classes.set(key, [r]);
  }
  const groups: number[][] = [];
  for (const [key, members] of classes) {
    const empty = !key.includes('1');
    if (empty) {
      // Empty rows may be left ungrouped; only full groups of them are kept (they store no blocks anyway).
      for (let s = 0; s + B <= members.length; s += B) groups.push(members.slice(s, s + B));
      continue;
    }
    if (members.length % B !== 0) throw new RangeError(`${members.length} rows share a mask row pattern, not a multiple of ${B}; pass rowGroups`);
    for (let s = 0; s < members.length; s += B) groups.push(members.slice(s, s + B));
  }
  return groups;
}
