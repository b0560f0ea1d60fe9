// A virtual fleet against a real coordinator (SQLite in a temp dir, port 0), in process: 50 virtual devices with
// the modelled engine and availability churn finish 50 short jobs with exactly one result each; a killed device
// restarts on its credential; a partitioned device comes back; every result is flagged simulated. Time scale 60.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCoordinator, type RunningCoordinator } from '../../../server/src/coordinator.js';
import type { DeviceProfile } from '../../../client/src/sim/profiles/index.js';
import { VirtualFleet, type VirtualFleetEvent } from '../../../client/src/sim/virtual/index.js';
import { getJson, postJson, until, waitForJobs, type JobSummary, type RestTarget } from '../../e2e/rest-client.js';

const DEVICES = 50;
const JOBS = 50;
const TIME_SCALE = 60;

/** A fast board that drops off now and then: sessions of ~3 sim minutes (3 s wall), offline for ~20 sim s. */
const CHURNING_BOARD: DeviceProfile = {
  name: 'test-board',
  description: 'test fixture',
  platform: 'linux-arm64',
  compute: { speedFactor: 20 },
  memory: { totalMb: 4096, availableMb: 3000 },
  backends: ['wasm', 'cpu'],
  simd: true,
  threads: 4,
  network: { latencyMs: 30, jitterMs: 10, bandwidthKbps: 50_000, lossRate: 0 },
  availability: { sessionMinutes: { kind: 'exponential', mean: 3 }, offlineMinutes: { kind: 'fixed', value: 0.3 } },
};

const JOB = (index: number) => ({
  name: `virtual-${index}`,
  maxAttempts: 10,
  checkpointEverySteps: 4,
  config: { model: 'mlp', data: { name: 'synthetic', trainLimit: 512, testLimit: 64 }, epochs: 2, batchSize: 32, seed: index },
});

describe(VirtualFleet.name, () => {
  let coordinator: RunningCoordinator;
  let rest: RestTarget;
  let dataDir: string;
  let fleet: VirtualFleet;
  const events: VirtualFleetEvent[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sf-virtual-fleet-'));
    coordinator = await startCoordinator({
      port: 0,
      dataDir,
      logLevel: 'silent',
      heartbeatIntervalMs: 250,
      heartbeatPatience: 3,
      leaseMs: 1500,
      enrollmentRateLimit: { limit: 1000, windowMs: 60_000 },
      restRateLimit: { limit: 100_000, windowMs: 60_000 },
    });
    rest = { url: coordinator.url, apiKey: (await coordinator.createApiKey('virtual-fleet')).key };
    const { token } = await coordinator.createEnrollmentToken({ maxUses: DEVICES });
    fleet = new VirtualFleet({
      server: coordinator.url,
      enrollmentToken: token,
      stateDir: join(dataDir, 'devices'),
      timeScale: TIME_SCALE,
      seed: 7,
      devices: [{ profile: CHURNING_BOARD, count: DEVICES, labels: { group: 'boards' } }],
      progressEverySteps: 4,
    });
    fleet.on('event', (event) => events.push(event));
    await fleet.start();
  });

  afterAll(async () => {
    await fleet?.stop();
    await coordinator?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('should state each device profile facts to the coordinator', async () => {
    const devices = await getJson<{ items?: Array<{ facts?: { memoryBytes: number; deviceModel: string } }> } | Array<{ facts?: { memoryBytes: number; deviceModel: string } }>>(rest, '/api/devices');
    const list = Array.isArray(devices) ? devices : (devices.items ?? []);
    expect(list).toHaveLength(DEVICES);
    expect(list.every((device) => device.facts?.deviceModel === 'test-board' && device.facts.memoryBytes === 4096 * 1024 * 1024)).toBe(true);
  });

  it('should finish every job exactly once through churn, a kill/restart and a partition, with simulated results', async () => {
    // Prepare
    const jobs = await Promise.all(Array.from({ length: JOBS }, (_, index) => postJson<JobSummary>(rest, '/api/jobs', JOB(index))));
    const killed = fleet.device(0);
    const partitioned = fleet.device(1);
    await until(() => events.some((event) => event.kind === 'job-started' && event.deviceIndex === 0), 30_000, 'device 0 to start a job');

    // Execute
    await killed.kill();
    partitioned.partition(30_000); // half a wall second at scale 60
    await new Promise((resolve) => setTimeout(resolve, 300));
    await killed.restart();
    const finished = await waitForJobs(rest, jobs.map((job) => job.id), 60_000).catch(async (error: Error) => {
      const open = (await Promise.all(jobs.map((job) => getJson<JobSummary>(rest, `/api/jobs/${job.id}`)))).filter((job) => job.state !== 'succeeded');
      const holders = open.map((job) => `${job.id} ${job.state} dev=${job.deviceId} att=${job.attempt} ${job.waitingReason} | ` +
        events.filter((event) => event.jobId === job.id).slice(-6).map((event) => `${event.deviceIndex}:${event.kind}:${event.detail ?? ''}`).join(', ') + ' | ' +
        fleet.devices.filter((device) => device.deviceId === job.deviceId).map((device) => `${device.index} ${device.state}`).join());
      throw new Error(`${error.message.slice(0, 80)} OPEN: ${holders.join(' ;; ')}`);
    });

    // Assert
    expect(finished.map((job) => job.state)).toEqual(jobs.map(() => 'succeeded'));
    const results = await Promise.all(jobs.map((job) => getJson<{ simulated: boolean; outcome: number; attempt: number }>(rest, `/api/jobs/${job.id}/result`)));
    expect(results.every((result) => result.simulated === true && result.outcome === 1)).toBe(true);
    // A device that crashed right after sending its result never saw the ack, so acknowledged ⊆ stored: every
    // result a device saw acknowledged is the one the coordinator kept, and none was acknowledged twice.
    const stored = new Map(jobs.map((job, index) => [job.id, results[index]!.attempt]));
    const ackedResults = fleet.devices.flatMap((device) => device.acknowledgedReports()).filter((report) => report.kind === 'JobResult');
    expect(ackedResults.length).toBeGreaterThan(JOBS / 2);
    expect(new Set(ackedResults.map((report) => report.jobId)).size).toBe(ackedResults.length);
    expect(ackedResults.every((report) => stored.get(report.jobId) === report.attempt)).toBe(true);
    const kinds = (index: number) => events.filter((event) => event.deviceIndex === index).map((event) => event.kind);
    expect(kinds(0)).toEqual(expect.arrayContaining(['killed', 'restarted']));
    expect(kinds(0).lastIndexOf('connected')).toBeGreaterThan(kinds(0).indexOf('restarted'));
    expect(kinds(1).lastIndexOf('connected')).toBeGreaterThan(kinds(1).indexOf('partitioned'));
    expect(events.some((event) => event.kind === 'offline')).toBe(true);
  }, 150_000);
});
