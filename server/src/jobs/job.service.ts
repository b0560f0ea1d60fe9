// The job queue and its state changes. Every change is a conditional update guarded by the state machine, and
// every change of a held job names its holder (device, attempt), so a stale attempt can never move the job.
// Each change that matters to others is published once it is stored: JobQueued, JobFinished.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { CLOCK, clockDate, realClock, type Clock } from '../common/clock.js';
import { TimeSlicer } from '../common/cooperative.js';
import { type TrainingJobSpec, withDefaults } from '../../../protocol/src/index.js';
import type { MemoryEstimate } from '../../../client/src/engine/spec.js';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import { DomainEventBus } from '../events/event-bus.js';
import { ACTIVE_JOB_STATES, isFinalState, sourcesOf, type JobState } from './job-state.js';
import { requirementsOf, type JobRequirements, type JobSelector } from './job-selector.js';
import { JobRepository, type HeldJobRef, type JobRow } from './job.repository.js';

/** Queued jobs read or updated per statement (each statement runs whole on the event loop). */
const QUEUE_PAGE_ROWS = 250;

export interface JobView {
  readonly id: string;
  readonly name: string;
  readonly state: JobState;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly deviceId: string | null;
  /** The device of the last abandoned attempt (assignment prefers another one). */
  readonly previousDeviceId: string | null;
  /** Why a queued job waits (or why a failed job failed). */
  readonly waitingReason: string | null;
  readonly spec: TrainingJobSpec;
  readonly selector: JobSelector;
  readonly checkpointEverySteps: number;
  readonly memoryEstimate: MemoryEstimate | null;
  /** What a device must offer: labels, backend, free memory (selector and estimate with headroom). */
  readonly requirements: JobRequirements;
  readonly leaseExpiresAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
}

export interface SubmitOptions {
  readonly selector?: JobSelector;
  readonly maxAttempts?: number;
  readonly checkpointEverySteps?: number;
  readonly memoryEstimate?: MemoryEstimate;
}

export const WAITING_FOR_ASSIGNMENT = 'waiting for assignment';

/** What `submitMany` returns per job. */
export interface SubmittedJob {
  readonly id: string;
  readonly createdAt: string;
}

@Injectable()
export class JobService {
  constructor(
    private readonly jobs: JobRepository,
    private readonly events: DomainEventBus,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = realClock,
  ) {}

  async submit(spec: TrainingJobSpec, name?: string, options: SubmitOptions = {}, now = clockDate(this.clock)): Promise<JobView> {
    const row = this.queuedRow(spec, name, options, now);
    await this.jobs.insert(row);
    this.events.publish({ type: 'JobQueued', jobIds: [row.id] });
    return toView(row);
  }

  /**
   * Queues several jobs in one transaction, in the order given (the queue order), like `submit` one by one.
   * Returns each job's id and creation time only: building full views of a big batch is work nobody reads.
   */
  async submitMany(
    jobs: ReadonlyArray<{ readonly spec: TrainingJobSpec; readonly name?: string; readonly options?: SubmitOptions }>,
    now = clockDate(this.clock),
  ): Promise<SubmittedJob[]> {
    const rows = jobs.map(({ spec, name, options }) => this.queuedRow(spec, name, options ?? {}, now));
    await this.jobs.insertMany(rows);
    if (rows.length > 0) this.events.publish({ type: 'JobQueued', jobIds: rows.map((row) => row.id) });
    return rows.map((row) => ({ id: row.id, createdAt: row.created_at }));
  }

  /** Views of the jobs with these ids that exist, in no particular order (a few queries, not one per id). */
  async getMany(ids: readonly string[]): Promise<JobView[]> {
    return (await this.jobs.findByIds(ids)).map(toView);
  }

  async get(id: string): Promise<JobView | undefined> {
    const row = await this.jobs.findById(id);
    return row ? toView(row) : undefined;
  }

  async list(state?: JobState): Promise<JobView[]> {
    return (await this.jobs.list(state)).map(toView);
  }

  /**
   * Every queued job, oldest first. Read in pages and decoded in slices that yield to the event loop: the queue may
   * hold thousands of jobs, and a SQLite read does not yield by itself.
   */
  async listQueued(): Promise<JobView[]> {
    const slicer = new TimeSlicer();
    const views: JobView[] = [];
    for (let afterSeq = 0; ; ) {
      const page = await this.jobs.listQueuedAfter(afterSeq, QUEUE_PAGE_ROWS);
      for (const row of page) {
        views.push(toView(row));
        await slicer.tick();
      }
      if (page.length < QUEUE_PAGE_ROWS) return views;
      afterSeq = Number(page.at(-1)!.seq);
      await slicer.tick();
    }
  }

  async countByState(): Promise<Record<JobState, number>> {
    return this.jobs.countByState();
  }

  /** Hands a queued job to a device with a fresh lease; false when the job was taken or cancelled meanwhile. */
  async claim(jobId: string, deviceId: string, now = clockDate(this.clock)): Promise<boolean> {
    return this.jobs.transition(jobId, ['queued'], {
      state: 'assigned',
      device_id: deviceId,
      waiting_reason: null,
      lease_expires_at: this.leaseFrom(now),
      updated_at: now.toISOString(),
    });
  }

  /** First progress of the current attempt: assigned → running. No-op in any other state. */
  async markRunning(jobId: string, deviceId: string, attempt: number, now = clockDate(this.clock)): Promise<boolean> {
    return this.jobs.transition(jobId, ['assigned'], { state: 'running', updated_at: now.toISOString() }, { deviceId, attempt });
  }

  /** Extends the lease of an active attempt; false when that attempt no longer holds the job. */
  async renewLease(jobId: string, deviceId: string, attempt: number, now = clockDate(this.clock)): Promise<boolean> {
    return this.jobs.transition(jobId, ACTIVE_JOB_STATES, { lease_expires_at: this.leaseFrom(now) }, { deviceId, attempt });
  }

  /** Active jobs held by any of the devices: id, holder and attempt only. */
  async listHeldRefs(deviceIds: readonly string[]): Promise<HeldJobRef[]> {
    return this.jobs.listHeldRefs(ACTIVE_JOB_STATES, deviceIds);
  }

  /** Renews the leases of these attempts (those still active with that holder); returns how many. */
  async renewLeases(refs: readonly HeldJobRef[], now = clockDate(this.clock)): Promise<number> {
    return refs.length === 0 ? 0 : this.jobs.renewLeases(refs, ACTIVE_JOB_STATES, this.leaseFrom(now));
  }

  /** Ends the current attempt with a terminal state; false when the job was no longer held by that attempt. */
  async finish(jobId: string, deviceId: string, attempt: number, state: JobState, now = clockDate(this.clock)): Promise<boolean> {
    const timestamp = now.toISOString();
    const finished = await this.jobs.transition(
      jobId,
      sourcesOf(state).filter((from) => ACTIVE_JOB_STATES.includes(from)),
      { state, waiting_reason: null, lease_expires_at: null, updated_at: timestamp, finished_at: timestamp },
      { deviceId, attempt },
    );
    if (finished && isFinalState(state)) this.events.publish({ type: 'JobFinished', jobId, state });
    return finished;
  }

  /**
   * Abandons the attempt `deviceId` holds: the job goes back to the queue with attempt + 1 (remembering the
   * device, so another one is preferred), or fails once it used up its attempts. False when that attempt no
   * longer held the job.
   */
  async requeue(
    job: Pick<JobView, 'id' | 'attempt' | 'maxAttempts'>,
    deviceId: string,
    reason: string,
    now = clockDate(this.clock),
  ): Promise<boolean> {
    const timestamp = now.toISOString();
    const holder = { deviceId, attempt: job.attempt };
    if (job.attempt >= job.maxAttempts) {
      const failed = await this.jobs.transition(
        job.id,
        ACTIVE_JOB_STATES,
        {
          state: 'failed',
          waiting_reason: `${reason}; gave up after ${job.attempt} attempts`,
          lease_expires_at: null,
          updated_at: timestamp,
          finished_at: timestamp,
        },
        holder,
      );
      if (failed) this.events.publish({ type: 'JobFinished', jobId: job.id, state: 'failed' });
      return failed;
    }
    return this.queuedAgain(job.id, ACTIVE_JOB_STATES, holder, {
        state: 'queued',
        attempt: job.attempt + 1,
        device_id: null,
        previous_device_id: deviceId,
        waiting_reason: reason,
        lease_expires_at: null,
        updated_at: timestamp,
    });
  }

  /**
   * A device declined the job (JobAccepted with accepted = false): it never ran, so the attempt is not used up. Back to
   * the queue on the same attempt; the assignment does not offer it to that device again.
   */
  async returnRefused(job: Pick<JobView, 'id' | 'attempt'>, deviceId: string, reason: string, now = clockDate(this.clock)): Promise<boolean> {
    return this.queuedAgain(job.id, ACTIVE_JOB_STATES, { deviceId, attempt: job.attempt }, {
      state: 'queued',
      device_id: null,
      previous_device_id: deviceId,
      waiting_reason: reason,
      lease_expires_at: null,
      updated_at: now.toISOString(),
    });
  }

  /** Cancels a job that is not finished; false when it already was. The device (if any) stays recorded. */
  async cancel(jobId: string, reason: string, now = clockDate(this.clock)): Promise<boolean> {
    const timestamp = now.toISOString();
    const cancelled = await this.jobs.transition(jobId, sourcesOf('cancelled'), {
      state: 'cancelled',
      waiting_reason: reason,
      lease_expires_at: null,
      updated_at: timestamp,
      finished_at: timestamp,
    });
    if (cancelled) this.events.publish({ type: 'JobFinished', jobId, state: 'cancelled' });
    return cancelled;
  }

  /**
   * Coordinator start: every held job gets a full lease from now, so devices have time to reconnect and claim
   * their jobs however long the coordinator was down. Returns how many leases were extended.
   */
  async graceLeases(now = clockDate(this.clock)): Promise<number> {
    return this.jobs.extendLeases(ACTIVE_JOB_STATES, this.leaseFrom(now));
  }

  /** Active jobs held by `deviceId`. */
  async listHeld(deviceId: string): Promise<JobView[]> {
    return (await this.jobs.listHeld(ACTIVE_JOB_STATES, deviceId)).map(toView);
  }

  /** Active jobs whose lease ended at or before `now`. */
  async listLeaseExpired(now = clockDate(this.clock)): Promise<JobView[]> {
    return (await this.jobs.listLeaseExpired(ACTIVE_JOB_STATES, now.toISOString())).map(toView);
  }

  /** Replaces the selector of a queued job (e.g. re-pinning it to another device); false once it left the queue. */
  async updateSelector(jobId: string, selector: JobSelector, now = clockDate(this.clock)): Promise<boolean> {
    return this.queuedAgain(jobId, ['queued'], undefined, { selector_json: JSON.stringify(selector), updated_at: now.toISOString() });
  }

  async setWaitingReason(jobIds: readonly string[], reason: string): Promise<void> {
    const slicer = new TimeSlicer();
    for (let start = 0; start < jobIds.length; start += QUEUE_PAGE_ROWS) {
      await this.jobs.setWaitingReason(jobIds.slice(start, start + QUEUE_PAGE_ROWS), reason);
      await slicer.tick();
    }
  }

  /** A transition that leaves the job queued (again, or for other devices): assignment has something new. */
  private async queuedAgain(
    jobId: string,
    from: readonly JobState[],
    holder: Parameters<JobRepository['transition']>[3],
    changes: Parameters<JobRepository['transition']>[2],
  ): Promise<boolean> {
    const changed = await this.jobs.transition(jobId, from, changes, holder);
    if (changed) this.events.publish({ type: 'JobQueued', jobIds: [jobId] });
    return changed;
  }

  private queuedRow(spec: TrainingJobSpec, name: string | undefined, options: SubmitOptions, now: Date): Omit<JobRow, 'seq'> {
    const id = randomUUID();
    const timestamp = now.toISOString();
    return {
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
      selector_json: JSON.stringify(options.selector ?? {}),
      max_attempts: options.maxAttempts ?? this.config.maxJobAttempts,
      checkpoint_every_steps: options.checkpointEverySteps ?? 0,
      memory_estimate_json: options.memoryEstimate ? JSON.stringify(options.memoryEstimate) : null,
      lease_expires_at: null,
      previous_device_id: null,
    };
  }

  private leaseFrom(now: Date): string {
    return new Date(now.getTime() + this.config.leaseMs).toISOString();
  }
}

function toView(row: Omit<JobRow, 'seq'>): JobView {
  const selector = JSON.parse(row.selector_json) as JobSelector;
  const memoryEstimate = row.memory_estimate_json === null ? null : (JSON.parse(row.memory_estimate_json) as MemoryEstimate);
  const spec = withDefaults('sparsefleet.v1.TrainingJobSpec', JSON.parse(row.spec_json) as Partial<TrainingJobSpec>);
  return {
    id: row.id,
    name: row.name,
    state: row.state,
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    deviceId: row.device_id,
    previousDeviceId: row.previous_device_id,
    waitingReason: row.waiting_reason,
    spec,
    selector,
    checkpointEverySteps: row.checkpoint_every_steps,
    memoryEstimate,
    requirements: requirementsOf(selector, memoryEstimate?.totalBytes ?? 0, spec.backend || undefined),
    leaseExpiresAt: row.lease_expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}
