// The agent's side of a federated client task without a coordinator: the wire task becomes the engine's task, the
// model is fetched in pieces and checked, training stops before the deadline, and the update is cut into pieces.
import { describe, expect, it, vi } from 'vitest';
import {
  FederatedMaskMode,
  FederatedPartitionKind,
  crc32,
  joinBodyChunks,
  type FederatedModelFetchRequest,
  type FederatedTask,
} from '../../protocol/src/index.js';
import { federatedModelFetcher, FederatedModelFetchError } from '../../client/src/agent/federated-model-fetch.js';
import { FederatedTaskRunner, clientTaskOf, DEADLINE_MARGIN_MS } from '../../client/src/agent/federated-task.js';
import { decodeClientUpdate, encodeSparseSet } from '../../client/src/engine/federated/index.js';
import { parseTrainConfig } from '../../client/src/engine/train/config.js';
import { INITIAL_MODEL } from '../server/federated/federated-support.js';
import { plusOneFederatedEngine } from './federated-stand-in.js';

const MODEL_BYTES = encodeSparseSet(INITIAL_MODEL);
const CONFIG = parseTrainConfig({ model: 'mlp', data: { name: 'synthetic' } });

function wireTask(overrides: Partial<FederatedTask> = {}): FederatedTask {
  return {
    federatedJobId: 'fed-1',
    round: 4,
    partition: { kind: FederatedPartitionKind.FEDERATED_PARTITION_KIND_DIRICHLET, alpha: 0.3, clients: 10, clientIndex: 6, seed: 9 },
    localSteps: 0,
    localEpochs: 2,
    maskMode: FederatedMaskMode.FEDERATED_MASK_MODE_CONSENSUS,
    modelBytes: MODEL_BYTES.length,
    modelChecksum: crc32(MODEL_BYTES),
    updateDtype: 'f16',
    deadlineUnixMs: 0,
    proposalFraction: 0.2,
    ...overrides,
  };
}

/** Serves MODEL_BYTES (or `served`) in pieces, recording the requests. */
function servePieces(served = MODEL_BYTES) {
  const requests: FederatedModelFetchRequest[] = [];
  const requestPiece = async (request: FederatedModelFetchRequest) => {
    requests.push(request);
    const data = served.subarray(request.offset, request.offset + request.length);
    return { jobId: request.jobId, round: 4, offset: request.offset, totalBytes: served.length, checksum: crc32(served), data };
  };
  return { requests, requestPiece };
}

describe('federated client task on the agent', () => {
  it('should map the wire task onto the engine task', () => {
    const task = clientTaskOf(wireTask(), CONFIG, INITIAL_MODEL);

    expect(task).toMatchObject({
      federatedJobId: 'fed-1',
      round: 4,
      partition: { kind: 'dirichlet', alpha: 0.3, clients: 10, clientIndex: 6, seed: 9 },
      work: { localEpochs: 2 },
      maskMode: 'consensus',
      proposal: { fraction: 0.2 },
    });
  });

  it('should fetch the model in pieces and refuse bytes that do not match the task', async () => {
    const good = servePieces();
    const other = servePieces(Uint8Array.from(MODEL_BYTES).reverse());

    const expected = { bytes: MODEL_BYTES.length, checksum: crc32(MODEL_BYTES) };

    const bytes = await federatedModelFetcher(good.requestPiece, { pieceBytes: 16 })('task-1', expected, new AbortController().signal);
    const refused = federatedModelFetcher(other.requestPiece, { pieceBytes: 16 })('task-1', expected, new AbortController().signal);

    expect(Buffer.from(bytes).equals(Buffer.from(MODEL_BYTES))).toBe(true);
    expect(good.requests.map((request) => request.offset)).toEqual(Array.from({ length: Math.ceil(MODEL_BYTES.length / 16) }, (_, i) => i * 16));
    await expect(refused).rejects.toThrow(FederatedModelFetchError);
  });

  it('should stop local training before the deadline and cut the update into pieces of the task', async () => {
    // Prepare: a deadline 1 s past the clock: stopWhen is true once the clock passes deadline − margin.
    const engine = plusOneFederatedEngine();
    const runRound = vi.spyOn(engine, 'runClientRound');
    const now = 1_000_000;
    const sut = new FederatedTaskRunner({
      engine,
      fetchModel: federatedModelFetcher(servePieces().requestPiece),
      chunkBytes: 20,
      clock: { now: () => now } as never,
    });

    // Execute
    const outcome = await sut.run({ jobId: 'task-1', attempt: 1, task: wireTask({ deadlineUnixMs: now + DEADLINE_MARGIN_MS - 1 }), config: CONFIG, signal: new AbortController().signal });

    // Assert
    const stopWhen = runRound.mock.calls[0]![2].stopWhen!;
    expect(stopWhen()).toBe(true);
    expect(outcome.chunks.length).toBeGreaterThan(1);
    expect(outcome.chunks.every((chunk) => chunk.jobId === 'task-1' && chunk.federatedJobId === 'fed-1' && chunk.round === 4 && chunk.clientIndex === 6)).toBe(true);
    const body = joinBodyChunks(outcome.chunks);
    const update = decodeClientUpdate(body, { maskReference: INITIAL_MODEL });
    expect(update).toMatchObject({ round: 4, examples: 7, kind: 'delta' });
  });
});
