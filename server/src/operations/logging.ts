// Structured logs through nestjs-pino: one pino logger for Nest's own logs and HTTP requests. 'silent' silences
// everything (tests and the demo rely on it).
// nestjs-pino stays on 4.6.x: 5.x declares engines node >=22.12, above the project's Node 20.19 floor. 4.6.x lists
// @nestjs/common up to ^11 as its peer, so package.json "overrides" points that peer at our @nestjs/common 12 (which is
// ESM-only; 4.6.x's CommonJS build loads it through require(esm), unflagged since Node 20.19).
import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { CoordinatorLogLevel } from '../config/coordinator-config.js';

const PINO_LEVELS: Record<CoordinatorLogLevel, string> = {
  silent: 'silent',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
};

/** Requests not worth a log line each: probes and scrapes. */
const QUIET_PATHS = ['/healthz', '/metrics'];

export function loggingModule(level: CoordinatorLogLevel): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level: PINO_LEVELS[level],
      autoLogging: { ignore: (request) => QUIET_PATHS.some((path) => request.url?.startsWith(path)) },
      // Never log operator credentials.
      redact: ['req.headers.authorization', 'req.headers["x-api-key"]'],
    },
  });
}
