// GMP (Zhu & Gupta as in GraNet): dense start, cubic gradual magnitude pruning, no regeneration. 'gmp' ranks
// globally, 'gmp-uniform' per layer. The default schedule sets initDensity 1 and regenerate false.
import type { GranetSchedule } from '../schedules/schema.js';
import { createGranetMethod } from './granet-method.js';
import type { SparseTrainingMethod } from './types.js';

export function createGmp(schedule: GranetSchedule, variant: 'gmp' | 'gmp-uniform'): SparseTrainingMethod {
  return createGranetMethod(variant, schedule, variant === 'gmp' ? 'global' : 'uniform');
}
