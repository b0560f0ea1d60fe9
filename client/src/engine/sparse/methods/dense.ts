// Dense training: no masks are drawn or changed.
import type { SparseTrainingMethod } from './types.js';

export function createDense(): SparseTrainingMethod {
  return {
    name: 'dense',
    masksGradients: false,
    needsDenseGradient: () => false,
    initialize() {},
  };
}
