// End to end, issue scenario (b): the coordinator is closed and started again (same data dir, same port) while an
// agent trains. The agent keeps training offline, buffers its reports, reconnects with its credential, says hello
// with its running job (which keeps the lease), and every buffered report lands exactly once.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCoordinator, type CoordinatorOptions, type RunningCoordinator } from '../../server/src/coordinator.js';
import { Agent } from '../../client/src/agent/agent.js';
import type { JobFinished } from '../../client/src/agent/job-runner.js';
import type { TrainProgress } from '../../client/src/engine/train/types.js';
import { getJson, postJson, until, waitForJobs, type JobSummary, type RestTarget } from './rest-client.js';

const FAST_BACKOFF = { reconnectionDelayMs: 50, reconnectionDelayMaxMs: 300, randomizationFactor: 0.2 };

// 1024 examples in batches of 16: 64 steps per epoch, 192 in the job.
const JOB = {
  name: 'e2e-coordinator-restart',
  checkpointEverySteps: 32,
  config: {
    model: 'mlp',
    data: { name: 'synthetic', trainLimit: 1024, testLimit: 128 },
    method: 'rigl',
    density: 0.3,
    schedule: { kind: 'dst', updateInterval: 20 },
    epochs: 3,
    batchSize: 16,
    seed: 4,
  },
};

interface ProgressRow {
  readonly attempt: number;
  readonly sequence: number;
  readonly step: number;
}

interface ResultRow {
  readonly attempt: number;
  readonly sequence: number;
  readonly deviceId: string;
  readonly steps: number;
}

describe('coordinator restarted mid-job', () => {
  let coordinator: RunningCoordinator;
  let options: CoordinatorOptions;
  let rest: RestTarget;
  let dataDir: string;
  let agent: Agent;
  const progress: TrainProgress[] = [];
  const finished: JobFinished[] = [];
  const connections: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sf-e2e-restart-'));
    // Generous presence and lease: the outage must not cost the device its job.
    options = { port: 0, dataDir, logLevel: 'silent', heartbeatIntervalMs: 300, heartbeatPatience: 20, leaseMs: 20_000 };
    coordinator = await startCoordinator(options);
    options = { ...options, port: coordinator.port };
    rest = { url: coordinator.url, apiKey: (await coordinator.createApiKey('e2e')).key };
    const { token } = await coordinator.createEnrollmentToken({ maxUses: 1 });
    agent = new Agent({
      server: coordinator.url,
      enrollmentToken: token,
      statePath: join(dataDir, 'agent.json'),
      backoff: FAST_BACKOFF,
      progressEverySteps: 2,
    });
    agent.on('job-progress', (_jobId, report) => progress.push(report));
    agent.on('job-finished', (job) => finished.push(job));
    agent.on('connected', (deviceId) => connections.push(deviceId));
    await agent.start();
  });

  afterAll(async () => {
    await agent?.stop();
    await coordinator?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('should let the agent reconnect and deliver its buffered reports exactly once', async () => {
    // Prepare: the job is under way
    const job = await postJson<JobSummary>(rest, '/api/jobs', JOB);
    await until(() => progress.some((p) => p.step >= 10), 60_000, 'training progress before the restart');

    // Execute: close the coordinator; the agent trains on offline; start it again on the same port and data
    await coordinator.close();
    const offlineFrom = progress.at(-1)?.step ?? 0;
    await until(() => (progress.at(-1)?.step ?? 0) >= offlineFrom + 20 || finished.length > 0, 60_000, 'offline training');
    expect(agent.outbox.pending).toBeGreaterThan(0);
    coordinator = await startCoordinator(options);
    const [done] = await waitForJobs(rest, [job.id], 90_000);

    // Assert: the same device kept the job (attempt 1) and every report landed exactly once
    expect(connections.length).toBeGreaterThanOrEqual(2);
    expect(new Set(connections).size).toBe(1);
    expect(done).toMatchObject({ state: 'succeeded', attempt: 1, deviceId: agent.deviceId });
    const rows = await getJson<ProgressRow[]>(rest, `/api/jobs/${job.id}/progress`);
    const keys = rows.map((row) => `${row.attempt}/${row.sequence}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(rows.every((row) => row.attempt === 1)).toBe(true);
    const sequences = rows.map((row) => row.sequence).sort((a, b) => a - b);
    expect(sequences).toEqual(Array.from({ length: sequences.length }, (_, i) => i + 1));
    expect(sequences.length).toBe(progress.length);
    expect(Math.max(...rows.map((row) => row.step))).toBe(192);
    const result = await getJson<ResultRow>(rest, `/api/jobs/${job.id}/result`);
    expect(result).toMatchObject({ attempt: 1, deviceId: agent.deviceId, steps: 192, sequence: progress.length + 1 });
    expect(finished.map((f) => f.outcome)).toEqual(['succeeded']);
    await until(() => agent.outbox.pending === 0, 10_000, 'an empty outbox');
  });
});
