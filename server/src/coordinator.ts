// The one way to start a coordinator in-process: used by `sparsefleet serve`, `sparsefleet demo` and the tests.
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { setupOpenApi } from './api/openapi.js';
import { AppModule } from './app.module.js';
import { resolveCoordinatorConfig, type CoordinatorLogLevel } from './config/coordinator-config.js';
import {
  EnrollmentTokenService,
  type CreateEnrollmentTokenOptions,
  type CreatedEnrollmentToken,
} from './devices/enrollment-token.service.js';

export interface CoordinatorOptions {
  /** 0 = a random free port. Default 8080. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Holds `sparsefleet.sqlite`; created when missing. */
  dataDir: string;
  logLevel?: CoordinatorLogLevel;
  /** Interval devices are told to send heartbeats at. Default 5000. */
  heartbeatIntervalMs?: number;
}

/** Signals are left to the caller (CLI, tests): call `close()` to stop the coordinator gracefully. */
export interface RunningCoordinator {
  /** http://HOST:PORT — the REST API is under /api, the device channel is socket.io on the same port. */
  readonly url: string;
  readonly port: number;
  readonly app: INestApplication;
  createEnrollmentToken(options?: CreateEnrollmentTokenOptions): Promise<CreatedEnrollmentToken>;
  close(): Promise<void>;
}

const LOG_LEVELS: Record<CoordinatorLogLevel, LogLevel[] | false> = {
  silent: false,
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  log: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

export async function startCoordinator(options: CoordinatorOptions): Promise<RunningCoordinator> {
  const host = options.host ?? '127.0.0.1';
  const config = resolveCoordinatorConfig({ dataDir: options.dataDir, heartbeatIntervalMs: options.heartbeatIntervalMs });
  const app = await NestFactory.create(AppModule.forRoot(config), {
    logger: LOG_LEVELS[options.logLevel ?? 'log'],
    abortOnError: false,
  });
  app.useWebSocketAdapter(new IoAdapter(app));
  setupOpenApi(app);
  try {
    await app.listen(options.port ?? 8080, host);
  } catch (error) {
    await app.close();
    throw error;
  }
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const tokens = app.get(EnrollmentTokenService);
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    app,
    createEnrollmentToken: (tokenOptions) => tokens.create(tokenOptions),
    close: () => (closing ??= app.close()),
  };
}
