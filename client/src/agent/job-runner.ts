// Runs one assigned job at a time in the engine and turns what happens into ordered reports.
// Every report gets (job, attempt, sequence) when it is created; sequences start at 1 per (job, attempt).
import {
  JobOutcome,
  type JobAccepted,
  type JobAssignment,
  type JobCancel,
} from '../../../generated/proto/sparsefleet/v1/job.js';
import type { TrainConfig } from '../engine/train/config.js';
import type { TrainProgress, TrainResult } from '../engine/train/types.js';
import { errorText } from './errors.js';
import type { OutboundReport } from './outbox.js';
import { toProgressReport, toSucceededResult, toUnfinishedResult } from './report-mapping.js';
import type { TrainingEngine } from './training-engine.js';
import { TypedEvents } from './typed-events.js';

export interface JobStarted {
  readonly jobId: string;
  readonly attempt: number;
  readonly config: TrainConfig | undefined;
}

export interface JobFinished {
  readonly jobId: string;
  readonly attempt: number;
  readonly outcome: 'succeeded' | 'failed' | 'cancelled';
  readonly result?: TrainResult;
  readonly error?: string;
}

export interface JobRunnerEvents {
  started: [job: JobStarted];
  progress: [jobId: string, progress: TrainProgress];
  finished: [job: JobFinished];
}

export interface JobRunnerOptions {
  /** Read when a job starts: the agent loads the engine lazily. */
  readonly engine: () => TrainingEngine;
  /** Where reports go (the outbox). */
  readonly report: (report: OutboundReport) => void;
  /** Backend the agent initialised; used when the job does not ask for one. */
  readonly backend: () => string | undefined;
  readonly progressEverySteps?: number;
}

interface ActiveJob {
  readonly jobId: string;
  readonly attempt: number;
  readonly controller: AbortController;
  readonly startedAt: number;
  nextSequence: number;
  /** The run ends without a JobResult: the agent is stopping or the coordinator moved the job elsewhere. */
  silent: boolean;
  cancelReason?: string;
  done: Promise<void>;
}

export class JobRunner extends TypedEvents<JobRunnerEvents> {
  private active: ActiveJob | undefined;

  constructor(private readonly options: JobRunnerOptions) {
    super();
  }

  get runningJobIds(): string[] {
    return this.active ? [this.active.jobId] : [];
  }

  get busy(): boolean {
    return this.active !== undefined;
  }

  /** Accepts the job when idle (or when it is the job already running: a resent assignment). */
  accept(assignment: JobAssignment): JobAccepted {
    const { jobId, attempt } = assignment;
    const current = this.active;
    if (current && current.jobId === jobId && current.attempt === attempt) {
      return { jobId, attempt, accepted: true, reason: '' };
    }
    // A newer attempt of the running job means the coordinator gave up on ours (e.g. after a link loss).
    const supersedes = current !== undefined && current.jobId === jobId && attempt > current.attempt;
    if (current && !supersedes) return { jobId, attempt, accepted: false, reason: `busy with job ${current.jobId}` };
    if (!assignment.spec) return { jobId, attempt, accepted: false, reason: 'assignment carries no job spec' };
    const previous = current ? this.stopSilently(current, `superseded by attempt ${attempt}`) : Promise.resolve();
    const job: ActiveJob = {
      jobId,
      attempt,
      controller: new AbortController(),
      startedAt: Date.now(),
      nextSequence: 1,
      silent: false,
      done: Promise.resolve(),
    };
    this.active = job;
    const spec = assignment.spec;
    // Start after the ack has gone out (so JobAccepted precedes the first progress report) and after a
    // superseded run has wound down.
    job.done = previous
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => this.run(job, spec));
    return { jobId, attempt, accepted: true, reason: '' };
  }

  cancel(message: JobCancel): boolean {
    const job = this.active;
    if (!job || job.jobId !== message.jobId) return false;
    job.cancelReason = message.reason || 'cancelled by the coordinator';
    job.controller.abort(new Error(job.cancelReason));
    return true;
  }

  /** Aborts the running job without reporting it (the coordinator re-queues it when the lease is lost). */
  async abandon(): Promise<void> {
    const job = this.active;
    if (job) await this.stopSilently(job, 'agent stopping');
  }

  /** The coordinator no longer takes reports of this attempt (job reassigned, unknown): stop working on it. */
  revoke(jobId: string, attempt: number, reason: string): boolean {
    const job = this.active;
    if (!job || job.jobId !== jobId || job.attempt !== attempt) return false;
    void this.stopSilently(job, reason);
    return true;
  }

  private async stopSilently(job: ActiveJob, reason: string): Promise<void> {
    job.silent = true;
    job.cancelReason = reason;
    job.controller.abort(new Error(reason));
    await job.done;
  }

  private async run(job: ActiveJob, spec: NonNullable<JobAssignment['spec']>): Promise<void> {
    const engine = this.options.engine();
    let config: TrainConfig | undefined;
    try {
      config = engine.toConfig(spec);
      const backend = this.options.backend();
      if (config.backend === undefined && backend !== undefined) config = withBackend(config, backend);
      this.emit('started', { jobId: job.jobId, attempt: job.attempt, config });
      const result = await engine.run(config, {
        signal: job.controller.signal,
        progressEverySteps: this.options.progressEverySteps,
        onProgress: (progress) => this.onProgress(job, progress),
      });
      if (job.controller.signal.aborted) throw job.controller.signal.reason;
      this.finish(job, { type: 'sparsefleet.v1.JobResult', message: toSucceededResult(this.identity(job), result) }, {
        outcome: 'succeeded',
        result,
      });
    } catch (error) {
      if (config === undefined) this.emit('started', { jobId: job.jobId, attempt: job.attempt, config });
      const cancelled = job.controller.signal.aborted;
      const text = cancelled ? (job.cancelReason ?? 'cancelled') : errorText(error);
      const outcome = cancelled ? JobOutcome.JOB_OUTCOME_CANCELLED : JobOutcome.JOB_OUTCOME_FAILED;
      const message = toUnfinishedResult(this.identity(job), outcome, text, {
        backend: config?.backend,
        wallMs: Date.now() - job.startedAt,
      });
      this.finish(job, { type: 'sparsefleet.v1.JobResult', message }, {
        outcome: cancelled ? 'cancelled' : 'failed',
        error: text,
      });
    }
  }

  private onProgress(job: ActiveJob, progress: TrainProgress): void {
    if (job.controller.signal.aborted) return;
    const message = toProgressReport(this.identity(job), progress);
    this.options.report({ type: 'sparsefleet.v1.ProgressReport', message });
    this.emit('progress', job.jobId, progress);
  }

  private finish(job: ActiveJob, report: OutboundReport, details: Omit<JobFinished, 'jobId' | 'attempt'>): void {
    if (this.active === job) this.active = undefined;
    if (!job.silent) this.options.report(report);
    this.emit('finished', { jobId: job.jobId, attempt: job.attempt, ...details });
  }

  /** Takes the next sequence number of this (job, attempt). */
  private identity(job: ActiveJob): { jobId: string; attempt: number; sequence: number } {
    const sequence = job.nextSequence;
    job.nextSequence += 1;
    return { jobId: job.jobId, attempt: job.attempt, sequence };
  }
}

function withBackend(config: TrainConfig, backend: string): TrainConfig {
  if (backend !== 'tensorflow' && backend !== 'wasm' && backend !== 'cpu') return config;
  return { ...config, backend };
}
