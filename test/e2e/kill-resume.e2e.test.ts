// End to end, issue scenario (a): an agent dies mid-job (link cut without a goodbye, run aborted without a result);
// its lease expires, and the job resumes on another agent from the last committed checkpoint and ends with exactly
// one result. Real coordinator (SQLite in a temp dir, port 0), real agents with the real engine, in process.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCoordinator, type RunningCoordinator } from '../../server/src/coordinator.js';
import { Agent } from '../../client/src/agent/agent.js';
import type { JobFinished, JobStarted } from '../../client/src/agent/job-runner.js';
import { getJson, postJson, until, waitForJobs, type JobSummary, type RestTarget } from './rest-client.js';

const FAST_BACKOFF = { reconnectionDelayMs: 50, reconnectionDelayMaxMs: 500, randomizationFactor: 0.2 };

// 4096 examples in batches of 64: 64 steps per epoch, 256 in the job; a checkpoint (about 2 MB) every 16 steps.
// Steps of 64 examples keep training slow enough that the first upload commits long before the job could end.
const JOB = {
  name: 'e2e-kill-resume',
  maxAttempts: 3,
  checkpointEverySteps: 16,
  config: {
    model: 'mlp',
    data: { name: 'synthetic', trainLimit: 4096, testLimit: 128 },
    method: 'set',
    density: 0.3,
    schedule: { kind: 'dst', updateInterval: 10 },
    epochs: 4,
    batchSize: 64,
    seed: 3,
  },
};

interface ProgressRow {
  readonly attempt: number;
  readonly sequence: number;
  readonly step: number;
  readonly deviceId: string;
}

interface CheckpointRow {
  readonly attempt: number;
  readonly step: number;
  readonly checkpointId: string;
}

interface ResultRow {
  readonly attempt: number;
  readonly deviceId: string;
  readonly outcome: number;
  readonly steps: number;
}

describe('agent killed mid-job', () => {
  let coordinator: RunningCoordinator;
  let rest: RestTarget;
  let dataDir: string;
  const agents: Agent[] = [];
  const started: Array<JobStarted & { agent: number }> = [];
  const finished: Array<JobFinished & { agent: number }> = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sf-e2e-kill-'));
    coordinator = await startCoordinator({
      port: 0,
      dataDir,
      logLevel: 'silent',
      heartbeatIntervalMs: 200,
      heartbeatPatience: 3,
      leaseMs: 1500,
    });
    rest = { url: coordinator.url, apiKey: (await coordinator.createApiKey('e2e')).key };
    const { token } = await coordinator.createEnrollmentToken({ maxUses: 2 });
    for (let index = 0; index < 2; index++) {
      const agent = new Agent({
        server: coordinator.url,
        enrollmentToken: token,
        statePath: join(dataDir, `agent-${index}.json`),
        backoff: FAST_BACKOFF,
        progressEverySteps: 4,
      });
      agent.on('job-started', (job) => started.push({ ...job, agent: index }));
      agent.on('job-finished', (job) => finished.push({ ...job, agent: index }));
      agents.push(agent);
    }
    await Promise.all(agents.map((agent) => agent.start()));
  });

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    await coordinator?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('should resume the job on the other agent from its checkpoint and end with exactly one result', async () => {
    // Prepare: kill whichever agent runs attempt 1 as soon as one of its checkpoints is committed
    let killed: number | undefined;
    let committedStep = 0;
    agents.forEach((agent, index) =>
      agent.on('checkpoint-committed', (checkpoint) => {
        if (killed !== undefined || checkpoint.attempt !== 1) return;
        killed = index;
        committedStep = checkpoint.step;
        void agent.kill();
      }),
    );

    // Execute
    const job = await postJson<JobSummary>(rest, '/api/jobs', JOB);
    await until(() => killed !== undefined, 60_000, 'a committed checkpoint of attempt 1');
    const [done] = await waitForJobs(rest, [job.id], 90_000);

    // Assert: attempt 2 ran on the other agent, starting where the last committed checkpoint left off
    const survivor = agents[killed === 0 ? 1 : 0];
    expect(done).toMatchObject({ state: 'succeeded', attempt: 2, deviceId: survivor.deviceId });
    const checkpoints = await getJson<CheckpointRow[]>(rest, `/api/jobs/${job.id}/checkpoints`);
    const fromAttempt1 = checkpoints.filter((c) => c.attempt === 1);
    expect(fromAttempt1.length).toBeGreaterThan(0);
    const resumedFrom = Math.max(...fromAttempt1.map((c) => c.step));
    expect(resumedFrom).toBeGreaterThanOrEqual(committedStep);
    const second = started.find((s) => s.attempt === 2);
    expect(second?.resume?.step).toBe(resumedFrom);
    const progress = await getJson<ProgressRow[]>(rest, `/api/jobs/${job.id}/progress`);
    const attempt2 = progress.filter((row) => row.attempt === 2).sort((a, b) => a.sequence - b.sequence);
    expect(attempt2.length).toBeGreaterThan(0);
    expect(attempt2[0].step).toBeGreaterThanOrEqual(resumedFrom);
    expect(attempt2[0].sequence).toBe(1);
    expect(progress.filter((row) => row.attempt === 1).every((row) => row.step < 256)).toBe(true);
    // Exactly one result: the killed run ended silently, the resumed one reported once.
    const result = await getJson<ResultRow>(rest, `/api/jobs/${job.id}/result`);
    expect(result).toMatchObject({ attempt: 2, deviceId: survivor.deviceId, steps: 256 });
    expect(finished.filter((f) => f.outcome === 'succeeded').map((f) => f.attempt)).toEqual([2]);
    expect(finished.find((f) => f.attempt === 1)?.outcome).toBe('cancelled');
  });
});
