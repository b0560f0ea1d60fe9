// MEST elastic mutation (spec 2): EM and EM&S are the same code with different bounds. Initial masks: magnitude
// pruning of the random init to each layer's allocated (profile) density with the scheme's rule. At the start of
// every epoch with epoch % freq == 0 (epoch 0 included, before any training), each masked layer is pruned to the
// phase's lower-bound sparsity by importance |w| + λ|g| and grown back to the upper-bound sparsity with random
// zero-valued weights. The mask is the source of truth (the reference's `mask = W != 0` would drop grown weights
// that are still exactly 0).
//
// Reference behaviour: the same lower/upper bound for every layer (a non-uniform profile only shapes the initial
// masks). Extension (off by default): `scaleBoundsByProfile` scales each bound per layer by the layer's profile
// density relative to the final target, b_l = 1 − (1 − b)·(1 − s_l)/(1 − L_last), so uneven profiles survive.
//
// Counts: both bounds are turned into active counts by the layer's scheme (activeCountAt), so a pattern layer is
// pruned to, and grown back to, I − int(I·r') kernels per filter. Deviation: the reference's grow step adds
// int(#empty_o − ub'·I) kernels per filter, which rounds the other way when ub'·I is fractional (I = 32, EM
// 0.92 → 0.9: 26 empty, int(1.2) = 1 grown, 7 kept, where the prune rule at 0.9 keeps 8); we grow back to the
// prune rule's count, so prune and grow agree on the count a bound means.
import { isMestUpdateEpoch, mestBoundsAt } from '../schedules/mest.js';
import type { MestSchedule } from '../schedules/schema.js';
import type { SparseLayer } from '../types.js';
import { initializeMasks, magnitudeInitScore, summarize, updateRng } from './common.js';
import { layerDensity, maskedLayers, schemeActiveCount } from './layers.js';
import { pruneAndGrow } from './prune-and-grow.js';
import { mestImportanceScore } from './scores.js';
import type { MethodContext, SparseTrainingMethod, StepInfo } from './types.js';

export interface MestOptions {
  readonly scaleBoundsByProfile?: boolean;
}

export function createMest(name: 'mest-em' | 'mest-ems', schedule: MestSchedule, options: MestOptions = {}): SparseTrainingMethod {
  let run: MethodContext | undefined;
  const finalTarget = schedule.lowerBound[schedule.lowerBound.length - 1];
  const boundFor = (ctx: MethodContext, layer: SparseLayer, bound: number): number => {
    if (!options.scaleBoundsByProfile) return bound;
    const ratio = layerDensity(ctx, layer) / (1 - finalTarget);
    return Math.min(1, Math.max(0, 1 - (1 - bound) * ratio));
  };
  return {
    name,
    masksGradients: true,
    initialize(ctx) {
      run = ctx;
      initializeMasks(ctx, maskedLayers(ctx), magnitudeInitScore);
    },
    needsDenseGradient(info: StepInfo) {
      if (schedule.importanceLambda <= 0 || run === undefined) return false;
      // The gradient of an epoch's last step feeds the next epoch's update (|w| + λ|g|).
      if (info.endsEpoch !== undefined) return info.endsEpoch && isMestUpdateEpoch(schedule, info.epoch + 1);
      const next = info.step + 1;
      return next % run.stepsPerEpoch === 0 && isMestUpdateEpoch(schedule, next / run.stepsPerEpoch);
    },
    onEpochStart(info, ctx) {
      if (!isMestUpdateEpoch(schedule, info.epoch)) return undefined;
      const { lower, upper } = mestBoundsAt(schedule, info.epoch);
      const changes = maskedLayers(ctx).map((layer) => {
        // Counted by the layer's scheme: a pattern layer keeps I − int(I·r') kernels per filter (spec §2.5).
        const pruneTo = schemeActiveCount(ctx, layer, 1 - boundFor(ctx, layer, lower));
        const growTo = schemeActiveCount(ctx, layer, 1 - boundFor(ctx, layer, upper));
        const score = mestImportanceScore(layer.readWeights(), layer.readGradient(), schedule.importanceLambda);
        const rng = updateRng(ctx, layer.name, `${name}/grow`, info.epoch);
        return pruneAndGrow(layer, {
          scheme: ctx.scheme,
          pruneTo,
          growCount: (kept) => growTo - kept,
          dropScore: score,
          growScore: undefined,
          rng,
          grownInit: 'zero',
        });
      });
      return summarize(info, ctx, changes);
    },
  };
}
