// Global magnitude pruning across layers (GraNet, GMP): one ranking of every layer's groups decides how many
// weights each layer keeps; each layer's own scheme then picks which. Groups are compared by their per-element RMS
// (groupScores / sqrt(groupSize)) so layers with different group sizes (shuffled blocks next to an irregular
// classifier) rank on the same scale. Only groups with a positive score can be kept (the reference's strict
// `|w| > thr`: zero weights never survive a global prune).
import { topKIndices } from '../../util/select.js';
import type { SparsityScheme } from '../schemes/types.js';
import type { Mask, SparseLayer } from '../types.js';
import { schemeForLayer } from './prune-and-grow.js';

export interface GlobalPruneInput {
  readonly layer: SparseLayer;
  /** The mask being pruned (the layer's, or a working mask of an update in progress). */
  readonly mask: Mask;
  /** Keep-worthiness of every element (e.g. |w|). */
  readonly score: Float32Array;
}

/** Active weights each layer keeps so that the total is `totalKeep` (up to each scheme's rounding). */
export function globalKeepCounts(inputs: readonly GlobalPruneInput[], scheme: SparsityScheme, totalKeep: number): number[] {
  const groups = inputs.map(({ layer, mask, score }) => {
    const layerScheme = schemeForLayer(scheme, layer.shape);
    const size = layerScheme.groupSize(layer.shape);
    const raw = layerScheme.groupScores(layer.shape, mask, score);
    const scale = 1 / Math.sqrt(size);
    return { layerScheme, size, normalized: Float32Array.from(raw, (v) => v * scale) };
  });
  const taken = groups.map(() => 0);
  const sizes = new Set(groups.map((g) => g.size));
  const offsets: number[] = [];
  let totalGroups = 0;
  for (const g of groups) {
    offsets.push(totalGroups);
    totalGroups += g.normalized.length;
  }
  const all = new Float32Array(totalGroups);
  groups.forEach((g, l) => all.set(g.normalized, offsets[l]));
  const owner = (index: number): number => {
    let l = offsets.length - 1;
    while (offsets[l] > index) l--;
    return l;
  };
  if (sizes.size <= 1) {
    const size = groups[0]?.size ?? 1;
    for (const index of topKIndices(all, Math.floor(totalKeep / size), (i) => all[i] > 0)) taken[owner(index)] += size;
  } else {
    const order = Array.from({ length: totalGroups }, (_, i) => i).filter((i) => all[i] > 0);
    order.sort((a, b) => all[b] - all[a] || a - b);
    let budget = totalKeep;
    for (const index of order) {
      const l = owner(index);
      if (groups[l].size > budget) continue;
      taken[l] += groups[l].size;
      budget -= groups[l].size;
      if (budget === 0) break;
    }
  }
  return taken.map((count, l) => groups[l].layerScheme.roundCount(inputs[l].layer.shape, count));
}
