// DSB block extraction (`extract_dense`, spec §4.4): turn an element mask into the union of `nblocks` shuffled
// B×B blocks. A block is a group of B rows (from the row shuffle) × B columns of the flattened 2-D view W2[o, c].
import { topKIndices } from '../../util/select.js';
import { meanOfPositive } from '../../util/stats.js';
import { rowLength, type LayerShape, type Mask } from '../types.js';
import { maskedAbs } from './common.js';
import { clusterRowGroups } from './row-clustering.js';

export interface ShuffledBlock {
  /** Index into `rowGroups`. */
  readonly group: number;
  /** The block's B columns of the flattened 2-D view, ascending. */
  readonly columns: Uint32Array;
}

export interface ExtractedBlocks {
  readonly mask: Mask;
  /** The row shuffle: O/B disjoint groups of B rows each (rows ascending inside a group). */
  readonly rowGroups: Uint32Array[];
  /** The kept blocks, best first; disjoint by construction. */
  readonly blocks: ShuffledBlock[];
}

export interface ExtractRequest {
  readonly shape: LayerShape;
  /** |W| (absolute values are taken anyway), canonical layout. */
  readonly magnitudes: Float32Array;
  readonly mask: Mask;
  readonly blockSize: number;
  readonly nblocks: number;
  /** Newly grown positions: their score is raised to the mean of the positive masked magnitudes. */
  readonly grownMask?: Mask;
}

/**
 * Extraction exactly as DSB: A = |W| ⊙ mask (grown positions set to the mean positive A), rows grouped by
 * clustering, per group columns ranked by L2 over the group's rows and cut into chunks of B, candidates with a
 * positive score, the top `nblocks` kept. The reference assumes at least `nblocks` positive candidates; when there
 * are fewer we fall back to zero-score candidates in (group, chunk) order, so nnz == nblocks·B² always holds.
 */
export function extractShuffledBlocks(request: ExtractRequest): ExtractedBlocks {
  const { shape, mask, blockSize, nblocks } = request;
  const scores = maskedMagnitudes(request.magnitudes, mask, request.grownMask);
  const rowGroups = clusterRowGroups(mask, shape.out, rowLength(shape), blockSize);
  return selectBlocks({ shape, scores, blockSize, nblocks, rowGroups });
}

export interface SelectBlocksRequest {
  readonly shape: LayerShape;
  /** Per-element block-selection scores (already masked as the caller wants). */
  readonly scores: Float32Array;
  readonly blockSize: number;
  readonly nblocks: number;
  readonly rowGroups: Uint32Array[];
  /** Columns a group may not use; excluded columns never form blocks. */
  readonly excluded?: (group: number, column: number) => boolean;
  /** Place fewer blocks when fewer than `nblocks` candidates exist instead of throwing. */
  readonly allowFewer?: boolean;
}

/** Steps 3–4 of the extraction for given row groups. Throws when fewer than `nblocks` candidate blocks exist. */
export function selectBlocks(request: SelectBlocksRequest): ExtractedBlocks {
  const { shape, scores, blockSize: B, rowGroups, excluded } = request;
  const columns = rowLength(shape);
  const candidates: { group: number; columns: Uint32Array; score: number }[] = [];
  const values = new Float64Array(columns);
  const order = new Uint32Array(columns);
  rowGroups.forEach((rows, group) => {
    values.fill(0);
    for (const row of rows) {
      const base = row * columns;
      for (let c = 0; c < columns; c++) values[c] += scores[base + c] * scores[base + c];
    }
    let usable = 0;
    for (let c = 0; c < columns; c++) {
      values[c] = Math.sqrt(values[c]);
      if (!excluded?.(group, c)) order[usable++] = c;
    }
    const ranked = Array.from(order.subarray(0, usable)).sort((x, y) => values[y] - values[x] || x - y);
    for (let start = 0; start + B <= ranked.length; start += B) {
      const chunk = ranked.slice(start, start + B);
      const score = chunk.reduce((sum, c) => sum + values[c], 0);
      candidates.push({ group, columns: Uint32Array.from(chunk).sort(), score });
    }
  });
  const nblocks = request.allowFewer ? Math.min(request.nblocks, candidates.length) : request.nblocks;
  if (!Number.isInteger(nblocks) || nblocks < 0 || nblocks > candidates.length) {
    throw new RangeError(`cannot place ${nblocks} blocks of ${B}×${B}: only ${candidates.length} candidate blocks`);
  }
  const candidateScores = Float64Array.from(candidates, (candidate) => candidate.score);
  const positive = topKIndices(candidateScores, nblocks, (i) => candidateScores[i] > 0);
  const chosen = Array.from(positive);
  if (chosen.length < nblocks) {
    // Fallback (see extractShuffledBlocks): zero-score candidates in (group, chunk) order.
    for (let i = 0; i < candidates.length && chosen.length < nblocks; i++) {
      if (!(candidateScores[i] > 0)) chosen.push(i);
    }
  }
  chosen.sort((x, y) => candidateScores[y] - candidateScores[x] || x - y);
  const mask = new Uint8Array(shape.out * columns);
  const blocks = chosen.map((i) => {
    const { group, columns: blockColumns } = candidates[i];
    for (const row of rowGroups[group]) for (const c of blockColumns) mask[row * columns + c] = 1;
    return { group, columns: blockColumns };
  });
  return { mask, rowGroups, blocks };
}

function maskedMagnitudes(magnitudes: Float32Array, mask: Mask, grownMask: Mask | undefined): Float32Array {
  const scores = maskedAbs(magnitudes, mask);
  if (!grownMask) return scores;
  const mean = meanOfPositive(scores);
  for (let i = 0; i < scores.length; i++) if (grownMask[i]) scores[i] = mean;
  return scores;
}
