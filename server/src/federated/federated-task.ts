// A round's client task on the wire: the federated job's base spec with TrainingJobSpec.federated set, and the
// deterministic choice of which shards (clients) a round trains.
import {
  FederatedMaskMode,
  FederatedPartitionKind,
  type FederatedTask,
  type TrainingJobSpec,
} from '../../../protocol/src/index.js';
import { createRng } from '../../../client/src/engine/spec.js';
import type { FederatedJobSpec } from './federated-spec.js';

const MASK_MODES: Readonly<Record<FederatedJobSpec['maskMode'], FederatedMaskMode>> = {
  fixed: FederatedMaskMode.FEDERATED_MASK_MODE_FIXED,
  consensus: FederatedMaskMode.FEDERATED_MASK_MODE_CONSENSUS,
  method: FederatedMaskMode.FEDERATED_MASK_MODE_METHOD,
};

export interface ClientTaskInput {
  readonly federatedJobId: string;
  readonly round: number;
  readonly clientIndex: number;
  readonly modelBytes: number;
  readonly modelChecksum: number;
  readonly deadline: Date;
}

export function clientTaskSpec(spec: FederatedJobSpec, input: ClientTaskInput): TrainingJobSpec {
  const federated: FederatedTask = {
    federatedJobId: input.federatedJobId,
    round: input.round,
    partition: {
      kind: spec.partition.kind === 'dirichlet' ? FederatedPartitionKind.FEDERATED_PARTITION_KIND_DIRICHLET : FederatedPartitionKind.FEDERATED_PARTITION_KIND_IID,
      alpha: spec.partition.alpha ?? 0,
      clients: spec.clients,
      clientIndex: input.clientIndex,
      seed: spec.partition.seed,
    },
    localSteps: spec.local.steps ?? 0,
    localEpochs: spec.local.epochs ?? 0,
    maskMode: MASK_MODES[spec.maskMode],
    modelBytes: input.modelBytes,
    modelChecksum: input.modelChecksum,
    updateDtype: spec.updateDtype,
    deadlineUnixMs: input.deadline.getTime(),
    proposalFraction: spec.maskMode === 'consensus' ? spec.consensusFraction : 0,
  };
  return { ...spec.base, federated };
}

/**
 * `count` distinct shards of `clients`, the same for the same (seed, round): a seeded partial Fisher–Yates shuffle
 * (mulberry32), so a restarted coordinator that reopens a round picks the same clients.
 */
export function sampleClients(clients: number, count: number, seed: number, round: number): number[] {
  const order = Array.from({ length: clients }, (_, index) => index);
  const random = createRng((seed ^ Math.imul(round + 1, 0x9e3779b1)) >>> 0);
  const take = Math.min(count, clients);
  for (let i = 0; i < take; i += 1) {
    const j = i + random.int(clients - i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, take);
}
