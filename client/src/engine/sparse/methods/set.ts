// SET: drop by magnitude (pruneMode 'magnitude', RigL's SET) or by SET's magnitude-and-negativity (pruneMode 'set'),
// grow uniformly at random (the default schedule's growth 'random'); no dense gradient needed.
import { createDstMethod } from './dst-method.js';
import type { DstSchedule } from '../schedules/schema.js';
import type { SparseTrainingMethod } from './types.js';

export function createSet(schedule: DstSchedule): SparseTrainingMethod {
  return createDstMethod('set', schedule);
}
