// How the global mask moves between rounds, keeping every layer's active count (so the global density and the
// per-layer allocation stay exactly as they were):
//   - consensus (FedDST-style): each client names positions to prune (active, small |w|) and to grow (inactive,
//     large |dense gradient|) with scores; the server weights each client's scores (normalised to its largest) by
//     the client's aggregation weight and sums them per position. It swaps c = min(round(fraction × active),
//     positions with prune votes, positions with grow votes): the c most-voted prunes (ties: smaller aggregated |w|
//     first, then lower index) for the c most-voted grows (ties: lower index). Grown weights start at 0.
//   - method: clients ran their own method, so positions outside the global mask may carry averaged values; each
//     layer keeps its top-|w| positions at the global active count (positions no client held rank last).
import type { LayerMaskChange, LayerMaskProposal, SparseTensor } from './contract.js';
import { activeCount } from './tensors.js';

export interface WeightedProposal {
  readonly weight: number;
  readonly layers: ReadonlyMap<string, LayerMaskProposal>;
}

export interface LayerMaskOutcome {
  readonly mask: Uint8Array;
  readonly change: LayerMaskChange;
}

/** `values`: the layer's aggregated weights at every position. */
export function consensusMask(tensor: SparseTensor, values: Float32Array, proposals: readonly WeightedProposal[], fraction: number): LayerMaskOutcome {
  const base = requireMask(tensor);
  const active = activeCount(base);
  const size = base.length;
  const wanted = Math.min(Math.round(fraction * active), active, size - active);
  const pruneVotes = new Float64Array(size);
  const growVotes = new Float64Array(size);
  for (const { weight, layers } of proposals) {
    const layer = layers.get(tensor.name);
    if (layer === undefined) continue;
    addVotes(pruneVotes, layer.prune, layer.pruneScores, weight);
    addVotes(growVotes, layer.grow, layer.growScores, weight);
  }
  const pruneCandidates = positionsWhere(size, (i) => base[i] !== 0 && pruneVotes[i] > 0);
  const growCandidates = positionsWhere(size, (i) => base[i] === 0 && growVotes[i] > 0);
  const count = Math.min(wanted, pruneCandidates.length, growCandidates.length);
  pruneCandidates.sort((a, b) => pruneVotes[b] - pruneVotes[a] || Math.abs(values[a]) - Math.abs(values[b]) || a - b);
  growCandidates.sort((a, b) => growVotes[b] - growVotes[a] || a - b);
  const pruned = Uint32Array.from(pruneCandidates.slice(0, count)).sort();
  const grown = Uint32Array.from(growCandidates.slice(0, count)).sort();
  const mask = Uint8Array.from(base, (bit) => (bit !== 0 ? 1 : 0));
  for (const position of pruned) mask[position] = 0;
  for (const position of grown) mask[position] = 1;
  return { mask, change: { name: tensor.name, pruned, grown, active } };
}

/** `covered`: positions some client held this round; `values`: aggregated weights at every position. */
export function methodMask(tensor: SparseTensor, values: Float32Array, covered: Uint8Array): LayerMaskOutcome {
  const base = requireMask(tensor);
  const active = activeCount(base);
  const candidates = positionsWhere(base.length, (i) => base[i] !== 0 || covered[i] !== 0);
  const score = (i: number) => (covered[i] !== 0 ? Math.abs(values[i]) : -1);
  candidates.sort((a, b) => score(b) - score(a) || a - b);
  const mask = new Uint8Array(base.length);
  for (const position of candidates.slice(0, active)) mask[position] = 1;
  const pruned = positionsWhere(base.length, (i) => base[i] !== 0 && mask[i] === 0);
  const grown = positionsWhere(base.length, (i) => base[i] === 0 && mask[i] !== 0);
  return { mask, change: { name: tensor.name, pruned: Uint32Array.from(pruned), grown: Uint32Array.from(grown), active } };
}

function addVotes(votes: Float64Array, positions: Uint32Array, scores: Float32Array, weight: number): void {
  let largest = 0;
  for (const score of scores) largest = Math.max(largest, score);
  if (largest === 0) return;
  positions.forEach((position, i) => {
    votes[position] += (weight * scores[i]) / largest;
  });
}

function positionsWhere(size: number, keep: (i: number) => boolean): number[] {
  const positions: number[] = [];
  for (let i = 0; i < size; i++) if (keep(i)) positions.push(i);
  return positions;
}

function requireMask(tensor: SparseTensor): Uint8Array {
  if (tensor.mask === undefined) throw new RangeError(`tensor '${tensor.name}' has no mask`);
  return tensor.mask;
}
