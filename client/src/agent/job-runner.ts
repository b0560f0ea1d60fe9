// Runs one assigned job at a time in the engine and turns what happens into ordered reports.
// Every report gets (job, attempt, sequence) when it is created; sequences start at 1 per (job, attempt).
// A spec with `benchmark` set is a campaign cell: the engine measures it (./benchmark-job.ts) and the JobResult
// carries `benchmark` (progress reports say phase "benchmarking").
// Checkpoints: every `checkpointEverySteps` steps (the assignment's, else the agent's default) and at epoch ends the
// engine's checkpoint is hashed and queued as chunks + commit; an assignment with `resume` first fetches its
// checkpoint, and a failed fetch ends the attempt with a FAILED result that says so.
// Masks: a spec with mask_reporting sends MaskUpdateChunk reports as its cadence asks (./mask-reporter.ts); a spec
// with initial_mask first fetches that stored mask and starts training from it (not on a resumed attempt, whose
// checkpoint holds its masks).
// Forgetting statistics: a spec with forgetting_reporting makes the run hand out its cumulative per-example statistics
// (every epoch or at the end), sent as ForgettingStatsChunk reports (./forgetting-reporter.ts); the run refuses data
// whose identity differs from the one registered for the job (the attempt FAILS with the reason). A FLEET data
// efficiency spec trains on the kept examples of the assignment's removal set, refreshed per epoch when asked
// (./fleet-removal.ts).
import { yieldToEventLoop } from '../engine/train/yield.js';
import type { ResumeFrom } from '../../../protocol/src/index.js';
import {
  JobOutcome,
  type JobAccepted,
  type JobAssignment,
  type FederatedTask,
  type JobCancel,
  type TrainingJobSpec,
} from '../../../protocol/src/index.js';
import type { CheckpointInfo, CheckpointOptions } from '../engine/train/checkpointing.js';
import type { BenchmarkProgress } from '../engine/bench/types.js';
import { datasetSpecOf, type TrainConfig } from '../engine/train/config.js';
import type { JobDatasets } from './platform.js';
import { agentBuildInfo, reportedCommit, type BuildInfo } from './build-info.js';
import { toBenchmarkJobResult, toBenchmarkProgressReport } from './benchmark-mapping.js';
import { benchmarkRequest, isBenchmarkSpec, runBenchmarkCell, withAgentBackend } from './benchmark-job.js';
import { checkpointUploadReports } from './checkpoint-upload.js';
import type { ForgettingReport, MaskEvent, TrainCallbacks, TrainProgress, TrainResult } from '../engine/train/types.js';
import type { Mask } from '../engine/sparse/types.js';
import type { InitialMaskFetcher } from './mask-fetch.js';
import { MaskReporter } from './mask-reporter.js';
import { ForgettingReporter } from './forgetting-reporter.js';
import { fleetRemoval, type RemovalSetRequester } from './fleet-removal.js';
import { errorText } from './errors.js';
import { FederatedTaskRunner, roundProgress } from './federated-task.js';
import type { FederatedModelFetcher } from './federated-model-fetch.js';
import { emptyResult } from './report-mapping.js';
import type { OutboundReport } from './outbox.js';
import { toProgressReport, toSucceededResult, toUnfinishedResult } from './report-mapping.js';
import type { EngineRunOptions, TrainingEngine } from './training-engine.js';
import { TypedEvents } from './typed-events.js';

export interface JobStarted {
  readonly jobId: string;
  readonly attempt: number;
  readonly config: TrainConfig | undefined;
  /** Set when the attempt continues from a stored checkpoint. */
  readonly resume?: ResumeFrom;
}

/** A checkpoint queued for upload. */
export interface CheckpointQueued {
  readonly jobId: string;
  readonly attempt: number;
  readonly checkpointId: string;
  readonly step: number;
  readonly epoch: number;
  readonly totalBytes: number;
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
  checkpoint: [checkpoint: CheckpointQueued];
  finished: [job: JobFinished];
  /** Something went wrong that the run goes on without (a removal-set refresh failed, statistics not sendable). */
  warning: [message: string];
}

export const DEFAULT_CHECKPOINT_EVERY_STEPS = 50;

/** Fetches and verifies the checkpoint a resumed attempt starts from. */
export type CheckpointFetcher = (jobId: string, resume: ResumeFrom, signal: AbortSignal) => Promise<Uint8Array>;

export interface JobRunnerOptions {
  /** Read when a job starts: the agent loads the engine lazily. */
  readonly engine: () => TrainingEngine;
  /** Where reports go (the outbox). */
  readonly report: (report: OutboundReport) => void;
  /** Backend the agent initialised; used when the job does not ask for one. */
  readonly backend: () => string | undefined;
  readonly progressEverySteps?: number;
  readonly progressMinIntervalMs?: number;
  /** Used when the assignment says 0 (default DEFAULT_CHECKPOINT_EVERY_STEPS); 0 here = epoch ends only. */
  readonly checkpointEverySteps?: number;
  /** Checkpoint piece size (default 512 KiB, at most 1 MiB). */
  readonly checkpointChunkBytes?: number;
  /** Needed for assignments that resume; without it such an attempt fails with a clear error. */
  readonly fetchCheckpoint?: CheckpointFetcher;
  /** Needed for specs with initial_mask; without it such an attempt fails with a clear error. */
  readonly fetchInitialMask?: InitialMaskFetcher;
  /** Mask-update piece size (default 512 KiB, at most 1 MiB). */
  readonly maskChunkBytes?: number;
  /** Forgetting-statistics piece size (default 512 KiB, at most 1 MiB). */
  readonly forgettingChunkBytes?: number;
  /** Asks for a newer removal set (FLEET data efficiency with refresh EPOCH); without it jobs keep their set. */
  readonly requestRemovalSet?: RemovalSetRequester;
  /**
   * Awaited before every training step of a job whose spec sets pause_when_hidden (the browser agent resolves it
   * once its page is visible again); absent = such jobs are never held.
   */
  readonly pauseGate?: (signal: AbortSignal) => Promise<void>;
  /** A job's data from elsewhere than dataset files (the platform's; a browser fetches its shard). */
  readonly jobDatasets?: JobDatasets;
  /** Needed for federated client tasks (spec.federated); without it such an attempt fails with a clear error. */
  readonly fetchFederatedModel?: FederatedModelFetcher;
  /** Federated-update piece size (default 512 KiB, at most 1 MiB). */
  readonly federatedChunkBytes?: number;
  /** The agent's build, for benchmark results (default: generated/build-info.json of this Node install). */
  readonly buildInfo?: () => BuildInfo;
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
  /** Set while a training job reports masks. */
  masks?: MaskReporter;
  /** Set while a training job reports forgetting statistics. */
  forgetting?: ForgettingReporter;
}

export class JobRunner extends TypedEvents<JobRunnerEvents> {
  private active: ActiveJob | undefined;
  /** Created with the first federated task (it keeps the training split loaded for later rounds). */
  private federated: FederatedTaskRunner | undefined;

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
    const spec = assignment.spec;
    if (!spec) return { jobId, attempt, accepted: false, reason: 'assignment carries no job spec' };
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
    // Start after the ack has gone out (so JobAccepted precedes the first progress report) and after a
    // superseded run has wound down.
    job.done = previous
      .then(() => yieldToEventLoop())
      .then(() => this.run(job, { ...assignment, spec }));
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

  /** The coordinator could not follow a mask delta of this attempt: its next mask update goes in full. */
  requestFullMasks(jobId: string, attempt: number): boolean {
    const job = this.active;
    if (!job || job.jobId !== jobId || job.attempt !== attempt || !job.masks) return false;
    job.masks.requestFullMasks();
    return true;
  }

  /** The coordinator refused this attempt's forgetting statistics for good: stop sending them (training goes on). */
  stopForgettingReports(jobId: string, attempt: number): boolean {
    const job = this.active;
    if (!job || job.jobId !== jobId || job.attempt !== attempt || !job.forgetting) return false;
    job.forgetting.mute();
    return true;
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

  private async run(job: ActiveJob, assignment: JobAssignment & { spec: TrainingJobSpec }): Promise<void> {
    if (isBenchmarkSpec(assignment.spec)) return this.runBenchmark(job, assignment.spec);
    if (assignment.spec.federated) return this.runFederated(job, assignment.spec, assignment.spec.federated);
    const engine = this.options.engine();
    let config: TrainConfig | undefined;
    const resume = assignment.resume;
    try {
      config = engine.toConfig(assignment.spec);
      const backend = this.options.backend();
      if (config.backend === undefined && backend !== undefined) config = withAgentBackend(config, backend);
      this.emit('started', { jobId: job.jobId, attempt: job.attempt, config, ...(resume ? { resume } : {}) });
      const resumeFrom = resume ? await this.fetchResume(job, resume) : undefined;
      const initialMask = resume === undefined && assignment.spec.initialMask?.jobId ? await this.fetchInitialMask(job) : undefined;
      job.masks = new MaskReporter({
        jobId: job.jobId,
        attempt: job.attempt,
        reporting: assignment.spec.maskReporting,
        chunkBytes: this.options.maskChunkBytes,
      });
      job.forgetting = new ForgettingReporter({
        jobId: job.jobId,
        attempt: job.attempt,
        reporting: assignment.spec.forgettingReporting,
        chunkBytes: this.options.forgettingChunkBytes,
      });
      const removal = fleetRemoval(assignment, {
        request: this.options.requestRemovalSet,
        onRefreshFailed: (reason) => this.emit('warning', `job ${job.jobId}: keeping removal set after a failed refresh: ${reason}`),
      });
      const callbacks: TrainCallbacks = {
        signal: job.controller.signal,
        progressEverySteps: this.options.progressEverySteps,
        progressMinIntervalMs: this.options.progressMinIntervalMs,
        onProgress: (progress: TrainProgress) => this.onProgress(job, progress),
        ...(job.masks.enabled ? { onMaskEvent: (event: MaskEvent) => this.onMaskEvent(job, event) } : {}),
        ...(job.forgetting.enabled ? { onForgettingStats: (report: ForgettingReport) => this.onForgettingStats(job, report) } : {}),
      };
      const datasets = await this.options.jobDatasets?.(job.jobId, datasetSpecOf(config));
      const expectedDataset = job.forgetting.expectedDataset;
      const runOptions: EngineRunOptions = {
        checkpoint: this.checkpointOptions(job, assignment),
        resumeFrom,
        ...(initialMask ? { initialMask } : {}),
        ...(job.forgetting.cadence ? { forgettingReport: job.forgetting.cadence } : {}),
        ...(expectedDataset ? { expectedDataset } : {}),
        ...(removal ? { removal } : {}),
        ...(datasets ? { datasets } : {}),
        ...(assignment.spec.pauseWhenHidden && this.options.pauseGate ? { beforeStep: () => this.options.pauseGate!(job.controller.signal) } : {}),
      };
      const result = await engine.run(config, callbacks, runOptions);
      if (job.controller.signal.aborted) throw job.controller.signal.reason;
      this.finish(job, { type: 'sparsefleet.v1.JobResult', message: toSucceededResult(this.identity(job), result) }, {
        outcome: 'succeeded',
        result,
      });
    } catch (error) {
      if (config === undefined) this.emit('started', { jobId: job.jobId, attempt: job.attempt, config });
      this.fail(job, error, config?.backend);
    }
  }

  /** A benchmark-campaign cell: measure instead of train, report phase "benchmarking" and JobResult.benchmark. */
  private async runBenchmark(job: ActiveJob, spec: TrainingJobSpec): Promise<void> {
    const engine = this.options.engine();
    const backend = this.options.backend();
    let started = false;
    try {
      const request = benchmarkRequest(spec, engine, backend);
      const config = request.kind === 'kernel' ? undefined : request.config;
      this.emit('started', { jobId: job.jobId, attempt: job.attempt, config });
      started = true;
      job.masks = new MaskReporter({ jobId: job.jobId, attempt: job.attempt, reporting: spec.maskReporting, chunkBytes: this.options.maskChunkBytes });
      const outcome = await runBenchmarkCell(request, {
        engine,
        backend,
        signal: job.controller.signal,
        onProgress: (progress) => this.onBenchmarkProgress(job, progress),
        ...(job.masks.enabled && request.kind === 'training-run' ? { onMaskEvent: (event: MaskEvent) => this.onMaskEvent(job, event) } : {}),
      });
      if (job.controller.signal.aborted) throw job.controller.signal.reason;
      const info = (this.options.buildInfo ?? agentBuildInfo)();
      const build = { agentVersion: info.version, agentCommit: reportedCommit(info) };
      const message = toBenchmarkJobResult(this.identity(job), outcome, build, Date.now() - job.startedAt);
      this.finish(job, { type: 'sparsefleet.v1.JobResult', message }, { outcome: 'succeeded' });
    } catch (error) {
      if (!started) this.emit('started', { jobId: job.jobId, attempt: job.attempt, config: undefined });
      this.fail(job, error, backend);
    }
  }

  /**
   * A federated client task: fetch the round's model, train this client's shard, queue the update's pieces and then
   * the JobResult (the outbox delivers them in that order, and keeps them across reconnects).
   */
  private async runFederated(job: ActiveJob, spec: TrainingJobSpec, task: FederatedTask): Promise<void> {
    const engine = this.options.engine();
    const backend = this.options.backend();
    let config: TrainConfig | undefined;
    try {
      config = engine.toConfig(spec);
      if (config.backend === undefined && backend !== undefined) config = withAgentBackend(config, backend);
      this.emit('started', { jobId: job.jobId, attempt: job.attempt, config });
      const runner = this.federatedRunner(engine);
      const totalSteps = task.localSteps;
      const outcome = await runner.run({
        jobId: job.jobId,
        attempt: job.attempt,
        task,
        config,
        signal: job.controller.signal,
        onProgress: (progress) => this.onProgress(job, roundProgress(progress, totalSteps, Date.now() - job.startedAt)),
      });
      if (job.controller.signal.aborted) throw job.controller.signal.reason;
      for (const message of outcome.chunks) this.options.report({ type: 'sparsefleet.v1.FederatedUpdateChunk', message });
      const message = {
        ...emptyResult(this.identity(job), JobOutcome.JOB_OUTCOME_SUCCEEDED, ''),
        backend: config.backend ?? backend ?? '',
        dataSource: config.data.name,
        steps: outcome.update.stepsDone,
        wallMs: Date.now() - job.startedAt,
      };
      this.finish(job, { type: 'sparsefleet.v1.JobResult', message }, { outcome: 'succeeded' });
    } catch (error) {
      if (config === undefined) this.emit('started', { jobId: job.jobId, attempt: job.attempt, config });
      this.fail(job, error, config?.backend ?? backend);
    }
  }

  private federatedRunner(engine: TrainingEngine): FederatedTaskRunner {
    const federatedEngine = engine.federated;
    if (!federatedEngine) throw new Error('this agent\'s engine cannot run federated client tasks');
    const fetchModel = this.options.fetchFederatedModel;
    if (!fetchModel) throw new Error('this agent cannot fetch federated models');
    this.federated ??= new FederatedTaskRunner({ engine: federatedEngine, fetchModel, chunkBytes: this.options.federatedChunkBytes });
    return this.federated;
  }

  private fail(job: ActiveJob, error: unknown, backend: string | undefined): void {
    const cancelled = job.controller.signal.aborted;
    const text = cancelled ? (job.cancelReason ?? 'cancelled') : errorText(error);
    const outcome = cancelled ? JobOutcome.JOB_OUTCOME_CANCELLED : JobOutcome.JOB_OUTCOME_FAILED;
    const message = toUnfinishedResult(this.identity(job), outcome, text, { backend, wallMs: Date.now() - job.startedAt });
    this.finish(job, { type: 'sparsefleet.v1.JobResult', message }, { outcome: cancelled ? 'cancelled' : 'failed', error: text });
  }

  private onBenchmarkProgress(job: ActiveJob, progress: BenchmarkProgress): void {
    if (job.controller.signal.aborted) return;
    this.options.report({ type: 'sparsefleet.v1.ProgressReport', message: toBenchmarkProgressReport(this.identity(job), progress) });
  }

  private async fetchResume(job: ActiveJob, resume: ResumeFrom): Promise<Uint8Array> {
    const fetch = this.options.fetchCheckpoint;
    if (fetch === undefined) throw new Error(`cannot resume from checkpoint ${resume.checkpointId.slice(0, 12)}: this agent cannot fetch checkpoints`);
    return fetch(job.jobId, resume, job.controller.signal);
  }

  private async fetchInitialMask(job: ActiveJob): Promise<Map<string, Mask>> {
    const fetch = this.options.fetchInitialMask;
    if (fetch === undefined) throw new Error('the job starts from a stored mask, but this agent cannot fetch masks');
    return fetch(job.jobId, job.controller.signal);
  }

  private onMaskEvent(job: ActiveJob, event: MaskEvent): void {
    if (job.controller.signal.aborted || !job.masks) return;
    for (const message of job.masks.onEvent(event)) this.options.report({ type: 'sparsefleet.v1.MaskUpdateChunk', message });
  }

  private onForgettingStats(job: ActiveJob, report: ForgettingReport): void {
    if (job.controller.signal.aborted || !job.forgetting) return;
    let chunks;
    try {
      chunks = job.forgetting.onReport(report);
    } catch (error) {
      // Statistics the codec refuses would be refused by the coordinator too; the training itself is fine.
      job.forgetting.mute();
      this.emit('warning', `job ${job.jobId}: forgetting statistics of epoch ${report.epoch} not sendable, no more sent: ${errorText(error)}`);
      return;
    }
    for (const message of chunks) this.options.report({ type: 'sparsefleet.v1.ForgettingStatsChunk', message });
  }

  private checkpointOptions(job: ActiveJob, assignment: JobAssignment): CheckpointOptions {
    const everySteps = assignment.checkpointEverySteps || (this.options.checkpointEverySteps ?? DEFAULT_CHECKPOINT_EVERY_STEPS);
    return { everySteps, onCheckpoint: (bytes, info) => this.onCheckpoint(job, bytes, info) };
  }

  /** Queues the pieces and returns; training goes on while the outbox uploads them. */
  private async onCheckpoint(job: ActiveJob, bytes: Uint8Array, info: CheckpointInfo): Promise<void> {
    if (job.controller.signal.aborted) return;
    const upload = await checkpointUploadReports({
      jobId: job.jobId,
      attempt: job.attempt,
      bytes,
      step: info.step,
      epoch: info.epoch,
      chunkBytes: this.options.checkpointChunkBytes,
    });
    if (job.controller.signal.aborted) return;
    for (const report of upload.reports) this.options.report(report);
    this.emit('checkpoint', {
      jobId: job.jobId,
      attempt: job.attempt,
      checkpointId: upload.checkpointId,
      step: info.step,
      epoch: info.epoch,
      totalBytes: bytes.length,
    });
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
