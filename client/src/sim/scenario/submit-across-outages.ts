// One submission of a batch of jobs in a simulated run that survives the scenario's own coordinator crashes: it waits while the
// coordinator is down, and after a request that failed in transport (the coordinator may have stored the job just
// before it died) it looks the batch up by its jobs' names before sending it again (a batch is stored in one transaction:
// one name found means all were), so a crash never doubles a job. A refusal
// (an HTTP error answer) is final.
import { setTimeout as sleep } from 'node:timers/promises';
import { RestError, type CoordinatorApi } from './coordinator-api.js';

export type SubmissionApi = Pick<CoordinatorApi, 'listJobs' | 'submitJobs'>;

export interface SubmissionTiming {
  /** How long one submission keeps trying while the coordinator cannot be reached before the run gives up. */
  readonly outageLimitMs: number;
  /** How often a submission checks whether the coordinator is back. */
  readonly pollMs: number;
  /** Pause after a transport failure before the next try. */
  readonly retryMs: number;
}

export const DEFAULT_SUBMISSION_TIMING: SubmissionTiming = { outageLimitMs: 120_000, pollMs: 50, retryMs: 200 };

export async function submitAcrossOutages(
  api: SubmissionApi,
  coordinator: { readonly running: boolean },
  bodies: ReadonlyArray<{ readonly name: string }>,
  timing: SubmissionTiming = DEFAULT_SUBMISSION_TIMING,
): Promise<void> {
  const giveUpAt = Date.now() + timing.outageLimitMs;
  let uncertain = false;
  for (;;) {
    while (!coordinator.running && Date.now() < giveUpAt) await sleep(timing.pollMs);
    try {
      if (uncertain) {
        const names = new Set(bodies.map((body) => body.name));
        if ((await api.listJobs()).some((job) => names.has(job.name))) return;
      }
      await api.submitJobs(bodies);
      return;
    } catch (error) {
      if (error instanceof RestError || Date.now() >= giveUpAt) throw error;
      uncertain = true;
      await sleep(timing.retryMs);
    }
  }
}
