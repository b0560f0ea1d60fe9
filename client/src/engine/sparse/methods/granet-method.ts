// GraNet / GMP driver (spec 3): every ΔT steps from the window start, gradual magnitude pruning to the cubic
// density target (global ranking, or per layer for the *-uniform variants) while inside the window, then
// zero-cost neuroregeneration (drop ceil(r_t·nnz) by magnitude, regrow as many by the growth mode) when the
// schedule regenerates. One setMask per layer per update.
//
// Deviations from the reference, all intended semantics: the initial ERK draw has exact counts per layer (the
// reference draws Bernoulli per element); pruning runs for k0 <= k <= kf so the final density is reached exactly;
// global keep counts use nearest rounding (project rule); random growth grows exactly the removed count.
import { granetDensityAt, isGranetPruneStep, isGranetUpdateStep, regenerationRateAt } from '../schedules/granet.js';
import type { GranetSchedule } from '../schedules/schema.js';
import { countActive, layerSize, type SparseLayer } from '../types.js';
import { initializeMasks, magnitudeInitScore, randomInitScore, summarize } from './common.js';
import { globalKeepCounts } from './global-prune.js';
import { layerDensity, maskedLayers, rescaleDensities, schemeActiveCount } from './layers.js';
import { beginUpdate, commitUpdate, dropAndRegrow, pruneWorking, type WorkingLayer } from './mask-update.js';
import { magnitudeScore } from './scores.js';
import type { MethodContext, MethodName, SparseTrainingMethod, StepInfo } from './types.js';

export type GradualRanking = 'global' | 'uniform';

/** Density above which the uniform variant holds the classifier (the last layer) at 0.2 (GraNet_uniform). */
const UNIFORM_CLASSIFIER_DENSITY = 0.2;

export function createGranetMethod(name: MethodName, schedule: GranetSchedule, ranking: GradualRanking): SparseTrainingMethod {
  let run: MethodContext | undefined;
  const needsGradient = schedule.regenerate && schedule.growth === 'gradient';
  return {
    name,
    masksGradients: false,
    initialize(ctx) {
      run = ctx;
      const layers = maskedLayers(ctx);
      if (schedule.initDensity >= 1) {
        // Dense start: the densest mask the scheme allows (all ones, or e.g. every 3×3 kernel on its best pattern).
        initializeMasks(ctx, layers, magnitudeInitScore, (layer) => layerSize(layer.shape));
        return;
      }
      const densities = rescaleDensities(layers, layers.map((layer) => layerDensity(ctx, layer)), schedule.initDensity);
      initializeMasks(ctx, layers, randomInitScore, (layer) => schemeActiveCount(ctx, layer, densities[layers.indexOf(layer)]));
    },
    needsDenseGradient(info: StepInfo) {
      return needsGradient && run !== undefined && isGranetUpdateStep(schedule, info.step + 1, run);
    },
    afterStep(info, ctx) {
      if (!isGranetUpdateStep(schedule, info.step, ctx)) return undefined;
      const working = beginUpdate(ctx, maskedLayers(ctx));
      if (isGranetPruneStep(schedule, info.step, ctx)) {
        const density = granetDensityAt(schedule, info.step, ctx);
        const keep =
          ranking === 'global'
            ? globalKeep(ctx, working, densityOverMaskedLayers(ctx, working, density))
            : uniformKeep(ctx, working, density);
        pruneWorking(working, keep, 'magnitude');
      }
      if (schedule.regenerate) {
        const rate = regenerationRateAt(schedule, info.step, ctx);
        dropAndRegrow(ctx, info, working, {
          dropCount: (active) => Math.ceil(rate * active),
          pruneMode: schedule.pruneMode,
          growth: schedule.growth,
          redistribution: schedule.redistribution,
          method: name,
        });
      }
      return summarize(info, ctx, commitUpdate(working, 'zero'));
    },
  };
}

function totalSize(working: readonly WorkingLayer[]): number {
  return working.reduce((sum, w) => sum + layerSize(w.layer.shape), 0);
}

/**
 * The density the masked layers must have for all maskable layers, including those the allocation keeps dense
 * (ERK's forced-dense layers, profiles' unlisted ones), to reach `density` overall.
 */
function densityOverMaskedLayers(ctx: MethodContext, working: readonly WorkingLayer[], density: number): number {
  const all = ctx.layers.reduce((sum, layer) => sum + layerSize(layer.shape), 0);
  const masked = totalSize(working);
  if (masked === 0) return density;
  return Math.min(1, Math.max(0, (density * all - (all - masked)) / masked));
}

/** One magnitude ranking across the masked layers; only weights active in the working masks can stay. */
function globalKeep(ctx: MethodContext, working: readonly WorkingLayer[], density: number): number[] {
  const budget = Math.round(totalSize(working) * density);
  const inputs = working.map((w) => ({ layer: w.layer, mask: w.mask, score: magnitudeScore(w.layer.readWeights()) }));
  return globalKeepCounts(inputs, ctx.scheme, budget);
}

/**
 * Every layer at the same density; below 0.2 the last layer (classifier) is held at 0.2 and the others are lowered
 * so that the total budget is unchanged (GraNet_uniform's rule for s_k >= 0.8).
 */
function uniformKeep(ctx: MethodContext, working: readonly WorkingLayer[], density: number): number[] {
  const last = ctx.layers[ctx.layers.length - 1] as SparseLayer | undefined;
  const classifierIndex = working.findIndex((w) => w.layer === last);
  const densities = working.map(() => density);
  if (density < UNIFORM_CLASSIFIER_DENSITY && classifierIndex >= 0 && working.length > 1) {
    const total = totalSize(working);
    const classifierSize = layerSize(working[classifierIndex].layer.shape);
    const others = Math.max(0, (density * total - UNIFORM_CLASSIFIER_DENSITY * classifierSize) / (total - classifierSize));
    working.forEach((_, i) => (densities[i] = i === classifierIndex ? UNIFORM_CLASSIFIER_DENSITY : Math.min(1, others)));
  }
  return working.map((w, i) => Math.min(countActive(w.mask), schemeActiveCount(ctx, w.layer, densities[i])));
}

