// State survives a restart on the same data dir: credentials stay valid, devices start offline, queued work resumes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectMessage } from '../../protocol/src/index.js';
import { startCoordinator, type RunningCoordinator } from '../../server/src/coordinator.js';
import { TEST_FACTS, connect, nextPush, request } from './support/coordinator-harness.js';

describe(startCoordinator.name, () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sparsefleet-restart-'));
  const running: RunningCoordinator[] = [];

  afterAll(async () => {
    for (const coordinator of running) await coordinator.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<RunningCoordinator> {
    const coordinator = await startCoordinator({ port: 0, dataDir, logLevel: 'silent' });
    running.push(coordinator);
    return coordinator;
  }

  it('should keep devices and queued jobs across a restart', async () => {
    // Prepare: enroll a device, then queue a job while it is away, then stop.
    const first = await start();
    const { token } = await first.createEnrollmentToken();
    const enrolling = await connect(first.url, { enrollmentToken: token });
    const enrolled = expectMessage(
      await request(enrolling, 'sparsefleet.v1.EnrollRequest', { facts: TEST_FACTS, displayName: 'survivor' }),
      'sparsefleet.v1.EnrollResponse',
    );
    enrolling.close();
    const response = await fetch(`${first.url}/api/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ config: { model: 'mlp', maxSteps: 1 } }),
    });
    const job = (await response.json()) as { id: string };
    await first.close();

    // Execute
    const second = await start();
    const devicesAtStart = (await (await fetch(`${second.url}/api/devices`)).json()) as Array<{ id: string; state: string }>;
    const socket = await connect(second.url, { deviceId: enrolled.deviceId, credential: enrolled.credential });
    const pushed = nextPush(socket);
    await request(socket, 'sparsefleet.v1.HelloRequest', { facts: TEST_FACTS, runningJobIds: [] });
    const assignment = expectMessage(await pushed, 'sparsefleet.v1.JobAssignment');
    socket.close();

    // Assert
    expect(devicesAtStart).toEqual([expect.objectContaining({ id: enrolled.deviceId, state: 'offline' })]);
    expect(assignment).toMatchObject({ jobId: job.id, attempt: 1 });
  });
});
