// GraNet: sparse (ERK at initDensity) or dense start, cubic gradual pruning plus zero-cost neuroregeneration with
// gradient growth. 'granet' prunes globally, 'granet-uniform' per layer.
import type { GranetSchedule } from '../schedules/schema.js';
import { createGranetMethod } from './granet-method.js';
import type { SparseTrainingMethod } from './types.js';

export function createGranet(schedule: GranetSchedule, variant: 'granet' | 'granet-uniform'): SparseTrainingMethod {
  return createGranetMethod(variant, schedule, variant === 'granet' ? 'global' : 'uniform');
}
