// A federated round survives a coordinator restart: the update accepted before the restart is applied once, the
// client still out after it reconnects and finishes, and the round closes with both (state in the database).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCoordinator, type RunningCoordinator } from '../../../server/src/coordinator.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { TEST_FACTS, connect, eventually, request, type TestCoordinator } from '../support/coordinator-harness.js';
import { onlineDevice, recordPushes, type OnlineDevice } from '../support/job-messages.js';
import { FEDERATED_CONFIG, completeTask, federatedAssignments, federatedJob, finalModel, testLab } from './federated-support.js';

describe('federated rounds across a coordinator restart', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sparsefleet-fed-restart-'));
  let database: TestDatabase;
  const running: RunningCoordinator[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    for (const coordinator of running) await coordinator.close();
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<TestCoordinator> {
    const coordinator = await startCoordinator({ port: 0, dataDir, databaseUrl: database.databaseUrl, logLevel: 'silent', federatedLab: testLab });
    running.push(coordinator);
    const { key } = await coordinator.createApiKey('fed-restart');
    return { coordinator, dataDir, databaseUrl: database.databaseUrl, apiKey: key, stop: () => coordinator.close() };
  }

  it('should resume an open round after a restart and apply each update once', async () => {
    // Prepare: a 1-round job with 2 clients, both needed; a finishes before the restart, b has only its task.
    const first = await start();
    const a = await onlineDevice(first, 'a');
    const b = await onlineDevice(first, 'b');
    const submitted = await fetch(`${first.coordinator.url}/api/federated`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ config: FEDERATED_CONFIG, rounds: 1, clients: 2, minClients: 2, roundDeadlineMs: 60_000 }),
    });
    const { id } = (await submitted.json()) as { id: string };
    const [aTask, bTask] = await Promise.all([a, b].map((device) => eventually(async () => federatedAssignments(device)[0])));
    await completeTask(a, aTask, 1);
    a.socket.close();
    b.socket.close();
    await first.coordinator.close();

    // Execute: a new coordinator on the same state; b reconnects holding its task and finishes it.
    const second = await start();
    const socket = await connect(second.coordinator.url, { deviceId: b.deviceId, credential: b.credential });
    const pushes = recordPushes(socket);
    await request(socket, 'sparsefleet.v1.HelloRequest', { facts: TEST_FACTS, runningJobIds: [bTask.jobId] });
    const bAgain: OnlineDevice = { ...b, socket, pushes };
    await completeTask(bAgain, bTask, 3);
    const job = await eventually(async () => {
      const view = await federatedJob(second, id);
      return view.state === 'completed' ? view : undefined;
    });
    const model = await finalModel(second.coordinator.url, second.apiKey, id);
    socket.close();

    // Assert: FedAvg of a's +1 and b's +3 (equal examples) moves the bias by 2.
    expect(job.rounds[0]).toMatchObject({ state: 'closed', applied: 2 });
    expect([...(model?.tensors.find((t) => t.name === 'fc.bias')?.values ?? [])]).toEqual([2, 2]);
  });
});
