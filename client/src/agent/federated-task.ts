// One federated client task (TrainingJobSpec.federated): fetch the round's global model, train on this client's
// shard with the engine's runClientRound (stopping early with partial work when the round's deadline is near), and
// cut the encoded update into FederatedUpdateChunk pieces for the outbox. The training split is loaded once per
// data config and reused by later rounds.
import {
  FederatedMaskMode,
  FederatedPartitionKind,
  MAX_MASK_CHUNK_BYTES,
  DEFAULT_MASK_CHUNK_BYTES,
  cutIntoBodyChunks,
  type FederatedTask,
  type FederatedUpdateChunk,
} from '../../../protocol/src/index.js';
import type { FederatedClientTask, FederatedClientUpdate, FederatedEngineContext, MaskMode, SparseTensorSet, ValueDtype } from '../engine/federated/contract.js';
import type { TrainConfig } from '../engine/train/config.js';
import type { TrainProgress } from '../engine/train/types.js';
import { realClock, type Clock } from './clock.js';
import type { FederatedEngine } from './federated-engine.js';
import type { FederatedModelFetcher } from './federated-model-fetch.js';

/** Local training stops this long before the round's deadline, leaving time to upload the partial update. */
export const DEADLINE_MARGIN_MS = 2_000;

export interface FederatedTaskRunnerOptions {
  readonly engine: FederatedEngine;
  readonly fetchModel: FederatedModelFetcher;
  /** Update piece size (default 512 KiB, at most 1 MiB). */
  readonly chunkBytes?: number;
  readonly clock?: Clock;
}

export interface FederatedTaskInput {
  readonly jobId: string;
  readonly attempt: number;
  readonly task: FederatedTask;
  readonly config: TrainConfig;
  readonly signal: AbortSignal;
  readonly onProgress?: (progress: { readonly step: number; readonly totalSteps: number; readonly loss: number }) => void;
}

export interface FederatedTaskOutcome {
  readonly update: FederatedClientUpdate;
  readonly chunks: FederatedUpdateChunk[];
  readonly modelBytes: number;
}

const MASK_MODES: Readonly<Record<number, MaskMode>> = {
  [FederatedMaskMode.FEDERATED_MASK_MODE_UNSPECIFIED]: 'fixed',
  [FederatedMaskMode.FEDERATED_MASK_MODE_FIXED]: 'fixed',
  [FederatedMaskMode.FEDERATED_MASK_MODE_CONSENSUS]: 'consensus',
  [FederatedMaskMode.FEDERATED_MASK_MODE_METHOD]: 'method',
};

export class FederatedTaskRunner {
  private context: { readonly key: string; readonly value: Promise<FederatedEngineContext> } | undefined;

  constructor(private readonly options: FederatedTaskRunnerOptions) {}

  async run(input: FederatedTaskInput): Promise<FederatedTaskOutcome> {
    const { task, signal } = input;
    const modelBytes = await this.options.fetchModel(input.jobId, { bytes: task.modelBytes, checksum: task.modelChecksum }, signal);
    const global = await this.options.engine.decodeModel(modelBytes);
    const context = await this.contextFor(input.config);
    signal.throwIfAborted();
    const clock = this.options.clock ?? realClock;
    const stopAt = task.deadlineUnixMs > 0 ? task.deadlineUnixMs - DEADLINE_MARGIN_MS : Number.POSITIVE_INFINITY;
    const update = await this.options.engine.runClientRound(clientTaskOf(task, input.config, global), context, {
      signal,
      stopWhen: () => clock.now() >= stopAt,
      ...(input.onProgress ? { onProgress: input.onProgress } : {}),
    });
    const body = await this.options.engine.encodeUpdate(update, { dtype: dtypeOf(task.updateDtype), maskReference: global });
    const chunkBytes = Math.max(1, Math.min(this.options.chunkBytes ?? DEFAULT_MASK_CHUNK_BYTES, MAX_MASK_CHUNK_BYTES));
    const chunks = cutIntoBodyChunks(body, chunkBytes, MAX_MASK_CHUNK_BYTES).map((piece) => ({
      jobId: input.jobId,
      attempt: input.attempt,
      federatedJobId: task.federatedJobId,
      round: task.round,
      clientIndex: task.partition?.clientIndex ?? 0,
      ...piece,
    }));
    return { update, chunks, modelBytes: modelBytes.length };
  }

  /** Loads the training split once per data config (every round of a job uses the same one). */
  private contextFor(config: TrainConfig): Promise<FederatedEngineContext> {
    const key = JSON.stringify(config.data);
    if (this.context?.key !== key) {
      const value = this.options.engine.loadContext(config);
      this.context = { key, value };
      value.catch(() => {
        if (this.context?.value === value) this.context = undefined;
      });
    }
    return this.context.value;
  }
}

/** The engine's task from the wire task. */
export function clientTaskOf(task: FederatedTask, config: TrainConfig, global: SparseTensorSet): FederatedClientTask {
  const partition = task.partition;
  if (!partition) throw new Error('the federated task names no partition');
  const dirichlet = partition.kind === FederatedPartitionKind.FEDERATED_PARTITION_KIND_DIRICHLET;
  const maskMode = MASK_MODES[task.maskMode];
  if (maskMode === undefined) throw new Error(`unknown federated mask mode ${task.maskMode}`);
  return {
    federatedJobId: task.federatedJobId,
    round: task.round,
    config,
    partition: {
      kind: dirichlet ? 'dirichlet' : 'iid',
      ...(dirichlet ? { alpha: partition.alpha } : {}),
      clients: partition.clients,
      clientIndex: partition.clientIndex,
      seed: partition.seed,
    },
    work: task.localSteps > 0 ? { localSteps: task.localSteps } : { localEpochs: Math.max(1, task.localEpochs) },
    global,
    maskMode,
    ...(maskMode === 'consensus' && task.proposalFraction > 0 ? { proposal: { fraction: task.proposalFraction } } : {}),
  };
}

function dtypeOf(name: string): ValueDtype {
  if (name === 'f16' || name === 'int8') return name;
  return 'f32';
}

/** A client round's progress as the task job's progress (one epoch, phase training; the rest is not measured). */
export function roundProgress(progress: { readonly step: number; readonly totalSteps: number; readonly loss: number }, plannedSteps: number, elapsedMs: number): TrainProgress {
  return {
    epoch: 0,
    step: progress.step,
    totalSteps: progress.totalSteps || plannedSteps,
    loss: progress.loss,
    trainAccuracy: 0,
    density: 0,
    stepMsP50: 0,
    stepMsP90: 0,
    peakMemoryBytes: 0,
    maskUpdates: 0,
    layers: [],
    phase: 'training',
    elapsedMs,
  };
}
