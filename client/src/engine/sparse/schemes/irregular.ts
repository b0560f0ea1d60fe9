// Unstructured sparsity: every weight is its own group.
import { topKIndices } from '../../util/select.js';
import type { Rng } from '../../util/rng.js';
import { countActive, layerSize, type LayerShape, type Mask } from '../types.js';
import { assertLayerArrays, groupedActiveCount, indicesWhere, isBinaryMask, maskedAbs, roundToGroups, sampleWithoutReplacement } from './common.js';
import type { ElementScores, GrowRequest, PruneRequest, SparsityScheme } from './types.js';

export class IrregularScheme implements SparsityScheme {
  readonly name = 'irregular' as const;

  unsupportedReason(): string | undefined {
    return undefined;
  }

  groupSize(): number {
    return 1;
  }

  roundCount(shape: LayerShape, count: number): number {
    return roundToGroups(count, 1, layerSize(shape));
  }

  /** round(d·N) (the project rule), at least one weight when d > 0. */
  activeCountAt(shape: LayerShape, density: number): number {
    return groupedActiveCount(this, shape, density);
  }

  /** |score| of each active element, 0 for inactive ones (the L2 norm over a one-element group). */
  groupScores(shape: LayerShape, mask: Mask, score: ElementScores): Float32Array {
    assertLayerArrays(this.name, shape, { mask, score });
    return maskedAbs(score, mask);
  }

  prune({ shape, mask, score, keep }: PruneRequest): Mask {
    assertLayerArrays(this.name, shape, { mask, score });
    const target = Math.min(this.roundCount(shape, keep), countActive(mask));
    const kept = topKIndices(score, target, (i) => mask[i] === 1);
    return maskFromIndices(mask.length, kept);
  }

  grow({ shape, mask, score, count, rng }: GrowRequest): Mask {
    assertLayerArrays(this.name, shape, { mask, score });
    const inactive = mask.length - countActive(mask);
    const target = Math.min(this.roundCount(shape, count), inactive);
    const grown = score
      ? topKIndices(score, target, (i) => mask[i] === 0)
      : sampleWithoutReplacement(indicesWhere(mask.length, (i) => mask[i] === 0), target, rng);
    const next = Uint8Array.from(mask);
    for (const index of grown) next[index] = 1;
    return next;
  }

  project(shape: LayerShape, score: ElementScores, keep: number, _rng: Rng): Mask {
    assertLayerArrays(this.name, shape, { score });
    return maskFromIndices(layerSize(shape), topKIndices(score, this.roundCount(shape, keep)));
  }

  conforms(shape: LayerShape, mask: Mask): boolean {
    return isBinaryMask(mask, layerSize(shape));
  }
}

export function maskFromIndices(size: number, indices: ArrayLike<number>): Mask {
  const mask = new Uint8Array(size);
  for (let i = 0; i < indices.length; i++) mask[indices[i]] = 1;
  return mask;
}

