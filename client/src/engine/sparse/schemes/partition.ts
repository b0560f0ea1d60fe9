// Shared machinery for schemes whose groups are a fixed partition of the layer into equal-sized groups
// (4×1 blocks, whole input channels). A group is active when all its elements are; groups are scored by the L2 norm
// of the element scores over the group and ranked with ties going to the lower group index.
//
// Input masks are expected to conform. If one does not, prune keeps only fully active groups and grow activates
// only fully inactive groups, so "prune keeps only active positions" and "grow activates only inactive positions"
// hold regardless.
import { topKIndices } from '../../util/select.js';
import type { Rng } from '../../util/rng.js';
import { layerSize, type LayerShape, type Mask } from '../types.js';
import { assertLayerArrays, assertSchemeApplies, groupedActiveCount, isBinaryMask, roundToGroups, sampleWithoutReplacement } from './common.js';
import type { ElementScores, GrowRequest, PruneRequest, SchemeName, SparsityScheme } from './types.js';

export interface Partition {
  /** Group id of every element, canonical layout. */
  readonly groupOf: Uint32Array;
  readonly groupCount: number;
  readonly groupSize: number;
}

export abstract class PartitionScheme implements SparsityScheme {
  abstract readonly name: SchemeName;
  private readonly cache = new Map<string, Partition>();

  abstract unsupportedReason(shape: LayerShape): string | undefined;
  protected abstract buildPartition(shape: LayerShape): Partition;

  groupSize(shape: LayerShape): number {
    return this.partition(shape).groupSize;
  }

  roundCount(shape: LayerShape, count: number): number {
    const { groupSize, groupCount } = this.partition(shape);
    return roundToGroups(count, groupSize, groupCount);
  }

  /** round(d·N) to the nearest whole group, at least one group when d > 0. */
  activeCountAt(shape: LayerShape, density: number): number {
    return groupedActiveCount(this, shape, density);
  }

  /** L2 norm of the score over the active elements of each group (0 for an inactive group). */
  groupScores(shape: LayerShape, mask: Mask, score: ElementScores): Float32Array {
    assertLayerArrays(this.name, shape, { mask, score });
    const { groupOf, groupCount } = this.partition(shape);
    const sums = new Float32Array(groupCount);
    const squares = new Float64Array(groupCount);
    for (let e = 0; e < groupOf.length; e++) if (mask[e]) squares[groupOf[e]] += score[e] * score[e];
    for (let g = 0; g < groupCount; g++) sums[g] = Math.sqrt(squares[g]);
    return sums;
  }

  prune({ shape, mask, score, keep }: PruneRequest): Mask {
    assertLayerArrays(this.name, shape, { mask, score });
    const partition = this.partition(shape);
    const state = groupStates(partition, mask);
    const activeGroups = state.reduce((n, s) => n + (s === FULL ? 1 : 0), 0);
    const target = Math.min(this.roundCount(shape, keep) / partition.groupSize, activeGroups);
    const kept = topKIndices(l2PerGroup(partition, score), target, (g) => state[g] === FULL);
    return maskFromGroups(partition, kept);
  }

  grow({ shape, mask, score, count, rng }: GrowRequest): Mask {
    assertLayerArrays(this.name, shape, { mask, score });
    const partition = this.partition(shape);
    const state = groupStates(partition, mask);
    const empty = new Uint32Array(partition.groupCount);
    let emptyCount = 0;
    for (let g = 0; g < state.length; g++) if (state[g] === EMPTY) empty[emptyCount++] = g;
    const target = Math.min(this.roundCount(shape, count) / partition.groupSize, emptyCount);
    const grown = score
      ? topKIndices(l2PerGroup(partition, score), target, (g) => state[g] === EMPTY)
      : sampleWithoutReplacement(empty.subarray(0, emptyCount), target, rng);
    const next = Uint8Array.from(mask);
    const chosen = new Uint8Array(partition.groupCount);
    for (const g of grown) chosen[g] = 1;
    for (let e = 0; e < next.length; e++) if (chosen[partition.groupOf[e]]) next[e] = 1;
    return next;
  }

  project(shape: LayerShape, score: ElementScores, keep: number, _rng: Rng): Mask {
    assertLayerArrays(this.name, shape, { score });
    const partition = this.partition(shape);
    const target = this.roundCount(shape, keep) / partition.groupSize;
    return maskFromGroups(partition, topKIndices(l2PerGroup(partition, score), target));
  }

  conforms(shape: LayerShape, mask: Mask): boolean {
    if (!isBinaryMask(mask, layerSize(shape)) || this.unsupportedReason(shape) !== undefined) return false;
    return groupStates(this.partition(shape), mask).every((s) => s !== PARTIAL);
  }

  protected partition(shape: LayerShape): Partition {
    assertSchemeApplies(this, shape);
    const key = `${shape.out}x${shape.in}x${shape.kh}x${shape.kw}`;
    let partition = this.cache.get(key);
    if (!partition) {
      partition = this.buildPartition(shape);
      if (this.cache.size >= 64) this.cache.clear();
      this.cache.set(key, partition);
    }
    return partition;
  }
}

const EMPTY = 0;
const PARTIAL = 1;
const FULL = 2;

function groupStates(partition: Partition, mask: Mask): Uint8Array {
  const active = new Uint32Array(partition.groupCount);
  for (let e = 0; e < mask.length; e++) if (mask[e]) active[partition.groupOf[e]]++;
  const states = new Uint8Array(partition.groupCount);
  for (let g = 0; g < states.length; g++) states[g] = active[g] === 0 ? EMPTY : active[g] === partition.groupSize ? FULL : PARTIAL;
  return states;
}

function l2PerGroup(partition: Partition, score: ElementScores): Float64Array {
  const sums = new Float64Array(partition.groupCount);
  for (let e = 0; e < score.length; e++) sums[partition.groupOf[e]] += score[e] * score[e];
  for (let g = 0; g < sums.length; g++) sums[g] = Math.sqrt(sums[g]);
  return sums;
}

function maskFromGroups(partition: Partition, groups: Uint32Array): Mask {
  const chosen = new Uint8Array(partition.groupCount);
  for (const g of groups) chosen[g] = 1;
  const mask = new Uint8Array(partition.groupOf.length);
  for (let e = 0; e < mask.length; e++) mask[e] = chosen[partition.groupOf[e]];
  return mask;
}
