// The coordinator of a run on virtual time: started in this process, on the run's VirtualClock, so that its timers
// (presence, leases, sweeps, supervision) and the devices' move together and time only jumps once both have
// settled. A coordinator crash is its in-process stand-in for SIGKILL (see RunningCoordinator.crash: the database
// closes first, every connection is cut, nothing is flushed) plus the clock scope of that life dropped, so none of
// its timers fires afterwards; a restart starts a new coordinator on the same data dir and port.
// The simulator may not import the server (import rules): whoever runs the scenario passes startCoordinator in.
import type { Clock } from '../../agent/clock.js';
import type { ClockScope, VirtualClock } from '../virtual/index.js';
import type { LeaseExpiry } from './invariants.js';

/** The options of the server's startCoordinator that an in-process run sets. */
export interface InProcessCoordinatorStartOptions {
  port: number;
  host: string;
  dataDir: string;
  logLevel: 'silent';
  heartbeatIntervalMs: number;
  enrollmentRateLimit: { limit: number; windowMs: number };
  restRateLimit: { limit: number; windowMs: number };
  deviceFrameRateLimit: { limit: number; windowMs: number };
  floodDisconnectLimit: { limit: number; windowMs: number };
  clock: Clock;
  onLeaseExpired: (expiry: { readonly jobId: string; readonly attempt: number; readonly deviceId: string }) => void;
}

/** What the runner needs of a started coordinator (the server's RunningCoordinator has it). */
export interface InProcessCoordinatorHandle {
  readonly url: string;
  readonly port: number;
  createApiKey(name: string): Promise<{ readonly key: string }>;
  close(): Promise<void>;
  crash(): Promise<void>;
}

/** The server's startCoordinator (server/src/index.ts), passed in by the CLI, the bench or a test. */
export type StartInProcessCoordinator = (options: InProcessCoordinatorStartOptions) => Promise<InProcessCoordinatorHandle>;

export interface InProcessCoordinatorOptions {
  readonly start: StartInProcessCoordinator;
  readonly clock: VirtualClock;
  readonly dataDir: string;
  /** Heartbeat interval devices are asked to use (virtual ms). */
  readonly heartbeatMs: number;
  /** Called for every lease expiry, with the clock's time. */
  readonly onLeaseExpiry: (expiry: LeaseExpiry) => void;
}

const LIMIT_WINDOW_MS = 60_000;
/** Rate limits count wall time, which means nothing on virtual time: they are lifted (the runner is the only client). */
const UNLIMITED = { limit: 1_000_000_000, windowMs: LIMIT_WINDOW_MS };

export class InProcessCoordinator {
  private handle: InProcessCoordinatorHandle | undefined;
  private scope: ClockScope | undefined;
  private port = 0;
  private restarts = 0;
  url = '';

  private constructor(private readonly options: InProcessCoordinatorOptions) {}

  static async start(options: InProcessCoordinatorOptions): Promise<InProcessCoordinator> {
    const coordinator = new InProcessCoordinator(options);
    await coordinator.launch();
    return coordinator;
  }

  get running(): boolean {
    return this.handle !== undefined;
  }

  get restartCount(): number {
    return this.restarts;
  }

  async createApiKey(name = 'sim'): Promise<string> {
    if (!this.handle) throw new Error('the coordinator is down');
    return (await this.handle.createApiKey(name)).key;
  }

  /** The in-process SIGKILL: the database closed first, connections cut, this life's timers dropped. */
  async kill(): Promise<void> {
    const handle = this.handle;
    if (!handle) return;
    this.handle = undefined;
    this.scope?.drop();
    await handle.crash();
  }

  async restart(): Promise<void> {
    if (this.handle) await this.kill();
    await this.launch();
    this.restarts += 1;
  }

  /** Graceful shutdown (the end of a run). */
  async stop(): Promise<void> {
    const handle = this.handle;
    if (!handle) return;
    this.handle = undefined;
    await handle.close();
    this.scope?.drop();
  }

  private async launch(): Promise<void> {
    const { options } = this;
    this.scope = options.clock.scope();
    const clock = options.clock;
    const handle = await options.start({
      port: this.port,
      host: '127.0.0.1',
      dataDir: options.dataDir,
      logLevel: 'silent',
      heartbeatIntervalMs: options.heartbeatMs,
      enrollmentRateLimit: UNLIMITED,
      restRateLimit: UNLIMITED,
      deviceFrameRateLimit: UNLIMITED,
      floodDisconnectLimit: UNLIMITED,
      clock: this.scope,
      onLeaseExpired: (expiry) => options.onLeaseExpiry({ ...expiry, wallMs: clock.now() }),
    });
    this.handle = handle;
    this.url = handle.url;
    this.port = handle.port;
  }
}
