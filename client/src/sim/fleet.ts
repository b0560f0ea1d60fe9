// A simulated fleet: N real agents (real socket.io clients, real training) against one coordinator.
// Worker mode gives each agent its own worker_threads Worker (own event loop and tfjs), as separate devices would
// have. The worker entry is compiled JavaScript resolved next to this file, so worker mode needs dist/; when this
// module runs from TypeScript sources (vitest), 'auto' picks in-process mode, where the agents share one thread
// and one tfjs instance.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BackoffOptions } from '../agent/connection.js';
import type { TrainingEngine } from '../agent/training-engine.js';
import { TypedEvents } from '../agent/typed-events.js';
import { forwardAgentEvents, type FleetEvent, type SimAgentConfig, type WorkerCommand } from './fleet-events.js';
import { createSimAgent } from './sim-agent.js';

export type FleetMode = 'worker' | 'in-process';

export interface SimulatedFleetOptions {
  readonly server: string;
  readonly enrollmentToken?: string;
  readonly size: number;
  /** Each agent keeps its credential in `<stateDir>/agent-<index>.json`. */
  readonly stateDir: string;
  readonly backend?: string;
  /** 'auto' (default): workers when running compiled JavaScript, in-process when running TypeScript sources. */
  readonly mode?: FleetMode | 'auto';
  readonly backoff?: Partial<BackoffOptions>;
  readonly progressEverySteps?: number;
  /** Checkpoint cadence of every agent when assignments leave it to the agent. */
  readonly checkpointEverySteps?: number;
  /** Heap cap of each worker (simulates a small device); worker mode only. */
  readonly memoryLimitMb?: number;
  /** Engine for in-process agents (tests); worker agents always use the real engine. */
  readonly engine?: TrainingEngine;
  /** Per-agent token override, e.g. a device holding a bad token. */
  readonly tokenFor?: (index: number) => string | undefined;
}

export type MemberState = 'starting' | 'connected' | 'disconnected' | 'failed' | 'stopped';

export interface FleetMember {
  readonly index: number;
  deviceId?: string;
  backend?: string;
  state: MemberState;
  error?: string;
}

interface MemberHandle {
  stop(): Promise<void>;
  /** Stops like a crash: no goodbye to the coordinator, no result for the running job. */
  kill(): Promise<void>;
}

const WORKER_STOP_GRACE_MS = 5_000;

export function defaultFleetMode(): FleetMode {
  return import.meta.url.endsWith('.ts') ? 'in-process' : 'worker';
}

export class SimulatedFleet extends TypedEvents<{ event: [event: FleetEvent] }> {
  readonly mode: FleetMode;
  readonly members: readonly FleetMember[];
  private readonly handles: MemberHandle[] = [];
  private settledWaiters: Array<() => void> = [];

  constructor(private readonly options: SimulatedFleetOptions) {
    super();
    this.mode = !options.mode || options.mode === 'auto' ? defaultFleetMode() : options.mode;
    this.members = Array.from({ length: options.size }, (_, index) => ({ index, state: 'starting' as MemberState }));
  }

  /** Launches every agent; resolves once each is connected or has failed (see `members`). */
  async start(timeoutMs = 120_000): Promise<void> {
    for (const member of this.members) {
      const config = this.configFor(member.index);
      this.handles.push(this.mode === 'worker' ? this.launchWorker(config) : this.launchInProcess(config));
    }
    await this.allSettled(timeoutMs);
  }

  get connectedCount(): number {
    return this.members.filter((member) => member.state === 'connected').length;
  }

  /** Simulated churn: agent `index` dies mid-whatever; its job comes back through the coordinator's lease. */
  async kill(index: number): Promise<void> {
    const handle = this.handles[index];
    if (handle === undefined) throw new RangeError(`no simulated agent ${index}`);
    await handle.kill();
    const member = this.members[index];
    if (member.state !== 'failed') member.state = 'stopped';
  }

  async stop(): Promise<void> {
    await Promise.all(this.handles.splice(0).map((handle) => handle.stop()));
    for (const member of this.members) if (member.state !== 'failed') member.state = 'stopped';
  }

  private configFor(index: number): SimAgentConfig {
    const { options } = this;
    return {
      index,
      server: options.server,
      enrollmentToken: options.tokenFor ? options.tokenFor(index) : options.enrollmentToken,
      statePath: join(options.stateDir, `agent-${index}.json`),
      backend: options.backend,
      displayName: `sim-${index}`,
      deviceModel: `simulated device ${index}`,
      labels: { simulated: 'true', fleetIndex: String(index), fleetMode: this.mode },
      backoff: options.backoff,
      progressEverySteps: options.progressEverySteps,
      checkpointEverySteps: options.checkpointEverySteps,
    };
  }

  private launchInProcess(config: SimAgentConfig): MemberHandle {
    const agent = createSimAgent(config, this.options.engine);
    forwardAgentEvents(agent, config.index, (event) => this.onEvent(event));
    agent.start().catch(() => undefined); // reported through the 'error' event
    return { stop: () => agent.stop(), kill: () => agent.kill() };
  }

  private launchWorker(config: SimAgentConfig): MemberHandle {
    const limit = this.options.memoryLimitMb;
    const worker = new Worker(new URL('./agent-worker.js', import.meta.url), {
      workerData: config,
      resourceLimits: limit ? { maxOldGenerationSizeMb: limit } : undefined,
    });
    let stopping = false;
    // A crash emits 'error' and then 'exit'; report the crash once, with its message.
    let crashed = false;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (event: FleetEvent) => this.onEvent(event));
    worker.on('error', (error) => {
      crashed = true;
      this.onEvent({ kind: 'error', index: config.index, message: `worker crashed: ${error.message}`, codeName: 'WORKER' });
    });
    worker.on('exit', (code) => {
      if (!stopping && !crashed) {
        this.onEvent({ kind: 'error', index: config.index, message: `worker exited with code ${code}`, codeName: 'WORKER' });
      }
    });
    const end = async (command: WorkerCommand): Promise<void> => {
      stopping = true;
      worker.postMessage(command);
      const timer = setTimeout(() => void worker.terminate(), WORKER_STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    };
    return { stop: () => end({ kind: 'stop' }), kill: () => end({ kind: 'kill' }) };
  }

  private onEvent(event: FleetEvent): void {
    const member = this.members[event.index];
    if (member) this.track(member, event);
    this.emit('event', event);
    if (this.members.every((candidate) => candidate.state !== 'starting')) {
      const waiters = this.settledWaiters;
      this.settledWaiters = [];
      for (const waiter of waiters) waiter();
    }
  }

  private track(member: FleetMember, event: FleetEvent): void {
    switch (event.kind) {
      case 'enrolled':
        member.deviceId = event.deviceId;
        break;
      case 'connected':
        member.deviceId = event.deviceId;
        member.backend = event.backend;
        member.state = 'connected';
        break;
      case 'disconnected':
        if (member.state === 'connected') member.state = 'disconnected';
        break;
      case 'error':
        member.state = 'failed';
        member.error = event.message;
        break;
      case 'stopped':
        if (member.state !== 'failed') member.state = 'stopped';
        break;
      default:
        break;
    }
  }

  private allSettled(timeoutMs: number): Promise<void> {
    if (this.members.every((member) => member.state !== 'starting')) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const waiting = this.members.filter((member) => member.state === 'starting').map((member) => member.index);
        reject(new Error(`simulated agents ${waiting.join(', ')} did not connect within ${timeoutMs} ms`));
      }, timeoutMs);
      this.settledWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
