// The in-process federated driver of bench:federated: every round, every client runs runClientRound on the engine
// from the current global model, its update travels through the real encoding (its byte count is what is
// reported), is decoded, validated and aggregated; the new global model is evaluated on the held-out split.
// This is the algorithm and its bytes, not the coordinator's path (rounds over the wire are the coordinator's).
import type { Dataset } from '../../client/src/engine/data/index.js';
import {
  aggregateRound,
  createInitialModel,
  decodeClientUpdate,
  decodeSparseSet,
  encodeClientUpdate,
  encodeSparseSet,
  evaluateModel,
  maskedDensity,
  runClientRound,
  validateUpdate,
  type FederatedClientUpdate,
  type MaskMode,
  type PartitionSpec,
  type ServerOptimizerState,
  type SparseTensorSet,
  type ValueDtype,
} from '../../client/src/engine/federated/index.js';
import type { TrainConfig } from '../../client/src/engine/train/config.js';

export interface VariantPlan {
  readonly variant: string;
  readonly config: TrainConfig;
  readonly maskMode: MaskMode;
  readonly rounds: number;
  readonly clients: number;
  readonly partition: Omit<PartitionSpec, 'clientIndex' | 'clients'>;
  readonly localEpochs: number;
  readonly uploadDtype: ValueDtype;
  /** Consensus: share of each layer's active weights swapped in round r: fraction × (1 + cos(π r / rounds)) / 2. */
  readonly consensusFraction?: number;
}

export interface RoundRecord {
  readonly variant: string;
  /** Rounds completed (0: the initial model, nothing sent yet). */
  readonly round: number;
  readonly clients: number;
  readonly testAccuracy: number;
  readonly testLoss: number;
  readonly trainLoss: number;
  readonly density: number;
  readonly swapped: number;
  readonly roundUploadBytes: number;
  readonly roundDownloadBytes: number;
  readonly uploadBytes: number;
  readonly downloadBytes: number;
  /** Dense float32 bytes of one full model (the per-client baseline of an upload). */
  readonly denseModelBytes: number;
  readonly wallMs: number;
}

export interface Data {
  readonly train: Dataset;
  readonly test: Dataset;
}

export async function runVariant(plan: VariantPlan, data: Data, progress: (line: string) => void): Promise<RoundRecord[]> {
  const started = performance.now();
  const context = { train: data.train };
  let global: SparseTensorSet = await createInitialModel(plan.config, context);
  const denseModelBytes = global.tensors.reduce((sum, tensor) => sum + 4 * tensor.shape.reduce((product, dim) => product * dim, 1), 0);
  let serverState: ServerOptimizerState | undefined;
  let uploadBytes = 0;
  let downloadBytes = 0;
  const initial = await evaluateModel(global, plan.config, data.test);
  const records: RoundRecord[] = [
    { variant: plan.variant, round: 0, clients: plan.clients, testAccuracy: initial.accuracy, testLoss: initial.loss, trainLoss: Number.NaN, density: maskedDensity(global), swapped: 0, roundUploadBytes: 0, roundDownloadBytes: 0, uploadBytes: 0, downloadBytes: 0, denseModelBytes, wallMs: Math.round(performance.now() - started) },
  ];
  for (let round = 0; round < plan.rounds; round++) {
    const down = encodeSparseSet(global);
    const received = decodeSparseSet(down);
    const fraction = (plan.consensusFraction ?? 0) * (1 + Math.cos((Math.PI * round) / plan.rounds)) / 2;
    const updates: FederatedClientUpdate[] = [];
    let roundUploadBytes = 0;
    for (let client = 0; client < plan.clients; client++) {
      const update = await runClientRound(
        {
          federatedJobId: plan.variant,
          round,
          config: plan.config,
          partition: { ...plan.partition, clients: plan.clients, clientIndex: client },
          work: { localEpochs: plan.localEpochs },
          global: received,
          maskMode: plan.maskMode,
          proposal: { fraction },
        },
        context,
      );
      const bytes = encodeClientUpdate(update, { dtype: plan.uploadDtype, maskReference: received });
      roundUploadBytes += bytes.length;
      const decoded = decodeClientUpdate(bytes, { maskReference: global });
      const problem = validateUpdate(global, decoded, { maskMode: plan.maskMode, round });
      if (problem !== null) throw new Error(`${plan.variant} round ${round} client ${client}: ${problem.message}`);
      updates.push(decoded);
    }
    const result = aggregateRound(global, updates, { maskMode: plan.maskMode, serverState, consensus: { fraction } });
    global = result.model;
    serverState = result.serverState;
    uploadBytes += roundUploadBytes;
    downloadBytes += down.length * plan.clients;
    const evaluation = await evaluateModel(global, plan.config, data.test);
    const record: RoundRecord = {
      variant: plan.variant,
      round: round + 1,
      clients: plan.clients,
      testAccuracy: evaluation.accuracy,
      testLoss: evaluation.loss,
      trainLoss: result.stats.meanLoss,
      density: result.stats.density,
      swapped: result.maskChanges.reduce((sum, change) => sum + change.pruned.length, 0),
      roundUploadBytes,
      roundDownloadBytes: down.length * plan.clients,
      uploadBytes,
      downloadBytes,
      denseModelBytes,
      wallMs: Math.round(performance.now() - started),
    };
    records.push(record);
    progress(
      `${plan.variant} round ${record.round}/${plan.rounds}: test ${(record.testAccuracy * 100).toFixed(2)} %, ` +
        `up ${(roundUploadBytes / 1e6).toFixed(2)} MB, swapped ${record.swapped}, ${(record.wallMs / 1000).toFixed(1)} s`,
    );
  }
  return records;
}
