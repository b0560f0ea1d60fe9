// The job queue and its state changes. Every change is a conditional update guarded by the state machine.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { TrainingJobSpec } from '../../../generated/proto/sparsefleet/v1/job.js';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import { ACTIVE_JOB_STATES, sourcesOf, type JobState } from './job-state.js';
import { JobRepository, type JobRow } from './job.repository.js';

export interface JobView {
  readonly id: string;
  readonly name: string;
  readonly state: JobState;
  readonly attempt: number;
  readonly deviceId: string | null;
  readonly waitingReason: string | null;
  readonly spec: TrainingJobSpec;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
}

export const WAITING_FOR_ASSIGNMENT = 'waiting for assignment';
export const NO_IDLE_DEVICE = 'no online idle device';

@Injectable()
export class JobService {
  constructor(
    private readonly jobs: JobRepository,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  async submit(spec: TrainingJobSpec, name?: string, now = new Date()): Promise<JobView> {
    const id = randomUUID();
    const timestamp = now.toISOString();
    const row: Omit<JobRow, 'seq'> = {
      id,
      name: name ?? `${spec.model}-${spec.method}-${id.slice(0, 8)}`,
      state: 'queued',
      spec_json: JSON.stringify(spec),
      attempt: 1,
      device_id: null,
      waiting_reason: WAITING_FOR_ASSIGNMENT,
      created_at: timestamp,
      updated_at: timestamp,
      finished_at: null,
    };
    await this.jobs.insert(row);
    return toView(row);
  }

  async get(id: string): Promise<JobView | undefined> {
    const row = await this.jobs.findById(id);
    return row ? toView(row) : undefined;
  }

  async list(): Promise<JobView[]> {
    return (await this.jobs.list()).map(toView);
  }

  async listQueued(): Promise<JobView[]> {
    return (await this.jobs.listQueued()).map(toView);
  }

  async countByState(): Promise<Record<JobState, number>> {
    return this.jobs.countByState();
  }

  /** Hands a queued job to a device; false when the job was taken or cancelled meanwhile. */
  async claim(jobId: string, deviceId: string, now = new Date()): Promise<boolean> {
    return this.jobs.transition(jobId, ['queued'], {
      state: 'assigned',
      device_id: deviceId,
      waiting_reason: null,
      updated_at: now.toISOString(),
    });
  }

  /** First progress of the current attempt: assigned → running. No-op in any other state. */
  async markRunning(jobId: string, deviceId: string, attempt: number, now = new Date()): Promise<boolean> {
    return this.jobs.transition(jobId, ['assigned'], { state: 'running', updated_at: now.toISOString() }, { deviceId, attempt });
  }

  /** Ends the current attempt with a terminal state; false when the job was no longer held by that attempt. */
  async finish(jobId: string, deviceId: string, attempt: number, state: JobState, now = new Date()): Promise<boolean> {
    const timestamp = now.toISOString();
    return this.jobs.transition(
      jobId,
      sourcesOf(state).filter((from) => ACTIVE_JOB_STATES.includes(from)),
      { state, waiting_reason: null, updated_at: timestamp, finished_at: timestamp },
      { deviceId, attempt },
    );
  }

  /**
   * Takes a job back from the device holding it (attempt + 1), or fails it once it used up its attempts.
   * False when that attempt no longer held the job.
   */
  async requeue(job: Pick<JobView, 'id' | 'attempt'>, deviceId: string, reason: string, now = new Date()): Promise<boolean> {
    const timestamp = now.toISOString();
    const holder = { deviceId, attempt: job.attempt };
    if (job.attempt >= this.config.maxJobAttempts) {
      return this.jobs.transition(
        job.id,
        ACTIVE_JOB_STATES,
        {
          state: 'failed',
          waiting_reason: `${reason}; gave up after ${job.attempt} attempts`,
          updated_at: timestamp,
          finished_at: timestamp,
        },
        holder,
      );
    }
    return this.jobs.transition(
      job.id,
      ACTIVE_JOB_STATES,
      { state: 'queued', attempt: job.attempt + 1, device_id: null, waiting_reason: reason, updated_at: timestamp },
      holder,
    );
  }

  /** Active jobs held by `deviceId`, or by any offline device when `deviceId` is null. */
  async listHeld(deviceId: string | null): Promise<JobView[]> {
    return (await this.jobs.listHeld(ACTIVE_JOB_STATES, deviceId)).map(toView);
  }

  async setWaitingReason(jobIds: readonly string[], reason: string): Promise<void> {
    await this.jobs.setWaitingReason(jobIds, reason);
  }
}

function toView(row: Omit<JobRow, 'seq'>): JobView {
  return {
    id: row.id,
    name: row.name,
    state: row.state,
    attempt: row.attempt,
    deviceId: row.device_id,
    waitingReason: row.waiting_reason,
    spec: TrainingJobSpec.fromPartial(JSON.parse(row.spec_json) as Partial<TrainingJobSpec>),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}
