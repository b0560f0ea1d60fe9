// Messages between the coordinator's thread and the federated evaluation worker (plain structured-clone objects).
import type { TrainingJobSpec } from '../../protocol/src/index.js';
import type { FederatedModelEvaluation } from '../../server/src/index.js';

export interface EvaluationRequest {
  readonly id: number;
  readonly model: Uint8Array;
  readonly base: TrainingJobSpec;
}

export type EvaluationReply =
  | ({ readonly id: number; readonly ok: true } & FederatedModelEvaluation)
  | { readonly id: number; readonly ok: false; readonly error: string };
