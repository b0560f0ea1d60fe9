// Child-process entry of the coordinator benchmark: starts one coordinator on a free loopback port with the limits
// a bench fleet needs (every device enrolls from 127.0.0.1, the operator submits jobs fast), then answers the
// parent's requests over IPC: memory after a full GC, a heap snapshot, a CPU profile of one phase, stop. Runs with
// --expose-gc.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { writeHeapSnapshot } from 'node:v8';
import { startCoordinator, type CoordinatorOptions } from '../../server/src/coordinator.js';
import type { LaunchSettings, LauncherReply, LauncherRequest } from './coordinator-ipc.js';
import { LoopDelayMonitor } from './loop-delay.js';
import { instrumentSqlite, resetSqlCosts, sqlCostTable } from './sql-timing.js';

const LIMIT_WINDOW_MS = 60_000;

function send(reply: LauncherReply): void {
  process.send?.(reply);
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.env.BENCH_COORDINATOR_SETTINGS ?? '') as LaunchSettings;
  if (settings.profile) instrumentSqlite();
  const options: CoordinatorOptions = {
    port: 0,
    dataDir: settings.dataDir,
    logLevel: 'silent',
    heartbeatIntervalMs: settings.heartbeatIntervalMs,
    enrollmentRateLimit: { limit: settings.enrollmentUses + 1000, windowMs: LIMIT_WINDOW_MS },
    restRateLimit: { limit: 1_000_000, windowMs: LIMIT_WINDOW_MS },
    // The multi-node options (databaseUrl, redisUrl, nodeId) are the lead's; unknown keys are ignored by a
    // coordinator without them, which the parent detects (node 2 refuses node 1's API key).
    ...(settings.cluster ?? {}),
  };
  const coordinator = await startCoordinator(options);
  let apiKey: string | undefined;
  let enrollmentToken: string | undefined;
  if (settings.createsCredentials) {
    apiKey = (await coordinator.createApiKey('bench')).key;
    enrollmentToken = (await coordinator.createEnrollmentToken({ maxUses: settings.enrollmentUses })).token;
  }
  const loopDelay = new LoopDelayMonitor();
  const inspector = new Session();
  inspector.connect();
  process.on('message', (request: LauncherRequest) => {
    if (request.kind === 'memory') {
      (globalThis as { gc?: () => void }).gc?.();
      const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
      send({ kind: 'memory', memory: { rss, heapUsed, external, arrayBuffers } });
    } else if (request.kind === 'heap-snapshot') {
      send({ kind: 'heap-snapshot', file: writeHeapSnapshot(request.file) });
    } else if (request.kind === 'profile-start') {
      resetSqlCosts();
      void inspector
        .post('Profiler.enable')
        .then(() => inspector.post('Profiler.start'))
        .then(() => send({ kind: 'profile-started' }));
    } else if (request.kind === 'profile-stop') {
      void inspector.post('Profiler.stop').then(({ profile }) => {
        writeFileSync(request.file, JSON.stringify(profile));
        writeFileSync(request.file.replace(/\.cpuprofile$/, '.sql.md'), `${sqlCostTable(12)}\n`);
        send({ kind: 'profile-stopped', file: request.file });
      });
    } else if (request.kind === 'loop-delay-reset') {
      loopDelay.reset();
      send({ kind: 'loop-delay-reset' });
    } else if (request.kind === 'loop-delay') {
      send({ kind: 'loop-delay', delay: loopDelay.read() });
    } else if (request.kind === 'stop') {
      void coordinator.close().finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ kind: 'ready', url: coordinator.url, ...(apiKey ? { apiKey } : {}), ...(enrollmentToken ? { enrollmentToken } : {}) });
}

main().catch((error: unknown) => {
  send({ kind: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
