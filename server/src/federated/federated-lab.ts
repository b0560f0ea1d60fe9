// What the coordinator needs from the engine that is not pure algebra: the seeded initial model of a job's base
// config, and the held-out accuracy of a global model. Both need TensorFlow.js, which the coordinator does not import
// (it imports only the engine's spec entry); whoever starts the coordinator in a process with the engine passes an
// implementation (`sparsefleet serve` does, with cli/src/federated-lab.ts). Without one, federated jobs are refused.
import type { TrainingJobSpec } from '../../../protocol/src/index.js';

export interface FederatedModelEvaluation {
  readonly accuracy: number;
  readonly loss: number;
  readonly examples: number;
}

/** One client's shard of the training split: its size and how many examples of each label it holds. */
export interface FederatedShardSummary {
  readonly clientIndex: number;
  readonly examples: number;
  readonly labelCounts: readonly number[];
}

export interface FederatedPartitionPlan {
  readonly kind: 'iid' | 'dirichlet';
  readonly alpha?: number;
  readonly clients: number;
  readonly seed: number;
}

export interface FederatedModelLab {
  /** The engine's encoded sparse tensor set (f32) of the model `base` starts from: seeded weights and masks. */
  initialModel(base: TrainingJobSpec): Promise<Uint8Array>;
  /** Accuracy and loss of an encoded global model on the held-out split of `base`'s data. */
  evaluate(model: Uint8Array, base: TrainingJobSpec): Promise<FederatedModelEvaluation>;
  /** Every client's shard as the engine's partition cuts `base`'s training split (shown in the job view). */
  describeShards?(base: TrainingJobSpec, partition: FederatedPartitionPlan): Promise<FederatedShardSummary[]>;
  /** Releases what the lab holds (an evaluation worker) when the coordinator stops; evaluations still out fail. */
  close?(): Promise<void>;
}
