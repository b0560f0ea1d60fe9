// The one mask-update routine every method uses (RigL's habit): prune to a target with the scheme, grow among the
// positions inactive after pruning, check the invariants, and call layer.setMask exactly once (only if the mask
// changed). Positions dropped and regrown in the same update keep their value and optimizer slots, because
// setMask only sees the net change (RigL step 6).
import type { Rng } from '../../util/rng.js';
import { IrregularScheme } from '../schemes/irregular.js';
import type { SparsityScheme } from '../schemes/types.js';
import { countActive, layerSize, type GrownWeightInit, type LayerShape, type Mask, type SparseLayer } from '../types.js';

const IRREGULAR = new IrregularScheme();

/** The scheme that structures this layer: the requested one, or irregular where it cannot (its documented rule). */
export function schemeForLayer(scheme: SparsityScheme, shape: LayerShape): SparsityScheme {
  return scheme.unsupportedReason(shape) === undefined ? scheme : IRREGULAR;
}

export interface PruneAndGrowRequest {
  readonly scheme: SparsityScheme;
  /** Active weights to keep (rounded by the scheme; clamped to the current active count). */
  readonly pruneTo: number;
  /**
   * Weights to activate after pruning (rounded by the scheme; fewer only if the layer is full), or a function of the
   * active count after pruning (MEST grows back to a bound: growTo − kept).
   */
  readonly growCount: number | ((keptAfterPrune: number) => number);
  /** Keep-worthiness of every element. */
  readonly dropScore: Float32Array;
  /** Grow-worthiness of every element; undefined = uniformly random among candidates. */
  readonly growScore: Float32Array | undefined;
  readonly rng: Rng;
  readonly grownInit?: GrownWeightInit;
}

export interface PruneAndGrowResult {
  /** Positions active before and inactive after. */
  readonly pruned: number;
  /** Positions inactive before and active after. */
  readonly grown: number;
  readonly active: number;
  /** Positions dropped and regrown in this update (they keep value and slots). */
  readonly regrown: number;
}

export class MaskInvariantError extends Error {
  constructor(layer: string, message: string) {
    super(`${layer}: ${message}`);
    this.name = 'MaskInvariantError';
  }
}

/** Prune then grow on one layer; asserts subset relations and exact counts; one setMask call at most. */
export function pruneAndGrow(layer: SparseLayer, request: PruneAndGrowRequest): PruneAndGrowResult {
  const scheme = schemeForLayer(request.scheme, layer.shape);
  const before = layer.mask;
  const activeBefore = countActive(before);
  const pruned = pruneLayerMask(layer.name, layer.shape, before, scheme, request.pruneTo, request.dropScore);
  const growCount = typeof request.growCount === 'number' ? request.growCount : request.growCount(countActive(pruned));
  const after = growLayerMask(layer.name, layer.shape, pruned, scheme, growCount, request.growScore, request.rng);
  let regrown = 0;
  for (let i = 0; i < after.length; i++) if (before[i] && !pruned[i] && after[i]) regrown++;
  return { ...commitMask(layer, before, after, activeBefore, request.grownInit), regrown };
}

/** scheme.prune with the invariants: result ⊆ mask and |result| = roundCount(min(keep, active)). */
export function pruneLayerMask(name: string, shape: LayerShape, mask: Mask, scheme: SparsityScheme, keep: number, score: Float32Array): Mask {
  const active = countActive(mask);
  const target = Math.min(Math.max(0, keep), active);
  const next = scheme.prune({ shape, mask, score, keep: target });
  const kept = countActive(next);
  for (let i = 0; i < next.length; i++) {
    if (next[i] && !mask[i]) throw new MaskInvariantError(name, `prune activated position ${i}`);
  }
  const expected = Math.min(scheme.roundCount(shape, target), active);
  if (kept !== expected) throw new MaskInvariantError(name, `prune kept ${kept}, expected ${expected} (keep ${keep}, active ${active})`);
  return next;
}

/** scheme.grow with the invariants: mask ⊆ result, only inactive positions activated, count exact unless full. */
export function growLayerMask(
  name: string,
  shape: LayerShape,
  mask: Mask,
  scheme: SparsityScheme,
  count: number,
  score: Float32Array | undefined,
  rng: Rng,
): Mask {
  const request = Math.max(0, count);
  if (scheme.roundCount(shape, request) === 0) return mask;
  const active = countActive(mask);
  const next = scheme.grow({ shape, mask, score, count: request, rng });
  for (let i = 0; i < next.length; i++) {
    if (mask[i] && !next[i]) throw new MaskInvariantError(name, `grow deactivated position ${i}`);
  }
  const grown = countActive(next) - active;
  const wanted = scheme.roundCount(shape, request);
  const room = layerSize(shape) - active;
  // Structured schemes may have inactive elements but no empty group left, so "fewer" is only checked exactly for
  // one-element groups.
  const tooFew = grown < wanted && room >= wanted && scheme.groupSize(shape) === 1;
  if (grown > wanted || tooFew) {
    throw new MaskInvariantError(name, `grow activated ${grown}, expected ${wanted} (room ${room})`);
  }
  return next;
}

/** setMask once when the mask changed; the counts are computed here so an unchanged mask costs no write. */
export function commitMask(layer: SparseLayer, before: Mask, after: Mask, activeBefore: number, grownInit?: GrownWeightInit): PruneAndGrowResult {
  let pruned = 0;
  let grown = 0;
  for (let i = 0; i < after.length; i++) {
    if (before[i] && !after[i]) pruned++;
    else if (!before[i] && after[i]) grown++;
  }
  const active = activeBefore - pruned + grown;
  if (pruned > 0 || grown > 0) {
    const change = layer.setMask(after, { grownInit: grownInit ?? 'zero' });
    if (change.active !== active) throw new MaskInvariantError(layer.name, `setMask reports ${change.active} active, expected ${active}`);
  }
  return { pruned, grown, active, regrown: 0 };
}
