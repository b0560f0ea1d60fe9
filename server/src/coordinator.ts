// The one way to start a coordinator in-process: used by `sparsefleet serve`, `sparsefleet demo` and the tests.
import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import type { Clock } from './common/clock.js';
import { setupOpenApi } from './api/openapi.js';
import { AppModule } from './app.module.js';
import { ClusterIoAdapter } from './cluster/cluster-io-adapter.js';
import { resolveCoordinatorConfig, type CoordinatorLogLevel, type RateLimit } from './config/coordinator-config.js';
import {
  EnrollmentTokenService,
  type CreateEnrollmentTokenOptions,
  type CreatedEnrollmentToken,
} from './devices/enrollment-token.service.js';
import { DomainEventBus } from './events/event-bus.js';
import { JobService } from './jobs/job.service.js';
import { ApiKeyService, type CreatedApiKey } from './security/api-key.service.js';
import { DatabaseService } from './storage/database.service.js';
import { databaseSettingsFor, probeDatabase } from './storage/database-dialect.js';
import type { FederatedModelLab } from './federated/federated-lab.js';

export interface CoordinatorOptions {
  /** 0 = a random free port. Default 8080. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Holds `sparsefleet.sqlite` (unless `databaseUrl` is set) and `checkpoints/`; created when missing. */
  dataDir: string;
  /** postgres://USER:PASSWORD@HOST:PORT/DATABASE to keep state in PostgreSQL; absent = SQLite in `dataDir`. */
  databaseUrl?: string;
  /** Default 'log'; 'silent' silences every log line. */
  logLevel?: CoordinatorLogLevel;
  /** Interval devices are told to send heartbeats at. Default 5000. */
  heartbeatIntervalMs?: number;
  /** Missed heartbeats before a device counts as offline. Default 3. */
  heartbeatPatience?: number;
  /** Lease of an assigned job, renewed by progress, heartbeats and hello naming it. Default patience × interval. */
  leaseMs?: number;
  /** Period of the liveness / lease sweep. Default min(heartbeat, lease) / 4, at least 50 ms. */
  sweepIntervalMs?: number;
  /** How long a pushed assignment waits for JobAccepted. Default 10000. */
  assignmentAckTimeoutMs?: number;
  /** Attempts of a job submitted without `maxAttempts`. Default 3. */
  maxJobAttempts?: number;
  /** Every /api route (except /api/docs) needs `Authorization: Bearer <key>` or `x-api-key`. Default true. */
  requireApiKey?: boolean;
  /** Enrollments per remote address. Default 10 per minute. */
  enrollmentRateLimit?: RateLimit;
  /** Operator REST requests per remote address. Default 6000 per minute. */
  restRateLimit?: RateLimit;
  /** Device-channel frames per device. Default 300 per 5 s. */
  deviceFrameRateLimit?: RateLimit;
  /** Rate-refused frames after which a device is disconnected. Default 100 per 10 s. */
  floodDisconnectLimit?: RateLimit;
  /** Largest checkpoint a device may upload. Default 1 GiB. */
  maxCheckpointBytes?: number;
  /** At most one telemetry sample per device is stored in its history per this window. Default 60000 (0: every batch's). */
  telemetrySampleMs?: number;
  /** Slack in a device's stored presence deadline: how often a steadily beating device's row is written. Default 30000. */
  presenceFlushMs?: number;
  /** Device sessions set up at once in a reconnect storm; more are told to retry later. Default 500 (0: no limit). */
  handshakeConcurrency?: number;
  /** Redis shared with the other coordinator nodes (redis://host:port); unset = a single process, no Redis. */
  redisUrl?: string;
  /** This node's name among the coordinator nodes. Default `<hostname>-<pid>-<random>`. */
  nodeId?: string;
  /** Directories whose data sets browser devices get shards of. Default /usr/share/datasets. */
  datasetRoots?: readonly string[];
  /** The engine's side of federated jobs (initial models, held-out accuracy); absent = federated jobs are refused. */
  federatedLab?: FederatedModelLab;
  /**
   * The time source of the coordinator's timers and timestamps (default the real clock). A simulation passes the
   * virtual clock its devices run on (issue 12).
   */
  clock?: Clock;
  /** Called for every job attempt whose lease expired, with the device that held it (a simulation's invariants). */
  onLeaseExpired?: (expiry: ExpiredLease) => void;
}

export interface ExpiredLease {
  readonly jobId: string;
  readonly attempt: number;
  readonly deviceId: string;
}

/** Signals are left to the caller (CLI, tests): call `close()` to stop the coordinator gracefully. */
export interface RunningCoordinator {
  /** http://HOST:PORT — the REST API is under /api, the device channel is socket.io on the same port. */
  readonly url: string;
  readonly port: number;
  /** This node's name among the coordinator nodes (config nodeId). */
  readonly nodeId: string;
  readonly app: INestApplication;
  createEnrollmentToken(options?: CreateEnrollmentTokenOptions): Promise<CreatedEnrollmentToken>;
  /** A new operator API key (the secret is returned once). */
  createApiKey(name: string): Promise<CreatedApiKey>;
  close(): Promise<void>;
  /**
   * Stops dead, as a SIGKILL would, for an in-process simulation: the database closes first, so nothing from this
   * instant on is stored; the listener and every connection are cut; no shutdown hook runs and nothing is flushed.
   * The application is abandoned (restart with a new startCoordinator on the same data dir). Its logger goes silent.
   */
  crash(): Promise<void>;
}

/**
 * Connections the kernel queues for accepting (capped by net.core.somaxconn). Node's default of 511 overflowed in a
 * reconnect storm of thousands: the dropped handshakes' SYNs are retried after 1, 3, 7, 15 s and the clients' 20 s
 * connect timeout fired.
 */
const LISTEN_BACKLOG = 4096;

export async function startCoordinator(options: CoordinatorOptions): Promise<RunningCoordinator> {
  const host = options.host ?? '127.0.0.1';
  const { port: requestedPort, host: _host, clock, onLeaseExpired, ...settings } = options;
  const config = resolveCoordinatorConfig(definedOnly(settings));
  // An unusable database URL fails here with one line (DatabaseUnavailableError), not inside Nest's module loader.
  await probeDatabase(databaseSettingsFor(config));
  const app = await NestFactory.create(AppModule.forRoot(config, clock), { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(PinoNestLogger));
  setupOpenApi(app);
  let clusterIo: ClusterIoAdapter | undefined;
  try {
    // With Redis, the device channel's rooms span every node (see cluster/cluster-io-adapter.ts).
    if (config.redisUrl) clusterIo = await ClusterIoAdapter.connect(app, { url: config.redisUrl });
    app.useWebSocketAdapter(clusterIo ?? new IoAdapter(app));
    // Nest passes extra arguments through to http.Server.listen(port, host, backlog); its typings stop at the host.
    const listen = app.listen.bind(app) as unknown as (port: number, host: string, backlog: number) => Promise<unknown>;
    await listen(requestedPort ?? 8080, host, LISTEN_BACKLOG);
  } catch (error) {
    await app.close();
    // A start that failed before the gateway existed leaves the adapter's connection to close here.
    await clusterIo?.dispose();
    throw error;
  }
  const httpServer = app.getHttpServer() as Server;
  const connections = trackConnections(httpServer);
  if (onLeaseExpired) reportLeaseExpiries(app, onLeaseExpired);
  const port = (httpServer.address() as AddressInfo).port;
  const tokens = app.get(EnrollmentTokenService);
  const apiKeys = app.get(ApiKeyService);
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    nodeId: config.nodeId,
    app,
    createEnrollmentToken: (tokenOptions) => tokens.create(tokenOptions),
    createApiKey: (name) => apiKeys.create(name),
    close: () => (closing ??= app.close()),
    async crash() {
      closing ??= Promise.resolve();
      await app.get(DatabaseService).db.destroy();
      app.useLogger(false);
      httpServer.close();
      for (const connection of connections) connection.destroy();
    },
  };
}

/** Every open TCP connection of the server (websockets included, which the HTTP server stops tracking on upgrade). */
function trackConnections(server: Server): Set<Socket> {
  const connections = new Set<Socket>();
  server.on('connection', (connection: Socket) => {
    connections.add(connection);
    connection.once('close', () => connections.delete(connection));
  });
  return connections;
}

function reportLeaseExpiries(app: INestApplication, report: (expiry: ExpiredLease) => void): void {
  const jobs = app.get(JobService);
  app.get(DomainEventBus).on('LeaseExpired', async ({ jobId, attempt }) => {
    const job = await jobs.get(jobId);
    // Requeued: the next attempt names the abandoned device as the previous one; failed: it still holds the job.
    const deviceId = job && (job.attempt > attempt ? job.previousDeviceId : job.deviceId);
    if (deviceId) report({ jobId, attempt, deviceId });
  });
}

/** Drops keys set to undefined, so they fall back to the defaults instead of overriding them. */
function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
