// MEST timing (spec 2.4): updates at the start of every epoch with epoch % freq == 0 (epoch 0 included); the bound
// phase is the number of decay epochs already reached, reusing the last bound entry when the lists are short.
import type { MestSchedule } from './schema.js';

export function isMestUpdateEpoch(schedule: MestSchedule, epoch: number): boolean {
  return epoch >= 0 && epoch % schedule.updateFrequency === 0;
}

export function mestBoundIndex(schedule: MestSchedule, epoch: number): number {
  let reached = 0;
  for (const decayEpoch of schedule.decayEpochs) if (epoch >= decayEpoch) reached++;
  return Math.min(reached, schedule.lowerBound.length - 1, schedule.upperBound.length - 1);
}

export interface MestBounds {
  /** Sparsity to prune to. */
  readonly lower: number;
  /** Sparsity to grow back to. */
  readonly upper: number;
}

export function mestBoundsAt(schedule: MestSchedule, epoch: number): MestBounds {
  const index = mestBoundIndex(schedule, epoch);
  return { lower: schedule.lowerBound[index], upper: schedule.upperBound[index] };
}
