// The RigL/SET/ITOP driver (spec 1.2): random initial masks at the allocated densities, then every ΔT steps each
// masked layer drops floor(nnz·f(t)) weights by the prune mode and regrows as many by the growth mode (or
// redistributes the grow budget across layers). The active count of each layer is unchanged with
// redistribution 'none'; the total is unchanged with every mode.
import { dstDropFraction, isDstUpdateStep } from '../schedules/dst.js';
import type { DstSchedule } from '../schedules/schema.js';
import { randomInitScore, initializeMasks, summarize } from './common.js';
import { maskedLayers } from './layers.js';
import { beginUpdate, commitUpdate, dropAndRegrow } from './mask-update.js';
import type { MethodContext, MethodName, SparseTrainingMethod, StepInfo } from './types.js';

export function createDstMethod(name: MethodName, schedule: DstSchedule): SparseTrainingMethod {
  let run: MethodContext | undefined;
  return {
    name,
    masksGradients: true,
    initialize(ctx) {
      run = ctx;
      initializeMasks(ctx, maskedLayers(ctx), randomInitScore);
    },
    needsDenseGradient(info: StepInfo) {
      return schedule.growth === 'gradient' && run !== undefined && isDstUpdateStep(schedule, info.step + 1, run);
    },
    afterStep(info, ctx) {
      if (!isDstUpdateStep(schedule, info.step, ctx)) return undefined;
      const fraction = dstDropFraction(schedule, info.step, ctx);
      const working = beginUpdate(ctx, maskedLayers(ctx));
      dropAndRegrow(ctx, info, working, {
        dropCount: (active) => Math.floor(active * fraction),
        pruneMode: schedule.pruneMode,
        growth: schedule.growth,
        redistribution: schedule.redistribution,
        method: name,
      });
      return summarize(info, ctx, commitUpdate(working, schedule.growInit === 'keep' ? 'keep' : 'zero'));
    },
  };
}
