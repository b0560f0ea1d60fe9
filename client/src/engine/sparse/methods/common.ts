// Pieces every method shares: named per-update randomness, drop/grow score selection, initial masks and the
// update summary.
import { createRng, fnv1a, type Rng } from '../../util/rng.js';
import type { GrowthMode, PruneMode } from '../schedules/schema.js';
import { countActive, layerSize, type Mask, type SparseLayer } from '../types.js';
import { allocatedActiveCount } from './layers.js';
import { commitMask, schemeForLayer } from './prune-and-grow.js';
import { gradientScore, magnitudeAndNegativityScore, magnitudeScore, momentumScore, randomScore } from './scores.js';
import type { MaskUpdateSummary, MethodContext, StepInfo } from './types.js';

/** Randomness for one (layer, purpose, step): fnv1a(seed/layer/purpose) ⊕ step, so every device draws the same. */
export function updateRng(ctx: MethodContext, layerName: string, purpose: string, step: number): Rng {
  return createRng((fnv1a(`${ctx.rng.seed}/${layerName}/${purpose}`) ^ step) >>> 0);
}

/** Keep-worthiness for a prune mode over `mask` (the layer's or a working mask). */
export function dropScoreFor(layer: SparseLayer, mode: PruneMode, mask: Mask): Float32Array {
  const weights = layer.readWeights();
  return mode === 'set' ? magnitudeAndNegativityScore(weights, mask) : magnitudeScore(weights);
}

/**
 * Grow score for a growth mode; undefined = uniformly random among candidates. Gradient growth requires the dense
 * gradient the method asked for with needsDenseGradient. Momentum growth falls back to random before the first
 * optimizer step. Exact ties (zero gradients of dead units) are broken randomly by a jitter below 1e-30 that cannot
 * reorder distinct Float32 values of ordinary magnitude.
 */
export function growScoreFor(layer: SparseLayer, mode: GrowthMode, rng: Rng, method: string, step: number): Float32Array | undefined {
  if (mode === 'random') return undefined;
  if (mode === 'gradient') {
    const gradient = layer.readGradient();
    if (!gradient) {
      throw new Error(`${method}: layer ${layer.name} has no dense gradient at step ${step}; the trainer must honour needsDenseGradient`);
    }
    return withRandomTieBreak(gradientScore(gradient), rng);
  }
  const momentum = layer.readMomentum();
  return momentum ? withRandomTieBreak(momentumScore(momentum), rng) : undefined;
}

function withRandomTieBreak(score: Float32Array, rng: Rng): Float32Array {
  for (let i = 0; i < score.length; i++) score[i] += rng.next() * 1e-30;
  return score;
}

/**
 * Initial masks at the allocated densities: `score` ranks the weights (random for a random draw, |w| for magnitude
 * pruning of the init) and the scheme projects onto its structure with the exact rounded count. Initial weights
 * are kept ('keep'). Layers at density 1 are not touched.
 */
export function initializeMasks(
  ctx: MethodContext,
  layers: readonly SparseLayer[],
  score: (layer: SparseLayer, rng: Rng) => Float32Array,
  keepOf: (layer: SparseLayer) => number = (layer) => allocatedActiveCount(ctx, layer),
): void {
  for (const layer of layers) {
    const rng = updateRng(ctx, layer.name, 'init', 0);
    const scheme = schemeForLayer(ctx.scheme, layer.shape);
    const keep = keepOf(layer);
    const mask = scheme.project(layer.shape, score(layer, rng), keep, rng);
    setWholeMask(layer, mask);
  }
}

export function randomInitScore(layer: SparseLayer, rng: Rng): Float32Array {
  return randomScore(layerSize(layer.shape), rng);
}

export function magnitudeInitScore(layer: SparseLayer): Float32Array {
  return magnitudeScore(layer.readWeights());
}

/** Replaces a layer's mask at initialisation, keeping the stored initial weights of positions that stay active. */
export function setWholeMask(layer: SparseLayer, mask: Mask): void {
  const before = layer.mask;
  commitMask(layer, before, mask, countActive(before), 'keep');
}

export interface LayerUpdateCounts {
  readonly pruned: number;
  readonly grown: number;
}

/** Totals over one update; active/total cover every maskable layer (dense ones included). */
export function summarize(info: StepInfo, ctx: MethodContext, changes: readonly LayerUpdateCounts[]): MaskUpdateSummary {
  let active = 0;
  let total = 0;
  for (const layer of ctx.layers) {
    active += countActive(layer.mask);
    total += layerSize(layer.shape);
  }
  return {
    step: info.step,
    epoch: info.epoch,
    pruned: changes.reduce((sum, c) => sum + c.pruned, 0),
    grown: changes.reduce((sum, c) => sum + c.grown, 0),
    active,
    total,
  };
}
