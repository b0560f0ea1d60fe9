// The job state machine. Repositories update a job only from the states listed here, in one conditional UPDATE,
// so racing events (a result arriving while a disconnect requeues) cannot produce an impossible transition.
import { JobOutcome } from '../../../protocol/src/index.js';
import type { JobState } from '../storage/database.schema.js';

export type { JobState };

export const JOB_STATES: readonly JobState[] = ['queued', 'assigned', 'running', 'succeeded', 'failed', 'cancelled'];

export const JOB_TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = {
  queued: ['assigned', 'failed', 'cancelled'],
  assigned: ['running', 'queued', 'succeeded', 'failed', 'cancelled'],
  running: ['queued', 'succeeded', 'failed', 'cancelled'],
  succeeded: [],
  failed: [],
  cancelled: [],
};

/** States in which a device holds the job. */
export const ACTIVE_JOB_STATES: readonly JobState[] = ['assigned', 'running'];

export function canTransition(from: JobState, to: JobState): boolean {
  return JOB_TRANSITIONS[from].includes(to);
}

/** Every state from which `to` may be entered. */
export function sourcesOf(to: JobState): JobState[] {
  return JOB_STATES.filter((from) => canTransition(from, to));
}

export function isTerminal(state: JobState): boolean {
  return JOB_TRANSITIONS[state].length === 0;
}

export type FinalJobState = 'succeeded' | 'failed' | 'cancelled';

export function isFinalState(state: JobState): state is FinalJobState {
  return isTerminal(state);
}

/** The terminal state a reported outcome leads to; undefined for an outcome that is not a valid end. */
export function stateForOutcome(outcome: JobOutcome): JobState | undefined {
  switch (outcome) {
    case JobOutcome.JOB_OUTCOME_SUCCEEDED:
      return 'succeeded';
    case JobOutcome.JOB_OUTCOME_FAILED:
      return 'failed';
    case JobOutcome.JOB_OUTCOME_CANCELLED:
      return 'cancelled';
    default:
      return undefined;
  }
}
