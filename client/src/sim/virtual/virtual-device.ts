// One virtual device: the real Agent (socket.io client, outbox, checkpoints, resume) with its profile's facts, a
// simulated link and, usually, a modelled engine. kill() crashes it; restart() boots a new agent on the same state
// file (same credential), which the coordinator resumes from the last committed checkpoint.
import { Agent, type AcknowledgedReport } from '../../agent/agent.js';
import type { Clock } from '../../agent/clock.js';
import type { BackoffOptions } from '../../agent/connection.js';
import type { TrainingEngine } from '../../agent/training-engine.js';
import type { VirtualFleetEvent } from './fleet-event.js';
import { profileFacts, profileTelemetry } from './profile-facts.js';
import type { DeviceProfile } from '../profiles/index.js';
import { SimulatedLink, type LinkModel } from './simulated-link.js';

export type VirtualDeviceState = 'idle' | 'starting' | 'online' | 'disconnected' | 'offline' | 'killed' | 'failed' | 'stopped';

/** A report as the coordinator acknowledged it to this device (across restarts). */
export interface AcknowledgedReportRecord {
  readonly jobId: string;
  readonly attempt: number;
  /** The report's message type without the package, e.g. 'JobResult', 'ProgressReport'. */
  readonly kind: string;
  readonly key: string;
}

/** Event fields the device knows; the fleet adds the clock. */
export type DeviceEvent = Omit<VirtualFleetEvent, 'wallMs' | 'simMs'>;
type DeviceEventDraft = Omit<DeviceEvent, 'deviceIndex' | 'deviceId'>;

export interface VirtualDeviceContext {
  readonly index: number;
  readonly profile: DeviceProfile;
  readonly server: string;
  readonly enrollmentToken: string;
  readonly statePath: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly timeScale: number;
  /** undefined: the real engine (tfjs, loaded on first start). */
  readonly engine: TrainingEngine | undefined;
  readonly link: SimulatedLink;
  readonly backoff: BackoffOptions;
  readonly requestTimeoutMs: number;
  /** The fleet's shared time source. */
  readonly clock: Clock;
  readonly progressEverySteps?: number;
  readonly checkpointEverySteps?: number;
  readonly emit: (event: DeviceEvent) => void;
}

const PACKAGE_PREFIX = 'sparsefleet.v1.';

export class VirtualDevice {
  readonly index: number;
  readonly profile: DeviceProfile;
  deviceId: string | undefined;
  state: VirtualDeviceState = 'idle';
  /** The job attempts the agent is running now. */
  readonly running = new Set<string>();
  private agent: Agent | undefined;
  private readonly acknowledged: AcknowledgedReportRecord[] = [];

  constructor(private readonly context: VirtualDeviceContext) {
    this.index = context.index;
    this.profile = context.profile;
  }

  get link(): SimulatedLink {
    return this.context.link;
  }

  /** Whether this device runs the real engine (--real N). */
  get realEngine(): boolean {
    return this.context.engine === undefined;
  }

  /** Boots the agent; resolves once it said hello or was killed meanwhile (rejects when it gave up). */
  async start(): Promise<void> {
    if (this.agent) throw new Error(`virtual device ${this.index} is already running`);
    const agent = this.createAgent();
    this.agent = agent;
    this.state = 'starting';
    try {
      await agent.start();
    } catch (error) {
      // Killed again while booting (churn or a fault): not a failure of this start.
      if (this.agent === agent) throw error;
    }
  }

  /** A crash: the link drops without a goodbye, the running job ends without a result, nothing queued is sent. */
  async kill(reason = 'fault'): Promise<void> {
    const agent = this.agent;
    if (!agent) return;
    this.agent = undefined;
    this.running.clear();
    await agent.kill();
    // An availability absence stays 'offline': that is what tells the availability cycle to bring the device back.
    if (this.state !== 'offline') this.state = 'killed';
    this.emit({ kind: 'killed', detail: reason });
  }

  /** Boots again after a kill, with the same state file (credential); resolves once connected. */
  async restart(): Promise<void> {
    if (this.agent) await this.kill('restart');
    this.emit({ kind: 'restarted' });
    await this.start();
  }

  /** Cuts the device's link for `simMs` simulated milliseconds; the agent reconnects and resends once it heals. */
  partition(simMs: number): void {
    this.context.link.partition(simMs / this.context.timeScale);
    this.emit({ kind: 'partitioned', detail: `${Math.round(simMs)} sim ms` });
  }

  setLink(change: Partial<LinkModel>): void {
    this.context.link.setModel(change);
    this.emit({ kind: 'link-changed', detail: JSON.stringify(change) });
  }

  /** Every report the coordinator acknowledged to this device, across restarts, in order. */
  acknowledgedReports(): readonly AcknowledgedReportRecord[] {
    return this.acknowledged;
  }

  /** Graceful stop (end of a simulation): flush briefly, say goodbye. */
  async stop(): Promise<void> {
    const agent = this.agent;
    this.agent = undefined;
    this.context.link.dispose();
    if (agent) await agent.stop();
    if (this.state !== 'failed') this.state = 'stopped';
  }

  /** Marks an availability-driven absence (the agent is killed separately). */
  markOffline(): void {
    this.state = 'offline';
  }

  get isRunning(): boolean {
    return this.agent !== undefined;
  }

  private createAgent(): Agent {
    const { context } = this;
    const agent = new Agent({
      server: context.server,
      enrollmentToken: context.enrollmentToken,
      statePath: context.statePath,
      displayName: `${context.profile.name}-${context.index}`,
      deviceModel: context.profile.name,
      labels: context.labels,
      engine: context.engine,
      facts: profileFacts(context.profile),
      telemetry: profileTelemetry(context.profile),
      link: context.link,
      backoff: context.backoff,
      requestTimeoutMs: context.requestTimeoutMs,
      clock: context.clock,
      progressEverySteps: context.progressEverySteps,
      checkpointEverySteps: context.checkpointEverySteps,
      stopDrainMs: 1_000,
    });
    // Events of a killed agent (its abandoned run ending) no longer describe this device.
    const current = (): boolean => this.agent === agent;
    agent.on('enrolled', (deviceId) => {
      this.deviceId = deviceId;
      this.emit({ kind: 'enrolled' });
    });
    agent.on('connected', (deviceId) => {
      if (!current()) return;
      this.deviceId = deviceId || this.deviceId;
      this.state = 'online';
      this.emit({ kind: 'connected' });
    });
    agent.on('disconnected', (reason) => {
      if (!current()) return;
      this.state = 'disconnected';
      this.emit({ kind: 'disconnected', detail: reason });
    });
    agent.on('job-started', (job) => {
      if (!current()) return;
      this.running.add(`${job.jobId}|${job.attempt}`);
      this.emit({ kind: 'job-started', jobId: job.jobId, attempt: job.attempt, detail: job.resume ? `resumed at step ${job.resume.step}` : undefined });
    });
    agent.on('job-finished', (job) => {
      this.running.delete(`${job.jobId}|${job.attempt}`);
      if (!current()) return;
      this.emit({ kind: 'job-finished', jobId: job.jobId, attempt: job.attempt, detail: job.error ? `${job.outcome}: ${job.error}` : job.outcome });
    });
    agent.on('checkpoint-committed', (checkpoint) =>
      this.emit({ kind: 'checkpoint-committed', jobId: checkpoint.jobId, attempt: checkpoint.attempt, detail: `step ${checkpoint.step}` }),
    );
    agent.on('report-acknowledged', (report) => this.onAcknowledged(report));
    agent.on('warning', (message) => this.emit({ kind: 'warning', detail: message }));
    agent.on('error', (error) => {
      if (!current()) return;
      this.state = 'failed';
      this.emit({ kind: 'error', detail: error.message });
    });
    return agent;
  }

  private onAcknowledged(report: AcknowledgedReport): void {
    const kind = report.type.startsWith(PACKAGE_PREFIX) ? report.type.slice(PACKAGE_PREFIX.length) : report.type;
    this.acknowledged.push({ jobId: report.jobId, attempt: report.attempt, kind, key: report.key });
    this.emit({ kind: 'report-acknowledged', jobId: report.jobId, attempt: report.attempt, detail: report.key, reportType: kind });
  }

  private emit(draft: DeviceEventDraft): void {
    this.context.emit({ ...draft, deviceIndex: this.index, deviceId: this.deviceId });
  }
}
