// A client's prune/grow proposal for one layer (consensus mode), from its local state at the end of the round:
// prune the `count` active positions with the smallest |w| (scores (count − j) / count by rank j, strongest first),
// grow the `count` inactive positions with the largest accumulated |dense gradient| (score = that sum; positions
// with a zero gradient are not proposed). count = round(fraction × active), at most the inactive count.
import type { LayerMaskProposal } from './contract.js';

export function layerProposal(name: string, mask: Uint8Array, weights: Float32Array, gradientScores: Float32Array | undefined, fraction: number): LayerMaskProposal {
  const active: number[] = [];
  const inactive: number[] = [];
  for (let i = 0; i < mask.length; i++) (mask[i] !== 0 ? active : inactive).push(i);
  const count = Math.min(Math.round(fraction * active.length), active.length, inactive.length);
  const prune = active.sort((a, b) => Math.abs(weights[a]) - Math.abs(weights[b]) || a - b).slice(0, count);
  const pruneScores = new Map(prune.map((position, rank) => [position, (count - rank) / count]));
  const grow =
    gradientScores === undefined
      ? []
      : inactive
          .filter((position) => gradientScores[position] > 0)
          .sort((a, b) => gradientScores[b] - gradientScores[a] || a - b)
          .slice(0, count);
  const pruneOrdered = Uint32Array.from(prune).sort();
  const growOrdered = Uint32Array.from(grow).sort();
  return {
    name,
    prune: pruneOrdered,
    pruneScores: Float32Array.from(pruneOrdered, (position) => pruneScores.get(position)!),
    grow: growOrdered,
    growScores: Float32Array.from(growOrdered, (position) => gradientScores![position]),
  };
}
