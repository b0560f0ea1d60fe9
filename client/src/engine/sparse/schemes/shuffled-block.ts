// DSB shuffled-block sparsity: the mask is a union of dense B×B blocks after permuting rows and columns of the
// flattened 2-D view W2[O, C]. Rows are split into O/B disjoint groups of B rows; each block is one row group × B
// columns, and the blocks of a group use disjoint columns. So a mask conforms exactly when the rows split into
// classes of identical rows, each class with a multiple of B rows and a multiple of B active columns.
//
// Supported when O % B == 0, C % B == 0 and in ≥ B (the reference blocks only such convs; we also accept linear
// layers that satisfy it — the DSB method decides which layers it blocks), unless the layer is one single B×B block
// (all or nothing). So depthwise convs [C, 1, kh, kw] are never blocked (in = 1 < B).
//
// prune keeps the best whole blocks of the current mask (a conforming mask is decomposed exactly; otherwise rows
// are clustered as in extraction and only fully active blocks are kept), grow adds blocks on columns that are
// inactive for a whole row group, project is DSB's initialisation (top-k elements, then extraction). So every
// result is a union of blocks with nnz a multiple of B².
import { topKIndices } from '../../util/select.js';
import type { Rng } from '../../util/rng.js';
import { layerSize, rowLength, type LayerShape, type Mask } from '../types.js';
import { extractShuffledBlocks, selectBlocks } from './block-extraction.js';
import { assertLayerArrays, assertSchemeApplies, groupedActiveCount, isBinaryMask, maskedAbs, roundToGroups } from './common.js';
import { maskFromIndices } from './irregular.js';
import { clusterRowGroups, packRows } from './row-clustering.js';
import type { ElementScores, GrowRequest, PruneRequest, SparsityScheme } from './types.js';

export { extractShuffledBlocks, type ExtractRequest, type ExtractedBlocks, type ShuffledBlock } from './block-extraction.js';

export const DEFAULT_BLOCK_SIZE = 16;

export class ShuffledBlockScheme implements SparsityScheme {
  readonly name = 'shuffled-block' as const;

  constructor(readonly blockSize: number = DEFAULT_BLOCK_SIZE) {
    if (!Number.isInteger(blockSize) || blockSize < 1) throw new RangeError(`block size must be a positive integer, got ${blockSize}`);
  }

  unsupportedReason(shape: LayerShape): string | undefined {
    const B = this.blockSize;
    if (shape.out % B !== 0) return `output count ${shape.out} is not divisible by block size ${B}: rows are shuffled into groups of exactly ${B}`;
    if (rowLength(shape) % B !== 0) {
      const terms = shape.kind === 'conv' ? ` (in·kh·kw = ${shape.in}·${shape.kh}·${shape.kw})` : '';
      return `row length ${rowLength(shape)}${terms} is not divisible by block size ${B}: every block takes ${B} whole columns`;
    }
    if (shape.in < B) return `input count ${shape.in} is below block size ${B} (DSB blocks only layers with at least B input channels)`;
    if (shape.out === B && rowLength(shape) === B) return `the layer is a single ${B}×${B} block, so shuffled-block sparsity could keep all of it or nothing`;
    return undefined;
  }

  groupSize(shape: LayerShape): number {
    this.assertSupported(shape);
    return this.blockSize * this.blockSize;
  }

  roundCount(shape: LayerShape, count: number): number {
    this.assertSupported(shape);
    const area = this.blockSize * this.blockSize;
    return roundToGroups(count, area, layerSize(shape) / area);
  }

  /**
   * round(d·N) to the nearest whole block, at least one block when d > 0. (The DSB method sizes its layers itself,
   * nblocks = ceil(budget / B²), as the reference does.)
   */
  activeCountAt(shape: LayerShape, density: number): number {
    return groupedActiveCount(this, shape, density);
  }

  /** One entry per whole block of the current mask: the L2 norm of the score over the block's B² entries. */
  groupScores(shape: LayerShape, mask: Mask, score: ElementScores): Float32Array {
    this.assertSupported(shape);
    assertLayerArrays(this.name, shape, { mask, score });
    const columns = rowLength(shape);
    const rowGroups = this.rowGroupsOf(shape, mask);
    const result: number[] = [];
    for (const rows of rowGroups) {
      const full = fullyActiveColumns(mask, rows, columns);
      for (let start = 0; start + this.blockSize <= full.length; start += this.blockSize) {
        let sum = 0;
        for (const row of rows) {
          for (let j = start; j < start + this.blockSize; j++) sum += score[row * columns + full[j]] ** 2;
        }
        result.push(Math.sqrt(sum));
      }
    }
    return Float32Array.from(result);
  }

  prune({ shape, mask, score, keep }: PruneRequest): Mask {
    this.assertSupported(shape);
    assertLayerArrays(this.name, shape, { mask, score });
    const columns = rowLength(shape);
    const rowGroups = this.rowGroupsOf(shape, mask);
    const fullyActive = rowGroups.map((rows) => columnFlags(fullyActiveColumns(mask, rows, columns), columns));
    return selectBlocks({
      shape,
      scores: maskedAbs(score, mask),
      blockSize: this.blockSize,
      nblocks: this.roundCount(shape, keep) / (this.blockSize * this.blockSize),
      rowGroups,
      excluded: (group, column) => fullyActive[group][column] === 0,
      allowFewer: true,
    }).mask;
  }

  grow({ shape, mask, score, count, rng }: GrowRequest): Mask {
    this.assertSupported(shape);
    assertLayerArrays(this.name, shape, { mask, score });
    const B = this.blockSize;
    const columns = rowLength(shape);
    const rowGroups = this.rowGroupsOf(shape, mask);
    const free = rowGroups.map((rows) => freeColumns(mask, rows, columns));
    const nblocks = this.roundCount(shape, count) / (B * B);
    const next = Uint8Array.from(mask);
    if (score) {
      const freeFlags = free.map((list) => columnFlags(list, columns));
      const grown = selectBlocks({
        shape,
        scores: maskedAbs(score, undefined),
        blockSize: B,
        nblocks,
        rowGroups,
        excluded: (group, column) => freeFlags[group][column] === 0,
        allowFewer: true,
      });
      for (let i = 0; i < next.length; i++) next[i] |= grown.mask[i];
      return next;
    }
    // Random growth: pick free (group, B-column slot) pairs uniformly, then random free columns for each slot.
    const slots: number[] = [];
    free.forEach((list, group) => {
      for (let s = 0; s < Math.floor(list.length / B); s++) slots.push(group);
    });
    const picked = topKIndices(Float64Array.from(slots, () => rng.next()), nblocks);
    const perGroup = new Uint32Array(rowGroups.length);
    for (const slot of picked) perGroup[slots[slot]]++;
    rowGroups.forEach((rows, group) => {
      if (perGroup[group] === 0) return;
      const chosen = free[group].slice();
      for (let i = 0; i < perGroup[group] * B; i++) {
        const j = i + rng.int(chosen.length - i);
        [chosen[i], chosen[j]] = [chosen[j], chosen[i]];
      }
      for (const column of chosen.slice(0, perGroup[group] * B)) for (const row of rows) next[row * columns + column] = 1;
    });
    return next;
  }

  /** DSB initialisation: the top roundCount(keep) elements by score, then block extraction on that mask. */
  project(shape: LayerShape, score: ElementScores, keep: number, _rng: Rng): Mask {
    this.assertSupported(shape);
    assertLayerArrays(this.name, shape, { score });
    const target = this.roundCount(shape, keep);
    const elementMask = maskFromIndices(layerSize(shape), topKIndices(score, target));
    return extractShuffledBlocks({
      shape,
      magnitudes: score,
      mask: elementMask,
      blockSize: this.blockSize,
      nblocks: target / (this.blockSize * this.blockSize),
    }).mask;
  }

  conforms(shape: LayerShape, mask: Mask): boolean {
    if (this.unsupportedReason(shape) !== undefined || !isBinaryMask(mask, layerSize(shape))) return false;
    return decomposeRows(mask, shape.out, rowLength(shape), this.blockSize) !== undefined;
  }

  /** Row groups of a conforming mask (exact), else DSB's clustering of the mask rows. */
  private rowGroupsOf(shape: LayerShape, mask: Mask): Uint32Array[] {
    const columns = rowLength(shape);
    return decomposeRows(mask, shape.out, columns, this.blockSize) ?? clusterRowGroups(mask, shape.out, columns, this.blockSize);
  }

  private assertSupported(shape: LayerShape): void {
    assertSchemeApplies(this, shape);
  }
}

/**
 * Splits rows into classes of identical mask rows (classes ordered by first row, rows ascending) and cuts each
 * class into groups of B rows. Undefined when the mask is not a union of shuffled blocks: a class whose size or
 * active-column count is not a multiple of B.
 */
export function decomposeRows(mask: Mask, rows: number, columns: number, blockSize: number): Uint32Array[] | undefined {
  const packed = packRows(mask, rows, columns);
  const classes = new Map<string, number[]>();
  for (let r = 0; r < rows; r++) {
    const key = packed.bits.subarray(r * packed.words, (r + 1) * packed.words).join(',');
    const members = classes.get(key);
    if (members) members.push(r);
    else classes.set(key, [r]);
  }
  const groups: Uint32Array[] = [];
  for (const members of classes.values()) {
    if (members.length % blockSize !== 0 || packed.counts[members[0]] % blockSize !== 0) return undefined;
    for (let start = 0; start < members.length; start += blockSize) {
      groups.push(Uint32Array.from(members.slice(start, start + blockSize)));
    }
  }
  return groups;
}

function fullyActiveColumns(mask: Mask, rows: Uint32Array, columns: number): number[] {
  const result: number[] = [];
  for (let c = 0; c < columns; c++) {
    if (rows.every((row) => mask[row * columns + c] === 1)) result.push(c);
  }
  return result;
}

function freeColumns(mask: Mask, rows: Uint32Array, columns: number): number[] {
  const result: number[] = [];
  for (let c = 0; c < columns; c++) {
    if (rows.every((row) => mask[row * columns + c] === 0)) result.push(c);
  }
  return result;
}

function columnFlags(list: readonly number[], columns: number): Uint8Array {
  const flags = new Uint8Array(columns);
  for (const c of list) flags[c] = 1;
  return flags;
}

