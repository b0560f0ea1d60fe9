// ITOP as GraNet's `DST` method: regeneration only, from step 0 to the end of the run, magnitude drop and random
// growth, with a cosine-decaying drop fraction (default α = 0.5, GraNet's --prune-rate, over the whole run; the
// reference decays to η_min = 0.005 rather than 0 — negligible). Expressed as a dst schedule, so it shares RigL's
// driver; the default schedule (defaultScheduleFor('itop')) sets growth 'random' and endFraction 1.
import { createDstMethod } from './dst-method.js';
import type { DstSchedule } from '../schedules/schema.js';
import type { SparseTrainingMethod } from './types.js';

export function createItop(schedule: DstSchedule): SparseTrainingMethod {
  return createDstMethod('itop', schedule);
}
