// The modelled engine inside the real agent against a real coordinator (SQLite in a temp dir, port 0): its progress,
// checkpoints and result go through the ordinary protocol; an agent killed mid-job hands the job to the other one,
// which resumes from the modelled checkpoint and finishes with exactly one result; a job beyond the profile's
// memory fails with the out-of-memory reason. No tfjs is loaded.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCoordinator, type RunningCoordinator } from '../../../server/src/coordinator.js';
import { Agent } from '../../../client/src/agent/agent.js';
import type { JobFinished, JobStarted } from '../../../client/src/agent/job-runner.js';
import { createModelledEngine, loadDeviceProfile, type DeviceProfile } from '../../../client/src/sim/profiles/index.js';
import { getJson, postJson, until, waitForJobs, type JobSummary, type RestTarget } from '../../e2e/rest-client.js';

const FAST_BACKOFF = { reconnectionDelayMs: 50, reconnectionDelayMaxMs: 500, randomizationFactor: 0.2 };
const TIME_SCALE = 100;

// 4096 examples in batches of 64: 64 steps an epoch, 256 in the job, a checkpoint every 16 steps. A step is 500 ms
// of device time, 5 ms of wall time at timeScale 100: the job takes about 1.3 s.
const JOB = {
  name: 'sim-kill-resume',
  maxAttempts: 3,
  checkpointEverySteps: 16,
  config: { model: 'mlp', data: { name: 'synthetic', trainLimit: 4096 }, method: 'set', density: 0.3, epochs: 4, batchSize: 64, seed: 3 },
};

describe('modelled engine in the real agent', () => {
  let coordinator: RunningCoordinator;
  let rest: RestTarget;
  let dataDir: string;
  const agents: Agent[] = [];
  const started: Array<JobStarted & { agent: number }> = [];
  const finished: Array<JobFinished & { agent: number }> = [];
  let profile: DeviceProfile;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sf-sim-agent-'));
    const nano = await loadDeviceProfile('jetson-nano');
    profile = { ...nano, compute: { speedFactor: nano.compute.speedFactor, stepMs: { 'mlp/irregular/0.3/b64': 500 } } };
    coordinator = await startCoordinator({ port: 0, dataDir, logLevel: 'silent', heartbeatIntervalMs: 200, heartbeatPatience: 3, leaseMs: 1500 });
    rest = { url: coordinator.url, apiKey: (await coordinator.createApiKey('sim')).key };
    const { token } = await coordinator.createEnrollmentToken({ maxUses: 2 });
    for (let index = 0; index < 2; index++) {
      const agent = new Agent({
        server: coordinator.url,
        enrollmentToken: token,
        statePath: join(dataDir, `agent-${index}.json`),
        backoff: FAST_BACKOFF,
        progressEverySteps: 8,
        engine: createModelledEngine(profile, { timeScale: TIME_SCALE, seed: index }),
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

  it('resumes a killed agent\'s job on the other agent from the modelled checkpoint: one result', async () => {
    let killed: number | undefined;
    agents.forEach((agent, index) =>
      agent.on('checkpoint-committed', (checkpoint) => {
        if (killed !== undefined || checkpoint.attempt !== 1) return;
        killed = index;
        void agent.kill();
      }),
    );
    const job = await postJson<JobSummary>(rest, '/api/jobs', JOB);
    await until(() => killed !== undefined, 30_000, 'a committed checkpoint of attempt 1');
    const [done] = await waitForJobs(rest, [job.id], 30_000);

    const survivor = agents[killed === 0 ? 1 : 0];
    expect(done).toMatchObject({ state: 'succeeded', attempt: 2, deviceId: survivor.deviceId });
    const checkpoints = await getJson<{ attempt: number; step: number }[]>(rest, `/api/jobs/${job.id}/checkpoints`);
    const resumedFrom = Math.max(...checkpoints.filter((c) => c.attempt === 1).map((c) => c.step));
    expect(resumedFrom % 16).toBe(0);
    expect(started.find((s) => s.attempt === 2)?.resume?.step).toBe(resumedFrom);
    const progress = await getJson<{ attempt: number; step: number }[]>(rest, `/api/jobs/${job.id}/progress`);
    expect(Math.min(...progress.filter((row) => row.attempt === 2).map((row) => row.step))).toBeGreaterThanOrEqual(resumedFrom);
    const result = await getJson<{ attempt: number; steps: number; examplesSeen: number; wallMs: number; dataSource: string }>(rest, `/api/jobs/${job.id}/result`);
    // The whole job's examples (the resumed run continues the checkpoint's count); device time for the resumed part.
    expect(result).toMatchObject({ attempt: 2, steps: 256, examplesSeen: 256 * 64 });
    expect(result.dataSource).toContain('modelled');
    expect(result.wallMs).toBeGreaterThan((256 - resumedFrom) * 500 * 0.8);
    expect(finished.filter((f) => f.outcome === 'succeeded').map((f) => f.attempt)).toEqual([2]);
  });

  it('fails a job beyond the profile\'s memory with the out-of-memory reason', async () => {
    // About 3 GB by the estimate. The agents report the host's free memory (the fleet's facts hook is not used
    // here), so the coordinator assigns it to a device whose profile has 2,400 MB.
    const big = { name: 'sim-oom', maxAttempts: 1, config: { model: 'wrn-16-8', data: { name: 'cifar10' }, method: 'dense', batchSize: 128, epochs: 1 } };
    const job = await postJson<JobSummary>(rest, '/api/jobs', big);
    const [done] = await waitForJobs(rest, [job.id], 30_000);
    expect(done.state).toBe('failed');
    const result = await getJson<{ error: string }>(rest, `/api/jobs/${job.id}/result`);
    expect(result.error).toMatch(/out of memory \(simulated jetson-nano\): the job needs about \d+ MB, 2400 MB available/);
  });
});
