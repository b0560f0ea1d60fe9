// One entry point over the per-kind timing functions: does the schedule change masks at this position?
import { isDsbUpdateStep } from './dsb.js';
import { isDstUpdateStep } from './dst.js';
import { isGranetUpdateStep } from './granet.js';
import { isMestUpdateEpoch } from './mest.js';
import type { RunLength } from './run-length.js';
import type { Schedule } from './schema.js';

/**
 * `step` = optimizer steps done (afterStep) for step-based kinds. MEST updates at epoch starts: true when `step` is
 * the first step of an epoch (step % stepsPerEpoch == 0) whose epoch % freq == 0. VRPGE never changes masks (it
 * gates channels every step instead).
 */
export function isUpdateStep(schedule: Schedule, step: number, run: RunLength): boolean {
  switch (schedule.kind) {
    case 'dst':
      return isDstUpdateStep(schedule, step, run);
    case 'granet':
      return isGranetUpdateStep(schedule, step, run);
    case 'mest':
      return step % run.stepsPerEpoch === 0 && isMestUpdateEpoch(schedule, step / run.stepsPerEpoch);
    case 'dsb':
      return isDsbUpdateStep(schedule, step, run);
    case 'vrpge':
      return false;
  }
}
