// Settings of one coordinator instance, resolved once at start and injected where needed.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { FederatedModelLab } from '../federated/federated-lab.js';

export type CoordinatorLogLevel = 'silent' | 'error' | 'warn' | 'log' | 'debug';

/** At most `limit` events per `windowMs` for one key (a remote address). */
export interface RateLimit {
  readonly limit: number;
  readonly windowMs: number;
}

export interface CoordinatorConfig {
  /** Holds checkpoints, and the SQLite database unless `databaseUrl` is set. */
  readonly dataDir: string;
  /** postgres://USER:PASSWORD@HOST:PORT/DATABASE for PostgreSQL; absent = the SQLite file in `dataDir`. */
  readonly databaseUrl?: string;
  readonly logLevel: CoordinatorLogLevel;
  readonly heartbeatIntervalMs: number;
  /** A device is online until `last heartbeat + patience × heartbeatIntervalMs`. */
  readonly heartbeatPatience: number;
  /** How long a job's lease lasts after its last renewal (progress, heartbeat or hello naming the job). */
  readonly leaseMs: number;
  /** Period of the sweep that marks silent devices offline and requeues jobs whose lease expired. */
  readonly sweepIntervalMs: number;
  /** How long a pushed JobAssignment may wait for the device's JobAccepted. */
  readonly assignmentAckTimeoutMs: number;
  /** Attempts of a job submitted without `maxAttempts`. */
  readonly maxJobAttempts: number;
  /** Every /api route (except /api/docs) needs an operator API key. */
  readonly requireApiKey: boolean;
  /** Enrollments per remote address. */
  readonly enrollmentRateLimit: RateLimit;
  /** Operator REST requests per remote address (HTTP only; the device channel has its own limits below). */
  readonly restRateLimit: RateLimit;
  /** Device-channel frames per device (per connection on enrollment connections). */
  readonly deviceFrameRateLimit: RateLimit;
  /** Frames refused for rate beyond which the device is disconnected (per device, in this window). */
  readonly floodDisconnectLimit: RateLimit;
  /** Heartbeat telemetry samples kept per device (the latest is also on the device row). */
  readonly telemetryHistory: number;
  /** At most one telemetry sample per device goes into its history per this window (0: the latest of every heartbeat batch). */
  readonly telemetrySampleMs: number;
  /**
   * Slack written into a device's stored presence deadline: a steadily beating device's row is written about once
   * per this period instead of once per heartbeat (the node holding its connection keeps the exact deadline in memory).
   */
  readonly presenceFlushMs: number;
  /**
   * Device sessions set up at once (handshake until the first frame is handled); further device handshakes are
   * refused RATE_LIMITED with a retry delay (gateway/handshake-admission.ts). 0: no limit.
   */
  readonly handshakeConcurrency: number;
  /** Largest checkpoint a device may upload. */
  readonly maxCheckpointBytes: number;
  readonly serverVersion: string;
  /** Redis shared by the coordinator nodes (events, leadership, the device channel's adapter); unset = one process. */
  readonly redisUrl?: string;
  /** This node's name among the coordinator nodes: the origin of the events it publishes, its leadership claim. */
  readonly nodeId: string;
  /** Directories whose data sets the coordinator derives browser devices' dataset shards from (GET /agent/api/datasets/...). */
  readonly datasetRoots: readonly string[];
  /** Initial models and held-out evaluation for federated jobs (needs the engine); absent = federated jobs refused. */
  readonly federatedLab?: FederatedModelLab;
}

/** Where Debian's dataset packages install (e.g. /usr/share/datasets/fashion-mnist). */
export const DEFAULT_DATASET_ROOTS: readonly string[] = ['/usr/share/datasets'];

/** Injection token of the CoordinatorConfig value. */
export const COORDINATOR_CONFIG = Symbol('COORDINATOR_CONFIG');

export const DEFAULT_HEARTBEAT_INTERVAL_MS = 5000;
export const DEFAULT_HEARTBEAT_PATIENCE = 3;
export const SERVER_VERSION = '0.1.0';

export function resolveCoordinatorConfig(
  input: Partial<CoordinatorConfig> & { dataDir: string },
): CoordinatorConfig {
  const heartbeatIntervalMs = input.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  const heartbeatPatience = input.heartbeatPatience ?? DEFAULT_HEARTBEAT_PATIENCE;
  const leaseMs = input.leaseMs ?? heartbeatPatience * heartbeatIntervalMs;
  return {
    dataDir: input.dataDir,
    ...(input.databaseUrl === undefined ? {} : { databaseUrl: input.databaseUrl }),
    logLevel: input.logLevel ?? 'log',
    heartbeatIntervalMs,
    heartbeatPatience,
    leaseMs,
    // Often enough that an expiry is noticed within a fraction of the lease, never a busy loop.
    sweepIntervalMs: input.sweepIntervalMs ?? Math.max(50, Math.min(heartbeatIntervalMs, leaseMs) / 4),
    assignmentAckTimeoutMs: input.assignmentAckTimeoutMs ?? 10_000,
    maxJobAttempts: input.maxJobAttempts ?? 3,
    requireApiKey: input.requireApiKey ?? true,
    enrollmentRateLimit: input.enrollmentRateLimit ?? { limit: 10, windowMs: 60_000 },
    restRateLimit: input.restRateLimit ?? { limit: 6000, windowMs: 60_000 },
    // 60 frames/s on average with bursts of 300: a heartbeat every 5 s plus progress, results and 1 MiB checkpoint
    // chunks (60 MB/s) fit; a runaway loop does not.
    deviceFrameRateLimit: input.deviceFrameRateLimit ?? { limit: 300, windowMs: 5_000 },
    floodDisconnectLimit: input.floodDisconnectLimit ?? { limit: 100, windowMs: 10_000 },
    telemetryHistory: input.telemetryHistory ?? 60,
    telemetrySampleMs: input.telemetrySampleMs ?? 60_000,
    presenceFlushMs: input.presenceFlushMs ?? 30_000,
    handshakeConcurrency: input.handshakeConcurrency ?? 500,
    maxCheckpointBytes: input.maxCheckpointBytes ?? 1024 * 1024 * 1024,
    serverVersion: input.serverVersion ?? SERVER_VERSION,
    redisUrl: input.redisUrl,
    nodeId: input.nodeId ?? defaultNodeId(),
    datasetRoots: input.datasetRoots ?? DEFAULT_DATASET_ROOTS,
    ...(input.federatedLab ? { federatedLab: input.federatedLab } : {}),
  };
}

/** Unique per process, and readable in logs and in Redis: which host, which process. */
function defaultNodeId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}
