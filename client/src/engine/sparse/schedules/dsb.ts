// DSB timing (spec 4.6). `iteration` is the reference's 0-based `it`: the update after the optimizer step of
// iteration `it` happens when (it + 1) % T == 0, i.e. at steps-done = it + 1.
import { cosineFraction } from './dst.js';
import type { DsbSchedule } from './schema.js';
import { totalSteps, type RunLength } from './run-length.js';

export function dsbEndStep(schedule: DsbSchedule, run: RunLength): number {
  return Math.max(1, schedule.endStep ?? Math.round(schedule.endFraction * totalSteps(run)));
}

/** The last iteration (exclusive) that may update: T_end, or floor(T_end / 2) with the reference CIFAR window. */
export function dsbUpdateWindow(schedule: DsbSchedule, run: RunLength): number {
  const end = dsbEndStep(schedule, run);
  return schedule.referenceHalfWindow ? Math.floor(end / 2) : end;
}

/** `step` = optimizer steps done (afterStep's info.step). Never true for SSB (staticMask). */
export function isDsbUpdateStep(schedule: DsbSchedule, step: number, run: RunLength): boolean {
  const iteration = step - 1;
  return !schedule.staticMask && step > 0 && step % schedule.updateInterval === 0 && iteration < dsbUpdateWindow(schedule, run);
}

/** f(it) = α/2·(1 + cos(π·it/T_end)). */
export function dsbDropFraction(schedule: DsbSchedule, iteration: number, run: RunLength): number {
  return cosineFraction(schedule.dropFraction, Math.max(0, iteration), dsbEndStep(schedule, run));
}
