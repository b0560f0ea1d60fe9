// RigL / SET / ITOP timing (spec 1.2): pure functions of the global step.
import type { DstSchedule } from './schema.js';
import { totalSteps, type RunLength } from './run-length.js';

/** Absolute end step: `endStep` when given, else `endFraction` of the run (at least beginStep + 1). */
export function dstEndStep(schedule: DstSchedule, run: RunLength): number {
  const end = schedule.endStep ?? Math.round(schedule.endFraction * totalSteps(run));
  return Math.max(end, schedule.beginStep + 1);
}

/** Updates happen every ΔT steps while beginStep <= step <= end (RigL `is_update_iter`). */
export function isDstUpdateStep(schedule: DstSchedule, step: number, run: RunLength): boolean {
  return step >= schedule.beginStep && step <= dstEndStep(schedule, run) && step % schedule.updateInterval === 0;
}

/**
 * Drop fraction f(step).
 * - constant: α.
 * - cosine: α/2·(1 + cos(π·min(t, T)/T)), T = end − begin. As in the reference, t is the absolute step, not t − begin.
 * - exponential: α·(1 − (t − begin)/(end − begin))^k, t clamped to [begin, end].
 */
export function dstDropFraction(schedule: DstSchedule, step: number, run: RunLength): number {
  const alpha = schedule.dropFraction;
  const begin = schedule.beginStep;
  const span = dstEndStep(schedule, run) - begin;
  switch (schedule.decay.kind) {
    case 'constant':
      return alpha;
    case 'cosine':
      return cosineFraction(alpha, Math.max(0, step), span);
    case 'exponential': {
      const progress = Math.min(Math.max(step - begin, 0), span) / span;
      return alpha * Math.pow(1 - progress, schedule.decay.exponent);
    }
  }
}

/** α/2·(1 + cos(π·min(t, T)/T)); shared with DSB. */
export function cosineFraction(alpha: number, t: number, span: number): number {
  return (alpha / 2) * (1 + Math.cos((Math.PI * Math.min(t, span)) / span));
}
