// Helpers for federated-round tests: a tiny hand-made model (no TensorFlow.js), a lab over it, and a raw device that
import { expect } from 'vitest';
// plays a client task over the wire (fetch the model, upload an update in pieces, report the result).
import {
  cutIntoBodyChunks,
  expectMessage,
  type DecodedMessage,
  type MessageOf,
} from '../../../protocol/src/index.js';
import {
  decodeSparseSet,
  encodeClientUpdate,
  encodeSparseSet,
  type FederatedClientUpdate,
  type SparseTensorSet,
} from '../../../client/src/engine/federated/index.js';
import type { FederatedJobDto } from '../../../server/src/api/dto/index.js';
import type { FederatedModelLab } from '../../../server/src/index.js';
import { api, request, type TestCoordinator } from '../support/coordinator-harness.js';
import { jobResult, type OnlineDevice } from '../support/job-messages.js';

export const INITIAL_MODEL: SparseTensorSet = {
  tensors: [
    { name: 'fc.weight', kind: 'masked', shape: [2, 3], mask: Uint8Array.from([1, 0, 1, 0, 1, 1]), values: Float32Array.from([0.5, -0.5, 0.25, 1]) },
    { name: 'fc.bias', kind: 'dense', shape: [2], values: Float32Array.from([0, 0]) },
  ],
};

/** Initial model: INITIAL_MODEL; "accuracy": the mean bias, so a test can tell which updates were applied. */
export const testLab: FederatedModelLab = {
  initialModel: async () => encodeSparseSet(INITIAL_MODEL),
  evaluate: async (bytes) => {
    const bias = decodeSparseSet(bytes).tensors.find((tensor) => tensor.name === 'fc.bias')!.values;
    return { accuracy: (bias[0] + bias[1]) / 2, loss: 0, examples: 2 };
  },
};

export const FEDERATED_CONFIG = { model: 'mlp', method: 'static', density: 0.5, data: { name: 'synthetic' } };

export type Assignment = MessageOf<'sparsefleet.v1.JobAssignment'>;

export async function fetchModel(device: OnlineDevice, assignment: Assignment): Promise<SparseTensorSet> {
  const reply = await request(device.socket, 'sparsefleet.v1.FederatedModelFetchRequest', { jobId: assignment.jobId, offset: 0, length: 0 });
  const piece = expectMessage(reply, 'sparsefleet.v1.FederatedModelFetchResponse');
  return decodeSparseSet(piece.data);
}

/** Every value of the global model moved by `delta`, weighted by `examples`, as a full-work delta update. */
export function deltaUpdate(global: SparseTensorSet, round: number, delta: number, examples = 100): FederatedClientUpdate {
  return {
    round,
    examples,
    stepsDone: 10,
    stepsPlanned: 10,
    kind: 'delta',
    tensors: { tensors: global.tensors.map((tensor) => ({ ...tensor, values: tensor.values.map(() => delta) })) },
    metrics: { loss: 1 },
  };
}

/** The update's pieces (small, so an update travels in several). */
export function updatePieces(assignment: Assignment, body: Uint8Array, pieceBytes = 16): MessageOf<'sparsefleet.v1.FederatedUpdateChunk'>[] {
  const task = assignment.spec!.federated!;
  return cutIntoBodyChunks(body, pieceBytes, 1024 * 1024).map((piece) => ({
    jobId: assignment.jobId,
    attempt: assignment.attempt,
    federatedJobId: task.federatedJobId,
    round: task.round,
    clientIndex: task.partition!.clientIndex,
    ...piece,
  }));
}

export async function sendPieces(device: OnlineDevice, pieces: readonly MessageOf<'sparsefleet.v1.FederatedUpdateChunk'>[]): Promise<DecodedMessage[]> {
  const replies: DecodedMessage[] = [];
  for (const piece of pieces) replies.push(await request(device.socket, 'sparsefleet.v1.FederatedUpdateChunk', piece));
  return replies;
}

/** Plays a whole client task: fetch, update by `delta`, upload, result. Returns the update's pieces. */
export async function completeTask(device: OnlineDevice, assignment: Assignment, delta: number): Promise<MessageOf<'sparsefleet.v1.FederatedUpdateChunk'>[]> {
  const global = await fetchModel(device, assignment);
  const body = encodeClientUpdate(deltaUpdate(global, assignment.spec!.federated!.round, delta), { maskReference: global });
  const pieces = updatePieces(assignment, body);
  const replies = await sendPieces(device, pieces);
  expect(replies.at(-1)).toMatchObject({ type: 'sparsefleet.v1.FederatedUpdateAck', message: { complete: true } });
  await request(device.socket, 'sparsefleet.v1.JobResult', jobResult(assignment.jobId, assignment.attempt));
  return pieces;
}

export type FederatedJobBody = FederatedJobDto;

export async function federatedJob(test: TestCoordinator, id: string): Promise<FederatedJobBody> {
  return (await api<FederatedJobBody>(test, 'GET', `/api/federated/${id}`)).body;
}

export async function finalModel(url: string, apiKey: string, id: string): Promise<SparseTensorSet | undefined> {
  const response = await fetch(`${url}/api/federated/${id}/model`, { headers: { authorization: `Bearer ${apiKey}` } });
  if (response.status !== 200) return undefined;
  return decodeSparseSet(new Uint8Array(await response.arrayBuffer()));
}

export function federatedAssignments(device: OnlineDevice): Assignment[] {
  return device.pushes
    .filter((push) => push.type === 'sparsefleet.v1.JobAssignment')
    .map((push) => push.message as Assignment)
    .filter((assignment) => assignment.spec?.federated !== undefined);
}
