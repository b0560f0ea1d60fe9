// RigL: drop the smallest |w|, grow the largest dense |∂L/∂w| (schedule growth 'gradient', the default).
import { createDstMethod } from './dst-method.js';
import type { DstSchedule } from '../schedules/schema.js';
import type { SparseTrainingMethod } from './types.js';

export function createRigl(schedule: DstSchedule): SparseTrainingMethod {
  return createDstMethod('rigl', schedule);
}
