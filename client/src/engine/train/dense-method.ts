// The 'dense' method: every weight trains, no masks, no hooks. Built in so that dense training never depends on
// the sparse-method registry.
import type { SparseTrainingMethod } from '../sparse/methods/types.js';

export function createDenseMethod(): SparseTrainingMethod {
  return {
    name: 'dense',
    masksGradients: false,
    initialize: () => undefined,
    needsDenseGradient: () => false,
  };
}
