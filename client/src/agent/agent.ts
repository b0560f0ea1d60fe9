// The edge agent: enrolls once, then keeps a session with the coordinator (hello after every reconnect,
// heartbeats, pushed jobs), runs one job at a time and delivers its reports through the outbox.
import type { DeviceFacts, Telemetry } from '../../../protocol/src/index.js';
import { ErrorCode, ProtocolFault, type HandshakeAuth, type HandshakeRefusal } from '../../../protocol/src/index.js';
import type { TrainProgress } from '../engine/train/types.js';
import type { Clock } from './clock.js';
import { DeviceConnection, type BackoffOptions, type LinkShim } from './connection.js';
import type { StoredCredential } from './credential-store.js';
import { AgentFatalError, errorText, isFatalRefusalCode } from './errors.js';
import { collectDeviceFacts, type BackendSummary } from './facts.js';
import { useDataFiles } from '../engine/data/files.js';
import { nodePlatform } from './node-platform.js';
import type { AgentPlatform, CredentialStorage } from './platform.js';
import { checkpointFetcher } from './checkpoint-fetch.js';
import { initialMaskFetcher } from './mask-fetch.js';
import { federatedModelFetcher } from './federated-model-fetch.js';
import { HeartbeatLoop } from './heartbeat.js';
import { JobRunner, type CheckpointQueued, type JobFinished, type JobStarted } from './job-runner.js';
import { Outbox, ReportRejectedError, isCheckpointPiece, reportKey, type OutboundReport } from './outbox.js';
import { PushDispatcher } from './push-dispatcher.js';
import type { TrainingEngine } from './training-engine.js';
import { TypedEvents } from './typed-events.js';
import { normalizeServer, startingCredential } from './starting-credential.js';
import { AGENT_VERSION } from './version.js';

export interface AgentOptions {
  /** Coordinator URL, e.g. http://127.0.0.1:8080 */
  readonly server: string;
  /** Needed only until the device is enrolled (the credential is then kept in the state file). */
  readonly enrollmentToken?: string;
  /** Where the Node platform keeps the credential (ignored when `platform` is given). */
  readonly statePath?: string;
  /** The host: credential storage, facts, sensors, build, dataset files. Default: this Node process. */
  readonly platform?: AgentPlatform;
  /** Preferred tfjs backend: 'tensorflow' | 'wasm' | 'cpu'; the engine falls back when it is unavailable. */
  readonly backend?: string;
  readonly displayName?: string;
  readonly engine?: TrainingEngine;
  readonly labels?: Readonly<Record<string, string>>;
  readonly deviceModel?: string;
  readonly backoff?: Partial<BackoffOptions>;
  readonly requestTimeoutMs?: number;
  readonly progressEverySteps?: number;
  /** Least time between two training-phase progress reports (default 250 ms; 0 = by step count alone). */
  readonly progressMinIntervalMs?: number;
  /** How long stop() waits for unacknowledged reports to go out. */
  readonly stopDrainMs?: number;
  /** Checkpoint cadence when an assignment leaves it to the agent (default 50 steps); checkpoints also follow every epoch. */
  readonly checkpointEverySteps?: number;
  /** Checkpoint and mask upload/download piece size (default 512 KiB, at most 1 MiB). */
  readonly checkpointChunkBytes?: number;
  /** How long a resumed attempt keeps retrying to fetch its checkpoint over a flaky link (default 60 s). */
  readonly checkpointFetchTimeoutMs?: number;
  /** Progress reports buffered while offline before the oldest are dropped (default 500; results are never dropped). */
  readonly maxBufferedProgress?: number;
  /**
   * Facts that replace the detected ones (a simulated device states its profile's memory, cores, platform and
   * backends instead of the host's). Labels are set through `labels`.
   */
  readonly facts?: Partial<Omit<DeviceFacts, 'labels'>>;
  /** Telemetry source for heartbeats instead of the host's sensors (a simulated device's free memory). */
  readonly telemetry?: () => Telemetry;
  /** Holds jobs that ask for it (pause_when_hidden) before each step; the browser agent waits for a visible page. */
  readonly pauseGate?: (signal: AbortSignal) => Promise<void>;
  /** Shapes the device's outgoing envelopes (simulated latency, loss, duplicates, partitions). */
  readonly link?: LinkShim;
  /** The time source of heartbeats, request timeouts and retries (default the real clock; a simulator's shared clock). */
  readonly clock?: Clock;
}

/** A report the coordinator acknowledged, by its wire identity. */
export interface AcknowledgedReport {
  readonly type: OutboundReport['type'];
  readonly jobId: string;
  readonly attempt: number;
  /** reportKey(report): what the coordinator dedupes on. */
  readonly key: string;
}

export interface AgentEvents {
  enrolled: [deviceId: string];
  connected: [deviceId: string];
  disconnected: [reason: string];
  unreachable: [error: string, attempt: number];
  'job-started': [job: JobStarted];
  'job-progress': [jobId: string, progress: TrainProgress];
  /** A checkpoint was taken and queued for upload. */
  'checkpoint-queued': [checkpoint: CheckpointQueued];
  /** The coordinator acknowledged a checkpoint's commit: a retried attempt can resume from it. */
  'checkpoint-committed': [checkpoint: { jobId: string; attempt: number; checkpointId: string; step: number; epoch: number }];
  'job-finished': [job: JobFinished];
  /** The coordinator acknowledged one of the outbox's reports. */
  'report-acknowledged': [report: AcknowledgedReport];
  /** Something went wrong that the agent recovers from by itself (a rejected report, a retryable refusal). */
  warning: [message: string];
  /** Fatal: the agent has stopped itself. Also rejects `done` (and `start()` when still pending). */
  error: [error: AgentFatalError];
}

/**
 * Progress is for people watching: four reports a second are plenty, and a fleet of devices with sub-millisecond
 * sparse steps would otherwise flood the coordinator (and its own outbox) with them.
 */
const DEFAULT_PROGRESS_MIN_INTERVAL_MS = 250;

/** Protocol errors worth resending a report for; every other code means the coordinator will never take it. */
const TRANSIENT_CODES: ReadonlySet<ErrorCode> = new Set([ErrorCode.ERROR_CODE_INTERNAL, ErrorCode.ERROR_CODE_RATE_LIMITED]);

export class Agent extends TypedEvents<AgentEvents> {
  readonly store: CredentialStorage;
  readonly platform: AgentPlatform;
  readonly outbox: Outbox;
  /** Resolves when stop() completes; rejects with AgentFatalError when the agent had to give up. */
  readonly done: Promise<void>;
  private engine: TrainingEngine | undefined;
  private readonly runner: JobRunner;
  private readonly heartbeat: HeartbeatLoop;
  private readonly dispatcher = new PushDispatcher(AGENT_VERSION);
  private connection: DeviceConnection | undefined;
  private credential: StoredCredential | undefined;
  /**
   * The identity whose credential was refused: re-enrollment names it with that credential as proof, so the
   * coordinator keeps the device (labels, history) if the credential is still its own; otherwise it enrolls a new one.
   */
  private previous: StoredCredential | undefined;
  private backendInfo: BackendSummary | undefined;
  private facts: DeviceFacts | undefined;
  private reEnrollTried = false;
  /** (job|attempt) whose forgetting statistics the coordinator refused: warned about once. */
  private readonly refusedStatistics = new Set<string>();
  /** Consecutive connections whose enroll/hello failed; spaces out the reconnects. */
  private sessionFailures = 0;
  /** Set while the agent itself drops the enrollment session to come back with its credential. */
  private switchingToCredential = false;
  private state: 'idle' | 'starting' | 'running' | 'stopped' = 'idle';
  private startWaiter: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private settleDone!: { resolve: () => void; reject: (error: Error) => void };

  constructor(private readonly options: AgentOptions) {
    super();
    this.platform = options.platform ?? nodePlatform(options.statePath);
    this.store = this.platform.credentials;
    this.engine = options.engine;
    this.done = new Promise<void>((resolve, reject) => (this.settleDone = { resolve, reject }));
    this.done.catch(() => undefined); // observed through events when nobody awaits it
    this.outbox = new Outbox((report) => this.sendReport(report), {
      maxProgressBacklog: options.maxBufferedProgress,
      clock: options.clock,
      onDelivered: (report) => {
        this.emit('report-acknowledged', {
          type: report.type,
          jobId: report.message.jobId,
          attempt: report.message.attempt,
          key: reportKey(report),
        });
        if (report.type !== 'sparsefleet.v1.CheckpointCommit') return;
        const { jobId, attempt, checkpointId, step, epoch } = report.message;
        this.emit('checkpoint-committed', { jobId, attempt, checkpointId, step, epoch });
      },
      onRejected: (report, error) => {
        if (report.type === 'sparsefleet.v1.ForgettingStatsChunk') {
          this.onForgettingStatsRejected(report.message.jobId, report.message.attempt, error);
          return;
        }
        this.emit('warning', `coordinator rejected ${reportKey(report)}: ${error.message}`);
        if (report.type === 'sparsefleet.v1.FederatedUpdateChunk') {
          // The update will not count (refused, or its round closed); the task's result still goes out, so the
          // coordinator frees this device for the next round at once instead of waiting out the lease.
          this.outbox.dropAttemptReports(report.type, report.message.jobId, report.message.attempt);
          return;
        }
        // A refused checkpoint costs only the ability to resume from it, a refused mask piece only that update's
        // record (the coordinator asks for full masks when it cannot follow); the run itself goes on.
        if (isCheckpointPiece(report) || report.type === 'sparsefleet.v1.MaskUpdateChunk') return;
        const { jobId, attempt } = report.message;
        this.outbox.dropAttempt(jobId, attempt);
        if (this.runner.revoke(jobId, attempt, `coordinator no longer accepts reports: ${error.message}`)) {
          this.emit('warning', `stopped job ${jobId} attempt ${attempt}: the coordinator no longer assigns it here`);
        }
      },
    });
    this.runner = new JobRunner({
      engine: () => this.requireEngine(),
      report: (report) => this.outbox.enqueue(report),
      backend: () => this.backendInfo?.name,
      progressEverySteps: options.progressEverySteps,
      progressMinIntervalMs: options.progressMinIntervalMs ?? DEFAULT_PROGRESS_MIN_INTERVAL_MS,
      checkpointEverySteps: options.checkpointEverySteps,
      checkpointChunkBytes: options.checkpointChunkBytes,
      fetchCheckpoint: checkpointFetcher(
        (request) => this.request('sparsefleet.v1.CheckpointFetchRequest', request, 'sparsefleet.v1.CheckpointFetchResponse'),
        { pieceBytes: options.checkpointChunkBytes, timeoutMs: options.checkpointFetchTimeoutMs, clock: options.clock },
      ),
      fetchInitialMask: initialMaskFetcher(
        (request) => this.request('sparsefleet.v1.MaskFetchRequest', request, 'sparsefleet.v1.MaskFetchResponse'),
        { pieceBytes: options.checkpointChunkBytes, timeoutMs: options.checkpointFetchTimeoutMs, clock: options.clock },
      ),
      fetchFederatedModel: federatedModelFetcher(
        (request) => this.request('sparsefleet.v1.FederatedModelFetchRequest', request, 'sparsefleet.v1.FederatedModelFetchResponse'),
        { pieceBytes: options.checkpointChunkBytes, timeoutMs: options.checkpointFetchTimeoutMs, clock: options.clock },
      ),
      maskChunkBytes: options.checkpointChunkBytes,
      forgettingChunkBytes: options.checkpointChunkBytes,
      federatedChunkBytes: options.checkpointChunkBytes,
      requestRemovalSet: (request) => this.request('sparsefleet.v1.RemovalSetRequest', request, 'sparsefleet.v1.RemovalSetReply'),
      buildInfo: () => this.platform.buildInfo(),
      ...(options.pauseGate ? { pauseGate: options.pauseGate } : {}),
      ...(this.platform.jobDatasets ? { jobDatasets: this.platform.jobDatasets } : {}),
    });
    this.runner.on('started', (job) => this.emit('job-started', job));
    this.runner.on('progress', (jobId, progress) => this.emit('job-progress', jobId, progress));
    this.runner.on('checkpoint', (checkpoint) => this.emit('checkpoint-queued', checkpoint));
    this.runner.on('finished', (job) => this.emit('job-finished', job));
    this.runner.on('warning', (message) => this.emit('warning', message));
    this.heartbeat = new HeartbeatLoop({
      send: (heartbeat) => this.request('sparsefleet.v1.Heartbeat', heartbeat, 'sparsefleet.v1.HeartbeatAck'),
      runningJobIds: () => this.heldJobIds(),
      telemetry: options.telemetry ?? (() => this.platform.telemetry()),
      clock: options.clock,
    });
    this.dispatcher
      .register('sparsefleet.v1.JobAssignment', (assignment) => ({
        type: 'sparsefleet.v1.JobAccepted',
        message: this.runner.accept(assignment),
      }))
      .register('sparsefleet.v1.JobCancel', (cancel) => ({
        type: 'sparsefleet.v1.Ack',
        message: { ok: this.runner.cancel(cancel) },
      }));
  }

  get deviceId(): string | undefined {
    return this.credential?.deviceId;
  }

  get backend(): BackendSummary | undefined {
    return this.backendInfo;
  }

  get deviceFacts(): DeviceFacts | undefined {
    return this.facts;
  }

  /** Connects (enrolling first when needed); resolves after the first successful hello. */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error('agent already started');
    this.state = 'starting';
    const started = new Promise<void>((resolve, reject) => (this.startWaiter = { resolve, reject }));
    // A kill() or stop() during the awaits below rejects `started` before it is returned to the caller: without a
    // handler attached now, Node counts that as an unhandled rejection and ends the process (a simulated fleet did).
    started.catch(() => undefined);
    try {
      // Loaded on demand so that importing the agent does not load tfjs (tests inject a fake engine).
      if (this.platform.dataFiles) useDataFiles(this.platform.dataFiles);
      this.engine ??= (await import('./training-engine.js')).localTrainingEngine;
      this.backendInfo = await this.engine.initBackend(this.options.backend);
      this.facts = collectDeviceFacts({
        backend: this.backendInfo,
        host: this.platform.hostFacts(),
        labels: this.options.labels,
        deviceModel: this.options.deviceModel,
        overrides: this.options.facts,
      });
      this.credential = await startingCredential(this.store, this.options.server, this.options.enrollmentToken);
    } catch (error) {
      this.fail(error instanceof AgentFatalError ? error : new AgentFatalError(errorText(error)));
      return started;
    }
    if (this.state !== 'starting') return started;
    this.connection = this.createConnection();
    this.connection.open();
    return started;
  }

  /** Abandons a running job (its lease returns it to the queue), flushes reports briefly and disconnects. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    await this.runner.abandon();
    if (this.connection?.connected) await this.outbox.drained(this.options.stopDrainMs ?? 2_000);
    this.shutdown();
    this.startWaiter?.reject(new Error('agent stopped before it connected'));
    this.startWaiter = undefined;
    this.settleDone.resolve();
  }

  /**
   * Stops like a crash (tests, simulated churn): the link is cut without a goodbye, the running job is aborted
   * without a result and nothing queued is sent. The coordinator finds out through the expiring lease.
   */
  async kill(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.heartbeat.stop();
    this.outbox.pause();
    this.connection?.abort();
    await this.runner.abandon();
    this.startWaiter?.reject(new Error('agent killed before it connected'));
    this.startWaiter = undefined;
    this.settleDone.resolve();
  }

  private requireEngine(): TrainingEngine {
    if (!this.engine) throw new Error('the training engine is not loaded (agent not started)');
    return this.engine;
  }

  private createConnection(): DeviceConnection {
    const connection = new DeviceConnection({
      url: this.options.server,
      senderVersion: AGENT_VERSION,
      auth: () => this.handshakeAuth(),
      requestTimeoutMs: this.options.requestTimeoutMs,
      link: this.options.link,
      clock: this.options.clock,
      ...this.options.backoff,
    });
    connection.onPush((frame) => this.dispatcher.dispatch(frame));
    connection.on('connected', () => void this.onConnected());
    connection.on('disconnected', (reason) => {
      this.heartbeat.stop();
      this.outbox.pause();
      if (this.switchingToCredential) this.switchingToCredential = false;
      else if (this.state !== 'stopped') this.emit('disconnected', reason);
    });
    connection.on('unreachable', (error, attempt) => this.emit('unreachable', error, attempt));
    connection.on('refused', (refusal) => this.onRefused(refusal));
    return connection;
  }

  private handshakeAuth(): HandshakeAuth {
    if (this.credential) return { deviceId: this.credential.deviceId, credential: this.credential.credential };
    return { enrollmentToken: this.options.enrollmentToken ?? '' };
  }

  private async onConnected(): Promise<void> {
    try {
      if (this.credential) await this.hello();
      else await this.enroll();
    } catch (error) {
      if (this.state === 'stopped') return;
      if (error instanceof ProtocolFault && isFatalRefusalCode(error.code)) {
        this.fail(new AgentFatalError(`coordinator refused the device: ${error.message}`, error.code));
        return;
      }
      this.sessionFailures += 1;
      const delay = this.connection?.reconnectAfterBackoff(this.sessionFailures) ?? 0;
      this.emit('warning', `session setup failed (${errorText(error)}); reconnecting in ${delay} ms`);
    }
  }

  private async enroll(): Promise<void> {
    const response = await this.request(
      'sparsefleet.v1.EnrollRequest',
      {
        facts: this.facts,
        displayName: this.options.displayName ?? this.facts?.deviceModel ?? '',
        previousDeviceId: this.previous?.deviceId,
        previousCredential: this.previous?.credential,
      },
      'sparsefleet.v1.EnrollResponse',
    );
    if (this.previous && !response.reenrolled) {
      this.emit('warning', `enrolled as new device ${response.deviceId}: the coordinator did not accept device ${this.previous.deviceId}'s credential as proof`);
    }
    this.previous = undefined;
    const credential: StoredCredential = {
      server: normalizeServer(this.options.server),
      deviceId: response.deviceId,
      credential: response.credential,
      enrolledAt: new Date().toISOString(),
    };
    await this.store.save(credential);
    this.credential = credential;
    this.emit('enrolled', credential.deviceId);
    // The token session only enrolls; jobs and heartbeats belong to the authenticated session.
    this.switchingToCredential = this.connection?.connected ?? false;
    this.connection?.reconnect();
  }

  /**
   * What the device holds as far as the coordinator is concerned: the job it runs and the jobs whose result waits in
   * the outbox. Listing the latter keeps their lease alive until the result is delivered (a slow or interrupted
   * delivery would otherwise let the lease expire, and a Hello without them would abandon the attempt, so the work
   * would be redone elsewhere and the finished result refused).
   */
  private heldJobIds(): string[] {
    return [...new Set([...this.runner.runningJobIds, ...this.outbox.jobsAwaitingResult()])];
  }

  private async hello(): Promise<void> {
    const response = await this.request(
      'sparsefleet.v1.HelloRequest',
      { facts: this.facts, runningJobIds: this.heldJobIds() },
      'sparsefleet.v1.HelloResponse',
    );
    if (this.state === 'stopped') return;
    this.sessionFailures = 0;
    this.heartbeat.start(response.heartbeatIntervalMs);
    this.outbox.resume();
    this.state = 'running';
    this.emit('connected', response.deviceId || this.credential?.deviceId || '');
    this.startWaiter?.resolve();
    this.startWaiter = undefined;
  }

  private onRefused(refusal: HandshakeRefusal): void {
    if (this.state === 'stopped') return;
    const staleCredential = refusal.code === ErrorCode.ERROR_CODE_CREDENTIAL_INVALID;
    if (staleCredential && this.credential && this.options.enrollmentToken && !this.reEnrollTried) {
      // E.g. the coordinator's database was reset: the token lets this device enroll again.
      this.reEnrollTried = true;
      this.previous = this.credential;
      this.credential = undefined;
      this.emit('warning', 'saved credential was refused; enrolling again with the token');
      this.connection?.retryLater();
      return;
    }
    if (isFatalRefusalCode(refusal.code)) {
      this.fail(AgentFatalError.fromRefusal(refusal));
      return;
    }
    // A busy coordinator names the delay (spread over its refused devices); otherwise the agent's own backoff.
    const named = refusal.retryAfterMs;
    const delay = (typeof named === 'number' && named >= 0 ? this.connection?.retryAfter(named) : this.connection?.retryLater()) ?? 0;
    this.emit('warning', `coordinator refused the connection (${refusal.codeName}: ${refusal.message}); retrying in ${delay} ms`);
  }

  private async sendReport(report: OutboundReport): Promise<void> {
    try {
      if (report.type === 'sparsefleet.v1.MaskUpdateChunk') {
        const ack = await this.request(report.type, report.message, 'sparsefleet.v1.MaskUpdateAck');
        if (ack.fullMaskNeeded) {
          const { jobId, attempt, updateIndex } = report.message;
          this.emit('warning', `coordinator asks for full masks of job ${jobId} after update ${updateIndex}: ${ack.reason}`);
          this.runner.requestFullMasks(jobId, attempt);
        }
        return;
      }
      if (report.type === 'sparsefleet.v1.ForgettingStatsChunk') {
        await this.request(report.type, report.message, 'sparsefleet.v1.ForgettingStatsAck');
        return;
      }
      if (report.type === 'sparsefleet.v1.FederatedUpdateChunk') {
        await this.request(report.type, report.message, 'sparsefleet.v1.FederatedUpdateAck');
        return;
      }
      await this.request(report.type, report.message, 'sparsefleet.v1.Ack');
    } catch (error) {
      if (error instanceof ProtocolFault && !TRANSIENT_CODES.has(error.code)) {
        throw new ReportRejectedError(`${error.message} (${ErrorCode[error.code] ?? error.code})`, error.code);
      }
      throw error;
    }
  }

  /**
   * A refused statistics piece is final (ATTEMPT_ENDED, FORBIDDEN, DATASET_MISMATCH, INVALID_PAYLOAD, CONFLICT…): the
   * attempt's other statistics would be refused the same way, so they are dropped and no more are made; one warning
   * per attempt. Training goes on: its progress and result reports decide whether the attempt still counts.
   */
  private onForgettingStatsRejected(jobId: string, attempt: number, error: Error): void {
    this.outbox.dropAttemptReports('sparsefleet.v1.ForgettingStatsChunk', jobId, attempt);
    const muted = this.runner.stopForgettingReports(jobId, attempt);
    const key = `${jobId}|${attempt}`;
    if (this.refusedStatistics.has(key)) return;
    this.refusedStatistics.add(key);
    if (this.refusedStatistics.size > 256) this.refusedStatistics.delete(this.refusedStatistics.values().next().value!);
    const rest = muted ? 'no more are sent for this attempt' : 'dropped';
    this.emit('warning', `coordinator refused the forgetting statistics of job ${jobId} attempt ${attempt}: ${error.message}; ${rest}`);
  }

  private request: DeviceConnection['request'] = (type, message, replyType, timeoutMs) => {
    if (!this.connection) return Promise.reject(new Error('agent is not started'));
    return this.connection.request(type, message, replyType, timeoutMs);
  };

  private fail(error: AgentFatalError): void {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    void this.runner.abandon();
    this.shutdown();
    this.emit('error', error);
    this.startWaiter?.reject(error);
    this.startWaiter = undefined;
    this.settleDone.reject(error);
  }

  private shutdown(): void {
    this.heartbeat.stop();
    this.outbox.pause();
    this.connection?.close();
  }
}
