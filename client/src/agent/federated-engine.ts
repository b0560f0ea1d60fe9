// The slice of the engine's federated side the agent uses (client/src/engine/federated/), as an interface so the
// job runner can be tested without TensorFlow.js. The real one is loaded on first use.
import type { TrainConfig } from '../engine/train/config.js';
import type {
  ClientRoundOptions,
  EncodeOptions,
  FederatedClientTask,
  FederatedClientUpdate,
  FederatedEngineContext,
  SparseTensorSet,
} from '../engine/federated/contract.js';

export interface FederatedEngine {
  /** The training split every client of a job loads alike (the partition indexes into it). */
  loadContext(config: TrainConfig): Promise<FederatedEngineContext>;
  runClientRound(task: FederatedClientTask, context: FederatedEngineContext, options: ClientRoundOptions): Promise<FederatedClientUpdate>;
  decodeModel(bytes: Uint8Array): Promise<SparseTensorSet>;
  encodeUpdate(update: FederatedClientUpdate, options: EncodeOptions): Promise<Uint8Array>;
}

/** The engine in this process (or worker), imported when the first federated task runs. */
export const localFederatedEngine: FederatedEngine = {
  loadContext: async (config) => (await engineFederated()).loadFederatedData(config),
  runClientRound: async (task, context, options) => (await engineFederated()).runClientRound(task, context, options),
  decodeModel: async (bytes) => (await engineFederated()).decodeSparseSet(bytes),
  encodeUpdate: async (update, options) => (await engineFederated()).encodeClientUpdate(update, options),
};

type EngineFederatedModule = typeof import('../engine/federated/index.js');
let loaded: EngineFederatedModule | undefined;

async function engineFederated(): Promise<EngineFederatedModule> {
  loaded ??= await import('../engine/federated/index.js');
  return loaded;
}

