// A stand-in for the engine's federated side (no TensorFlow.js): its client round moves every value of the global
// model by +1 and weighs the update by the client's shard index + 1, so any FedAvg of its updates moves the model by
// exactly +1 per round. `hang` makes the round never end (until aborted): a device lost mid-round.
import type { FederatedEngine } from '../../client/src/agent/federated-engine.js';
import type { TrainingEngine } from '../../client/src/agent/training-engine.js';
import { decodeSparseSet, encodeClientUpdate, type FederatedClientTask } from '../../client/src/engine/federated/index.js';
import type { Dataset } from '../../client/src/engine/data/types.js';
import { FakeEngine } from './fake-engine.js';

export function plusOneFederatedEngine(options: { readonly hang?: boolean; readonly seen?: FederatedClientTask[] } = {}): FederatedEngine {
  return {
    loadContext: async () => ({ train: {} as Dataset }),
    runClientRound: async (task, _context, { signal }) => {
      options.seen?.push(task);
      if (options.hang) await new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
      return {
        round: task.round,
        examples: task.partition.clientIndex + 1,
        stepsDone: 5,
        stepsPlanned: 5,
        kind: 'delta',
        tensors: { tensors: task.global.tensors.map((tensor) => ({ ...tensor, values: tensor.values.map(() => 1) })) },
        metrics: { loss: 0.5 },
      };
    },
    decodeModel: async (bytes) => decodeSparseSet(bytes),
    encodeUpdate: async (update, encodeOptions) => encodeClientUpdate(update, encodeOptions),
  };
}

/** The agent's fake training engine with the stand-in federated side. */
export function engineWithPlusOneRounds(options: Parameters<typeof plusOneFederatedEngine>[0] = {}): TrainingEngine {
  return Object.assign(new FakeEngine(), { federated: plusOneFederatedEngine(options) });
}
