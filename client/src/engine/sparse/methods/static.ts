// Static sparse training: one random mask per layer at its allocated density (ERK / uniform / profile from
// ctx.layerDensities), exact counts, projected by the scheme; never changed afterwards.
import { initializeMasks, randomInitScore } from './common.js';
import { maskedLayers } from './layers.js';
import type { SparseTrainingMethod } from './types.js';

export function createStatic(): SparseTrainingMethod {
  return {
    name: 'static',
    masksGradients: true,
    needsDenseGradient: () => false,
    initialize(ctx) {
      initializeMasks(ctx, maskedLayers(ctx), randomInitScore);
    },
  };
}
