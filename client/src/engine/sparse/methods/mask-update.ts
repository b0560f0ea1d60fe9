// A multi-stage mask update over several layers (gradual prune, then drop-and-regrow, then commit): stages work on
// per-layer working masks and each layer's setMask is called once, at commit.
import type { GrowthMode, PruneMode, RedistributionMode } from '../schedules/schema.js';
import type { SparsityScheme } from '../schemes/types.js';
import { countActive, layerSize, type GrownWeightInit, type Mask, type SparseLayer } from '../types.js';
import { dropScoreFor, growScoreFor, updateRng, type LayerUpdateCounts } from './common.js';
import { commitMask, growLayerMask, pruneLayerMask, schemeForLayer } from './prune-and-grow.js';
import { redistributeGrowth } from './redistribution.js';
import type { MethodContext, StepInfo } from './types.js';

export interface WorkingLayer {
  readonly layer: SparseLayer;
  readonly scheme: SparsityScheme;
  readonly before: Mask;
  readonly activeBefore: number;
  mask: Mask;
}

export function beginUpdate(ctx: MethodContext, layers: readonly SparseLayer[]): WorkingLayer[] {
  return layers.map((layer) => {
    const before = layer.mask;
    return { layer, scheme: schemeForLayer(ctx.scheme, layer.shape), before, activeBefore: countActive(before), mask: before };
  });
}

export function commitUpdate(working: readonly WorkingLayer[], grownInit: GrownWeightInit): LayerUpdateCounts[] {
  return working.map((w) => commitMask(w.layer, w.before, w.mask, w.activeBefore, grownInit));
}

/** Prunes each working mask to `keep[i]` active weights with the given drop scores. */
export function pruneWorking(working: readonly WorkingLayer[], keep: readonly number[], mode: PruneMode): void {
  working.forEach((w, i) => {
    const score = dropScoreFor(w.layer, mode, w.mask);
    w.mask = pruneLayerMask(w.layer.name, w.layer.shape, w.mask, w.scheme, keep[i], score);
  });
}

export interface RegenerateOptions {
  /** How many of `active` weights to drop in this layer. */
  readonly dropCount: (active: number, layer: SparseLayer) => number;
  readonly pruneMode: PruneMode;
  readonly growth: GrowthMode;
  readonly redistribution: RedistributionMode;
  /** For error messages and rng purposes. */
  readonly method: string;
}

/** Drop by the prune mode, then regrow what was dropped (per layer, or redistributed across layers). */
export function dropAndRegrow(ctx: MethodContext, info: StepInfo, working: readonly WorkingLayer[], options: RegenerateOptions): void {
  const stats = working.map((w) => {
    const active = countActive(w.mask);
    const keep = active - Math.min(active, Math.max(0, options.dropCount(active, w.layer)));
    const score = dropScoreFor(w.layer, options.pruneMode, w.mask);
    w.mask = pruneLayerMask(w.layer.name, w.layer.shape, w.mask, w.scheme, keep, score);
    const kept = countActive(w.mask);
    return {
      removed: active - kept,
      room: layerSize(w.layer.shape) - kept,
      active: kept,
      meanMagnitude: meanActiveMagnitude(w.layer.readWeights(), w.mask, kept),
    };
  });
  const growCounts = redistributeGrowth(stats, options.redistribution);
  working.forEach((w, i) => {
    const rng = updateRng(ctx, w.layer.name, `${options.method}/grow`, info.step);
    const score = growScoreFor(w.layer, options.growth, rng, options.method, info.step);
    w.mask = growLayerMask(w.layer.name, w.layer.shape, w.mask, w.scheme, growCounts[i], score, rng);
  });
}

function meanActiveMagnitude(weights: Float32Array, mask: Mask, active: number): number {
  if (active === 0) return 0;
  let sum = 0;
  for (let i = 0; i < weights.length; i++) if (mask[i]) sum += Math.abs(weights[i]);
  return sum / active;
}
