// A round's byte counters add up its clients' traffic when many updates arrive at once: bytes up = the sum of the
// accepted updates' bodies, bytes down = the sum of the model bytes served (the round closes as the last arrives).
import { afterEach, describe, expect, it } from 'vitest';
import { api, eventually, startTestCoordinator, type TestCoordinator } from '../support/coordinator-harness.js';
import { onlineDevice } from '../support/job-messages.js';
import { FEDERATED_CONFIG, completeTask, federatedAssignments, federatedJob, testLab } from './federated-support.js';

describe('federated round byte counters', () => {
  let test: TestCoordinator | undefined;

  afterEach(async () => {
    await test?.stop();
    test = undefined;
  });

  it('should count every accepted update of a round whose 20 clients upload at once', async () => {
    // Prepare
    test = await startTestCoordinator({ federatedLab: testLab });
    const devices = await Promise.all(Array.from({ length: 20 }, (_, index) => onlineDevice(test!, `d${index}`)));
    const submitted = await api<{ id: string }>(test, 'POST', '/api/federated', { config: FEDERATED_CONFIG, rounds: 1, clients: 20, minClients: 20, roundDeadlineMs: 60_000 });
    const tasks = await Promise.all(devices.map((device) => eventually(async () => federatedAssignments(device)[0])));

    // Execute
    await Promise.all(devices.map((device, index) => completeTask(device, tasks[index]!, 1)));
    const job = await eventually(async () => {
      const view = await federatedJob(test!, submitted.body.id);
      return view.state === 'completed' ? view : undefined;
    });
    const participants = (await api<Array<{ state: string; bytesUp: number; bytesDown: number }>>(test, 'GET', `/api/federated/${submitted.body.id}/participants?round=0`)).body;

    // Assert
    expect(job.rounds[0]!.applied).toBe(20);
    expect(participants.filter((p) => p.state === 'updated')).toHaveLength(20);
    expect(job.rounds[0]!.bytesUp).toBe(participants.reduce((sum, p) => sum + p.bytesUp, 0));
    expect(job.rounds[0]!.bytesDown).toBe(participants.reduce((sum, p) => sum + p.bytesDown, 0));
  });
});
