// The one rule for device messages about a job: only the device holding it, for its current attempt, may speak.
import { ErrorCode, ProtocolFault } from '../../../protocol/src/index.js';
import { ACTIVE_JOB_STATES } from './job-state.js';
import type { JobService, JobView } from './job.service.js';

export interface HolderCheck {
  readonly jobId: string;
  readonly deviceId: string;
  /** The attempt the device speaks for; undefined when the message names none (checkpoint fetch). */
  readonly attempt?: number;
  /** The message type, for the protocol error. */
  readonly type: string;
  /** Refuse (CONFLICT) when the job is finished: e.g. no checkpoint uploads for a done job. */
  readonly requireActive?: boolean;
}

/**
 * Returns the job, or throws NOT_FOUND, FORBIDDEN (another device's job), ATTEMPT_ENDED (the device speaks for an
 * earlier, abandoned attempt) or CONFLICT (an attempt the job never had, or a finished job where `requireActive`).
 */
export async function requireHeldJob(jobs: Pick<JobService, 'get'>, check: HolderCheck): Promise<JobView> {
  const { jobId, deviceId, attempt, type } = check;
  const job = await jobs.get(jobId);
  if (!job) throw new ProtocolFault(ErrorCode.ERROR_CODE_NOT_FOUND, `job ${jobId} does not exist`, type);
  if (job.deviceId !== deviceId) {
    // The device of the last abandoned attempt speaks for a stale attempt, not for someone else's job.
    if (job.previousDeviceId === deviceId) {
      throw new ProtocolFault(ErrorCode.ERROR_CODE_ATTEMPT_ENDED, `this device's attempt of job ${jobId} was abandoned`, type);
    }
    throw new ProtocolFault(ErrorCode.ERROR_CODE_FORBIDDEN, `job ${jobId} is not assigned to this device`, type);
  }
  if (attempt !== undefined && attempt < job.attempt) {
    throw new ProtocolFault(ErrorCode.ERROR_CODE_ATTEMPT_ENDED, `attempt ${attempt} of job ${jobId} has ended (the job is at attempt ${job.attempt})`, type);
  }
  if (attempt !== undefined && job.attempt !== attempt) {
    throw new ProtocolFault(ErrorCode.ERROR_CODE_CONFLICT, `job ${jobId} is at attempt ${job.attempt}, not ${attempt}`, type);
  }
  if (check.requireActive && !ACTIVE_JOB_STATES.includes(job.state)) {
    throw new ProtocolFault(ErrorCode.ERROR_CODE_CONFLICT, `job ${jobId} is ${job.state}`, type);
  }
  return job;
}
