// State survives a restart on the same data dir: credentials stay valid, devices start offline, queued work resumes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectMessage } from '../../protocol/src/index.js';
import { startCoordinator, type CoordinatorOptions, type RunningCoordinator } from '../../server/src/coordinator.js';
import { TEST_FACTS, connect, nextPush, request } from './support/coordinator-harness.js';
import { FleetSweeper } from '../../server/src/jobs/fleet-sweeper.service.js';
import { acceptNextJob, jobResult, progressReport } from './support/job-messages.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe(startCoordinator.name, () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sparsefleet-restart-'));
  const running: RunningCoordinator[] = [];

  const leaseDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sparsefleet-restart-lease-'));
  // One database per data dir (PostgreSQL project; SQLite keeps its file in the data dir).
  let database: TestDatabase;
  let leaseDatabase: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    leaseDatabase = await createTestDatabase();
  });

  afterAll(async () => {
    for (const coordinator of running) await coordinator.close();
    await database.drop();
    await leaseDatabase.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(leaseDataDir, { recursive: true, force: true });
  });

  async function start(options: Partial<CoordinatorOptions> = {}): Promise<RunningCoordinator> {
    const { databaseUrl } = options.dataDir === leaseDataDir ? leaseDatabase : database;
    const coordinator = await startCoordinator({ port: 0, dataDir, databaseUrl, logLevel: 'silent', ...options });
    running.push(coordinator);
    return coordinator;
  }

  it('should keep devices and queued jobs across a restart', async () => {
    // Prepare: enroll a device, then queue a job while it is away, then stop.
    const first = await start();
    const { key } = await first.createApiKey('restart-test');
    const auth = { authorization: `Bearer ${key}` };
    const { token } = await first.createEnrollmentToken();
    const enrolling = await connect(first.url, { enrollmentToken: token });
    const enrolled = expectMessage(
      await request(enrolling, 'sparsefleet.v1.EnrollRequest', { facts: TEST_FACTS, displayName: 'survivor' }),
      'sparsefleet.v1.EnrollResponse',
    );
    enrolling.close();
    const response = await fetch(`${first.url}/api/jobs`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ config: { model: 'mlp', maxSteps: 1 } }),
    });
    const job = (await response.json()) as { id: string };
    await first.close();

    // Execute
    const second = await start();
    const devicesAtStart = (await (await fetch(`${second.url}/api/devices`, { headers: auth })).json()) as Array<{ id: string; state: string }>;
    const socket = await connect(second.url, { deviceId: enrolled.deviceId, credential: enrolled.credential });
    const pushed = nextPush(socket);
    await request(socket, 'sparsefleet.v1.HelloRequest', { facts: TEST_FACTS, runningJobIds: [] });
    const assignment = expectMessage(await pushed, 'sparsefleet.v1.JobAssignment');
    socket.close();

    // Assert
    expect(devicesAtStart).toEqual([expect.objectContaining({ id: enrolled.deviceId, state: 'offline' })]);
    expect(assignment).toMatchObject({ jobId: job.id, attempt: 1 });
  });

  it('should give jobs held across a restart a fresh lease, so their device can reconnect and keep them', async () => {
    // Prepare: a device runs a job under a 300 ms lease, then the coordinator stops for longer than that.
    const first = await start({ leaseMs: 300, dataDir: leaseDataDir });
    const { key } = await first.createApiKey('restart-lease');
    const { token } = await first.createEnrollmentToken();
    const enrolling = await connect(first.url, { enrollmentToken: token });
    const enrolled = expectMessage(
      await request(enrolling, 'sparsefleet.v1.EnrollRequest', { facts: TEST_FACTS, displayName: 'steady' }),
      'sparsefleet.v1.EnrollResponse',
    );
    const pushed = acceptNextJob(enrolling);
    await request(enrolling, 'sparsefleet.v1.HelloRequest', { facts: TEST_FACTS, runningJobIds: [] });
    await fetch(`${first.url}/api/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ config: { model: 'mlp', maxSteps: 1 } }),
    });
    const { jobId } = await pushed;
    await request(enrolling, 'sparsefleet.v1.ProgressReport', progressReport(jobId, 1, 1));
    enrolling.close();
    await first.close();
    await new Promise((resolve) => setTimeout(resolve, 350));

    // Execute
    const second = await start({ leaseMs: 10_000, dataDir: leaseDataDir });
    // A sweep before the device is back: without the fresh lease it would requeue the job now.
    await second.app.get(FleetSweeper).sweep();
    const socket = await connect(second.url, { deviceId: enrolled.deviceId, credential: enrolled.credential });
    await request(socket, 'sparsefleet.v1.HelloRequest', { facts: TEST_FACTS, runningJobIds: [jobId] });
    const progress = await request(socket, 'sparsefleet.v1.ProgressReport', progressReport(jobId, 1, 2));
    const done = await request(socket, 'sparsefleet.v1.JobResult', jobResult(jobId, 1));
    socket.close();
    const job = (await (await fetch(`${second.url}/api/jobs/${jobId}`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
      state: string;
      attempt: number;
    };

    // Assert
    expect(progress.type).toBe('sparsefleet.v1.Ack');
    expect(done.type).toBe('sparsefleet.v1.Ack');
    expect(job).toMatchObject({ state: 'succeeded', attempt: 1 });
  });
});
