// Federated rounds on the coordinator (issue 18), with raw devices playing client tasks over the wire: rounds close
// at K updates with a client dropped mid-round, late and resent updates are never applied twice, a malformed or
// wrong-shape update is refused with a protocol error and leaves the round's model unchanged.
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, type DecodedMessage } from '../../../protocol/src/index.js';
import { encodeClientUpdate, type SparseTensorSet } from '../../../client/src/engine/federated/index.js';
import { api, connect, eventually, request, startTestCoordinator, TEST_FACTS, type TestCoordinator } from '../support/coordinator-harness.js';
import { errorCodeOf, onlineDevice, type OnlineDevice } from '../support/job-messages.js';
import {
  FEDERATED_CONFIG,
  completeTask,
  deltaUpdate,
  federatedAssignments,
  federatedJob,
  fetchModel,
  finalModel,
  sendPieces,
  testLab,
  updatePieces,
} from './federated-support.js';

function biasOf(model: SparseTensorSet | undefined): number[] {
  return [...(model?.tensors.find((tensor) => tensor.name === 'fc.bias')?.values ?? [])];
}

describe('federated rounds', () => {
  let test: TestCoordinator | undefined;

  afterEach(async () => {
    await test?.stop();
    test = undefined;
  });

  it('should complete 3 rounds when a client is lost mid-round, and never apply its late update or a resent one', async () => {
    // Prepare: 3 devices; K = 2 of 3 clients, all 3 selected each round.
    test = await startTestCoordinator({ federatedLab: testLab });
    const devices = [await onlineDevice(test, 'a'), await onlineDevice(test, 'b'), await onlineDevice(test, 'c')];
    const submitted = await api<{ id: string }>(test, 'POST', '/api/federated', {
      config: FEDERATED_CONFIG,
      rounds: 3,
      clients: 3,
      fraction: 0.6,
      minClients: 2,
      overSelect: 1.5,
      local: { steps: 10 },
      roundDeadlineMs: 60_000,
    });
    expect(submitted.status).toBe(201);
    const id = submitted.body.id;
    const [a, b, c] = devices;
    const first = await Promise.all(devices.map((device) => eventually(async () => federatedAssignments(device)[0])));

    // Execute: round 0. c fetches the model and sends part of its update, then is lost; a and b finish.
    const cGlobal = await fetchModel(c, first[2]);
    const cPieces = updatePieces(first[2], encodeClientUpdate(deltaUpdate(cGlobal, 0, 100), { maskReference: cGlobal }));
    await sendPieces(c, cPieces.slice(0, 1));
    c.socket.close();
    const aPieces = await completeTask(a, first[0], 1);
    await completeTask(b, first[1], 1);
    await eventually(async () => ((await federatedJob(test!, id)).rounds[0]?.state === 'closed' ? true : undefined));
    // c comes back and sends the rest of its update; a resends its last piece.
    const cAgain = await connect(test.coordinator.url, { deviceId: c.deviceId, credential: c.credential });
    await request(cAgain, 'sparsefleet.v1.HelloRequest', { facts: TEST_FACTS, runningJobIds: [] });
    const late: DecodedMessage[] = [];
    for (const piece of cPieces.slice(1)) late.push(await request(cAgain, 'sparsefleet.v1.FederatedUpdateChunk', piece));
    const resent = await sendPieces(a, aPieces.slice(-1));
    cAgain.close();
    // Rounds 1 and 2 with a and b.
    for (const round of [1, 2]) {
      const tasks = await Promise.all(
        [a, b].map((device) => eventually(async () => federatedAssignments(device).find((task) => task.spec!.federated!.round === round))),
      );
      await Promise.all(tasks.map((task, index) => completeTask([a, b][index], task, 1)));
    }
    const job = await eventually(async () => {
      const view = await federatedJob(test!, id);
      return view.state === 'completed' && view.rounds.every((round) => round.accuracy !== null) ? view : undefined;
    });
    const model = await finalModel(test.coordinator.url, test.apiKey, id);

    // Assert
    expect(late.map(errorCodeOf)).toEqual(late.map(() => ErrorCode.ERROR_CODE_ATTEMPT_ENDED));
    expect(resent[0]).toMatchObject({ type: 'sparsefleet.v1.FederatedUpdateAck', message: { complete: true } });
    expect(job.rounds.map((round) => [round.round, round.state, round.applied])).toEqual([
      [0, 'closed', 2],
      [1, 'closed', 2],
      [2, 'closed', 2],
    ]);
    expect(job.rounds[0].selected).toBe(3);
    // FedAvg with lr 1: each round adds the mean delta (1) to the bias; c's 100 was never applied.
    expect(biasOf(model)).toEqual([3, 3]);
    expect(job.rounds.map((round) => round.accuracy)).toEqual([1, 2, 3]);
    expect(job.rounds.every((round) => round.bytesUp > 0 && round.bytesDown > 0)).toBe(true);
    const participants = (await api<Array<{ round: number; deviceId: string; state: string }>>(test, 'GET', `/api/federated/${id}/participants?round=0`)).body;
    expect(participants.find((p) => p.deviceId === c.deviceId)?.state).toBe('late');
  });

  it('should refuse a malformed or wrong-shape update with a protocol error and leave the round\'s model unchanged', async () => {
    // Prepare: a 1-round job with 3 clients, all selected.
    test = await startTestCoordinator({ federatedLab: testLab });
    const devices: OnlineDevice[] = [await onlineDevice(test, 'good'), await onlineDevice(test, 'garbage'), await onlineDevice(test, 'skewed')];
    const { body } = await api<{ id: string }>(test, 'POST', '/api/federated', {
      config: FEDERATED_CONFIG,
      rounds: 1,
      clients: 3,
      minClients: 3,
      roundDeadlineMs: 60_000,
    });
    const [goodTask, garbageTask, skewedTask] = await Promise.all(devices.map((device) => eventually(async () => federatedAssignments(device)[0])));
    const [good, garbage, skewed] = devices;

    // Execute: bytes that are no update; an update whose bias has the wrong shape; then a good update.
    const garbageReplies = await sendPieces(garbage, updatePieces(garbageTask, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), 4));
    const global = await fetchModel(skewed, skewedTask);
    const update = deltaUpdate(global, 0, 50);
    const wrongShape = {
      ...update,
      tensors: { tensors: update.tensors.tensors.map((t) => (t.name === 'fc.bias' ? { ...t, shape: [3], values: Float32Array.from([50, 50, 50]) } : t)) },
    };
    const skewedReplies = await sendPieces(skewed, updatePieces(skewedTask, encodeClientUpdate(wrongShape)));
    const retry = await sendPieces(skewed, updatePieces(skewedTask, encodeClientUpdate(update, { maskReference: global })));
    await completeTask(good, goodTask, 2);
    const job = await eventually(async () => {
      const view = await federatedJob(test!, body.id);
      return view.state === 'completed' ? view : undefined;
    });
    const model = await finalModel(test.coordinator.url, test.apiKey, body.id);
    const participants = (await api<Array<{ deviceId: string; state: string; reason: string | null }>>(test, 'GET', `/api/federated/${body.id}/participants`)).body;

    // Assert
    expect(errorCodeOf(garbageReplies.at(-1)!)).toBe(ErrorCode.ERROR_CODE_INVALID_PAYLOAD);
    expect(errorCodeOf(skewedReplies.at(-1)!)).toBe(ErrorCode.ERROR_CODE_INVALID_PAYLOAD);
    expect(errorCodeOf(retry[0])).toBe(ErrorCode.ERROR_CODE_ATTEMPT_ENDED);
    expect(participants.find((p) => p.deviceId === skewed.deviceId)).toMatchObject({ state: 'rejected', reason: expect.stringMatching(/shape/) });
    expect(job.rounds[0]).toMatchObject({ state: 'closed', applied: 1 });
    expect(biasOf(model)).toEqual([2, 2]);
  });
});
