// End to end: a real coordinator (SQLite in a temp dir, port 0), real agents with real socket.io clients and the
// real engine (in-process fleet mode: vitest runs TypeScript sources, which worker threads cannot load).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCoordinator, type RunningCoordinator } from '../../server/src/coordinator.js';
import { Agent } from '../../client/src/agent/agent.js';
import { AgentFatalError } from '../../client/src/agent/errors.js';
import { SimulatedFleet } from '../../client/src/sim/fleet.js';
import type { FleetEvent } from '../../client/src/sim/fleet-events.js';
import { getJson, postJson, waitForJobs, type JobSummary, type RestTarget } from './rest-client.js';

const FAST_BACKOFF = { reconnectionDelayMs: 50, reconnectionDelayMaxMs: 500, randomizationFactor: 0.2 };

function smallJob(seed: number) {
  return {
    name: `e2e-mlp-${seed}`,
    config: {
      model: 'mlp',
      data: { name: 'synthetic', trainLimit: 256, testLimit: 128 },
      method: 'dense',
      epochs: 1,
      batchSize: 32,
      maxSteps: 6,
      seed,
    },
  };
}

interface ResultJson {
  readonly jobId: string;
  readonly deviceId: string;
  readonly outcome: number;
  readonly backend: string;
  readonly dataSource: string;
  readonly testAccuracy: number;
  readonly stepMsP50: number;
  readonly stepMsP90: number;
  readonly steps: number;
}

interface ProgressJson {
  readonly attempt: number;
  readonly sequence: number;
  readonly deviceId: string;
}

describe('fleet end to end', () => {
  let coordinator: RunningCoordinator;
  let rest: RestTarget;
  let dataDir: string;
  let fleet: SimulatedFleet;
  const events: FleetEvent[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sf-e2e-'));
    // Agents train in this thread: a generous lease keeps a stalled event loop from abandoning their attempts.
    coordinator = await startCoordinator({ port: 0, dataDir, logLevel: 'error', heartbeatIntervalMs: 500, leaseMs: 10_000 });
    rest = { url: coordinator.url, apiKey: (await coordinator.createApiKey('e2e')).key };
    const { token } = await coordinator.createEnrollmentToken({ maxUses: 10 });
    fleet = new SimulatedFleet({
      server: coordinator.url,
      enrollmentToken: token,
      size: 3,
      stateDir: join(dataDir, 'agents'),
      mode: 'in-process',
      backoff: FAST_BACKOFF,
      progressEverySteps: 2,
    });
    fleet.on('event', (event) => events.push(event));
    await fleet.start(30_000);
  });

  afterAll(async () => {
    await fleet?.stop();
    await coordinator?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('should enroll and connect every simulated agent', async () => {
    expect(fleet.members.map((member) => member.state)).toEqual(['connected', 'connected', 'connected']);
    const devices = await getJson<Array<{ id: string }>>(rest, '/api/devices');
    const ids = fleet.members.map((member) => member.deviceId);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(devices.map((device) => device.id)).toContain(id);
  });

  it('should run three jobs on the fleet and persist their results and ordered progress', async () => {
    // Execute
    const submitted = await Promise.all([1, 2, 3].map((seed) => postJson<JobSummary>(rest, '/api/jobs', smallJob(seed))));
    const jobs = await waitForJobs(rest, submitted.map((job) => job.id), 45_000);
    // Assert: every job succeeded, each on its own device.
    expect(jobs.map((job) => job.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const fleetDevices = new Set(fleet.members.map((member) => member.deviceId));
    for (const job of jobs) {
      const result = await getJson<ResultJson>(rest, `/api/jobs/${job.id}/result`);
      expect(result.jobId).toBe(job.id);
      expect(fleetDevices.has(result.deviceId)).toBe(true);
      expect(result.deviceId).toBe(job.deviceId);
      expect(['wasm', 'cpu', 'tensorflow']).toContain(result.backend);
      expect(result.dataSource).toBe('synthetic');
      expect(result.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(result.testAccuracy).toBeLessThanOrEqual(1);
      expect(result.stepMsP50).toBeGreaterThan(0);
      expect(result.stepMsP90).toBeGreaterThanOrEqual(result.stepMsP50);
      expect(result.steps).toBe(6);

      const progress = await getJson<ProgressJson[]>(rest, `/api/jobs/${job.id}/progress`);
      expect(progress.length).toBeGreaterThanOrEqual(2);
      const sequences = progress.filter((report) => report.attempt === job.attempt).map((report) => report.sequence);
      expect(sequences[0]).toBe(1);
      for (let index = 1; index < sequences.length; index += 1) expect(sequences[index]).toBe(sequences[index - 1] + 1);
    }
    expect(new Set(jobs.map((job) => job.deviceId)).size).toBe(3);
    const finished = events.filter((event) => event.kind === 'job-finished');
    expect(finished).toHaveLength(3);
  });

  it('should give a bad-token agent a clear error while the fleet finishes its jobs', async () => {
    // Prepare
    const badAgent = new Agent({
      server: coordinator.url,
      enrollmentToken: 'not-a-real-token',
      statePath: join(dataDir, 'bad-agent.json'),
      backoff: FAST_BACKOFF,
    });
    const submitted = await Promise.all([4, 5].map((seed) => postJson<JobSummary>(rest, '/api/jobs', smallJob(seed))));
    // Execute
    const failure = await badAgent.start().then(
      () => undefined,
      (error: unknown) => error,
    );
    const jobs = await waitForJobs(rest, submitted.map((job) => job.id), 45_000);
    // Assert
    expect(failure).toBeInstanceOf(AgentFatalError);
    expect((failure as AgentFatalError).codeName).toBe('ENROLLMENT_TOKEN_UNKNOWN');
    expect((failure as AgentFatalError).message).toMatch(/refused the connection: ENROLLMENT_TOKEN_UNKNOWN/);
    expect(jobs.map((job) => job.state)).toEqual(['succeeded', 'succeeded']);
    await badAgent.stop();
  });
});
