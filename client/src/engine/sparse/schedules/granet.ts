// GraNet / GMP timing (spec 1.3, 3.3, 3.4): cubic gradual-pruning window and cosine regeneration rate.
//
// `multiplier` stretches the pruning window: prune epochs are in un-stretched epochs and are multiplied by it (the
// CIFAR code), while the regeneration cosine runs over the actual run (`epochs` is the real, already stretched,
// length here). Intended semantics, not the quirk: pruning applies for k0 <= k <= kf (the reference's global variant
// stops at kf − 1 and never quite reaches the final density).
import type { GranetSchedule } from './schema.js';
import { epochStartStep, totalSteps, type RunLength } from './run-length.js';

export interface PruneWindow {
  /** First and last update index k = floor(step/ΔT) at which gradual pruning applies. */
  readonly k0: number;
  readonly kf: number;
  /** First step at which the GraNet branch may run at all. */
  readonly startStep: number;
}

export function granetPruneWindow(schedule: GranetSchedule, run: RunLength): PruneWindow {
  const startStep = epochStartStep(run, schedule.initPruneEpoch * schedule.multiplier);
  return {
    startStep,
    k0: Math.floor(startStep / schedule.updateInterval),
    kf: Math.floor(epochStartStep(run, schedule.finalPruneEpoch * schedule.multiplier) / schedule.updateInterval),
  };
}

/** GraNet gate: step >= start of the window and step % ΔT == 0 (regeneration keeps running after the window). */
export function isGranetUpdateStep(schedule: GranetSchedule, step: number, run: RunLength): boolean {
  return step > 0 && step >= granetPruneWindow(schedule, run).startStep && step % schedule.updateInterval === 0;
}

/** Whether gradual pruning applies at this (update) step. */
export function isGranetPruneStep(schedule: GranetSchedule, step: number, run: RunLength): boolean {
  const { k0, kf } = granetPruneWindow(schedule, run);
  const k = Math.floor(step / schedule.updateInterval);
  return isGranetUpdateStep(schedule, step, run) && k >= k0 && k <= kf;
}

/** s = s_f + (s_i − s_f)·(1 − progress)^3 (Zhu & Gupta), progress clamped to [0, 1]. */
export function cubicSparsity(initialSparsity: number, finalSparsity: number, progress: number): number {
  const p = Math.min(Math.max(progress, 0), 1);
  return finalSparsity + (initialSparsity - finalSparsity) * Math.pow(1 - p, 3);
}

/** Target overall sparsity at update index k: 1 − d_i before the window, 1 − d_f after it, cubic in between. */
export function granetSparsityAtUpdate(schedule: GranetSchedule, k: number, window: PruneWindow): number {
  const initial = 1 - schedule.initDensity;
  const final = 1 - schedule.finalDensity;
  const n = window.kf - window.k0;
  if (k < window.k0) return initial;
  if (n <= 0) return final;
  return cubicSparsity(initial, final, (k - window.k0) / n);
}

/** Target overall density after the update at `step` (the cubic schedule evaluated at k = floor(step/ΔT)). */
export function granetDensityAt(schedule: GranetSchedule, step: number, run: RunLength): number {
  const window = granetPruneWindow(schedule, run);
  return 1 - granetSparsityAtUpdate(schedule, Math.floor(step / schedule.updateInterval), window);
}

/** r_t = η_min + (r_0 − η_min)·(1 + cos(π·t/T))/2 over the whole run. */
export function regenerationRateAt(schedule: GranetSchedule, step: number, run: RunLength): number {
  const total = totalSteps(run);
  const t = Math.min(Math.max(step, 0), total);
  const { regenerationRate: r0, regenerationMin: rMin } = schedule;
  return rMin + ((r0 - rMin) * (1 + Math.cos((Math.PI * t) / total))) / 2;
}
