// A device's step time for a job: its own measured time when the profile has one (compute.stepMs), else the
// reference machine's time divided by the profile's speed factor. With an Rng, each call varies by a seeded
// log-normal factor (sigma STEP_JITTER_SIGMA, about ±10 %), the spread of repeated steps in bench:step's rounds.
import type { Rng } from '../../engine/util/rng.js';
import { referenceStepMs } from './reference-steps.js';
import { stepKey, type DeviceProfile, type StepJob } from './types.js';

export const STEP_JITTER_SIGMA = 0.1;

export interface ModelledStepJob extends StepJob {
  /** The job's TrainConfig.compute; unset = sparse kernels where the device has SIMD. */
  readonly compute?: string;
}

export function modelledStepMs(profile: DeviceProfile, job: ModelledStepJob, rng?: Rng): number {
  const measured = measuredStepMs(profile, job);
  const compute = job.compute ?? (profile.simd ? 'sparse-kernels' : 'masked-dense');
  const base = measured ?? referenceStepMs({ ...job, compute }) / profile.compute.speedFactor;
  return rng === undefined ? base : jitteredStepMs(base, rng);
}

/** One step's time around `baseMs`: the seeded log-normal jitter modelledStepMs applies with an Rng. */
export function jitteredStepMs(baseMs: number, rng: Rng): number {
  return baseMs * Math.exp(STEP_JITTER_SIGMA * rng.normal());
}

function measuredStepMs(profile: DeviceProfile, job: StepJob): number | undefined {
  const table = profile.compute.stepMs;
  if (table === undefined) return undefined;
  return table[stepKey(job)] ?? (job.density >= 1 ? table[stepKey({ ...job, scheme: 'dense', density: 1 })] : undefined);
}
