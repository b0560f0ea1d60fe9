// The federated contract between the engine (client rounds, aggregation algebra) and the coordinator (rounds,
// selection, transport). Types only; everything here is plain data so the coordinator can hold it without tfjs.
//
// Conventions:
//   - A model (or an update) is a SparseTensorSet: one SparseTensor per named tensor of the network. Masked weight
//     tensors are in the engine's canonical layout [out, in, kh, kw] and carry a mask; biases, BatchNorm parameters
//     ('dense') and BatchNorm running statistics ('buffer') carry every value.
//   - Tensor names are the engine's parameter names (`fc1.weight`, `bn1.gamma`) and buffer names
//     (`bn1.running_mean`): stable across model instances and devices.
//   - Values are float32 in memory whatever they travel as; quantisation is a property of the encoding.
import type { Dataset } from '../data/types.js';
import type { TrainConfig } from '../train/config.js';

/** How values travel: float32, float16, or int8 with a per-tensor scale (value ≈ q × scale). */
export type ValueDtype = 'f32' | 'f16' | 'int8';

/**
 * 'masked': a maskable weight (canonical layout, has a mask, values only at mask positions);
 * 'dense': a trainable tensor that is never masked (bias, BN gamma/beta, depthwise conv);
 * 'buffer': a non-trainable tensor (BN running mean/variance): averaged, never touched by a server optimizer.
 */
export type SparseTensorKind = 'masked' | 'dense' | 'buffer';

export interface SparseTensor {
  readonly name: string;
  readonly kind: SparseTensorKind;
  readonly shape: readonly number[];
  /** 'masked' only: 1 = the position holds a value, one byte per element of `shape`. */
  readonly mask?: Uint8Array;
  /** The values at the mask's positions in increasing position order ('masked'), or every value in order. */
  readonly values: Float32Array;
}

/** A model or an update: tensors in model order, names unique. */
export interface SparseTensorSet {
  readonly tensors: readonly SparseTensor[];
}

export interface EncodeOptions {
  /** How the values of 'masked' tensors travel (default 'f32'). */
  readonly dtype?: ValueDtype;
  /** How the values of 'dense' and 'buffer' tensors travel (default 'f32': biases and BN statistics are small). */
  readonly denseDtype?: ValueDtype;
  /**
   * A set whose masks the receiver already holds (the round's global model): a tensor whose mask equals the
   * reference's is sent without its mask; decoding then needs the same reference.
   */
  readonly maskReference?: SparseTensorSet;
}

export interface DecodeOptions {
  /**
   * The reference the sender encoded against (required when it left masks out). When given, every tensor must be
   * one of its tensors with the same shape (the coordinator passes the round's global model).
   */
  readonly maskReference?: SparseTensorSet;
}

/** How clients' masks evolve between rounds. */
export type MaskMode =
  /** The global mask never changes: clients train under it, the server keeps it. */
  | 'fixed'
  /**
   * FedDST-style: clients train under the global mask and propose prune/grow positions from local scores (|w| to
   * prune, |dense gradient| to grow); the server aggregates the proposals, keeping each layer's active count.
   */
  | 'consensus'
  /**
   * The config's own method runs on every client (its masks change locally); the server averages over the clients
   * holding each position, then keeps each layer's top-|w| positions at the global layer's active count.
   */
  | 'method';

/** Which examples a client trains on: a shard of the loaded training split (see partition.ts). */
export interface PartitionSpec {
  readonly kind: 'iid' | 'dirichlet';
  /** Dirichlet concentration over labels; required for 'dirichlet' (smaller = more label skew). */
  readonly alpha?: number;
  /** Number of shards (the job's client population). */
  readonly clients: number;
  readonly clientIndex: number;
  readonly seed: number;
}

/** How long a client trains in a round: a step count, or whole passes over its shard. */
export type LocalWork = { readonly localSteps: number } | { readonly localEpochs: number };

export interface MaskProposalOptions {
  /** Positions each layer proposes to prune, and to grow, as a fraction of the layer's active count. */
  readonly fraction: number;
  /** Training steps at the end of the round whose dense gradients are summed into the grow scores (default 1). */
  readonly gradientSteps?: number;
}

export interface FederatedClientTask {
  readonly federatedJobId: string;
  /** 0-based round number. */
  readonly round: number;
  /**
   * The job's training config: model, data (every client loads the same split: name, limits, seed; data.shardCount
   * must be 1: the partition picks the client's examples), method/scheme/density, optimizer (lr used constant
   * within a round; the optimizer state starts fresh every round), batch size, seed. epochs/maxSteps are ignored.
   */
  readonly config: TrainConfig;
  readonly partition: PartitionSpec;
  readonly work: LocalWork;
  /** The round's global model (weights and masks). */
  readonly global: SparseTensorSet;
  readonly maskMode: MaskMode;
  /** 'consensus' only (defaults apply when absent). */
  readonly proposal?: MaskProposalOptions;
}

/** One layer's proposal: positions (increasing, in the canonical layout) with a score each (higher = stronger). */
export interface LayerMaskProposal {
  /** The masked tensor's name. */
  readonly name: string;
  /** Active in the global mask, proposed for pruning. */
  readonly prune: Uint32Array;
  readonly pruneScores: Float32Array;
  /** Inactive in the global mask, proposed for growing. */
  readonly grow: Uint32Array;
  readonly growScores: Float32Array;
}

export interface FederatedClientMetrics {
  /** Mean training loss over the round's steps. */
  readonly loss: number;
  /** Training accuracy over the round's steps. */
  readonly accuracy?: number;
}

export interface FederatedClientUpdate {
  readonly round: number;
  /** Examples in the client's shard (the FedAvg weight). */
  readonly examples: number;
  /** Steps trained; fewer than stepsPlanned for partial work (a straggler cut off at the deadline). */
  readonly stepsDone: number;
  readonly stepsPlanned: number;
  /**
   * 'delta': local − global at each position of the client's final mask (a position the client grew has
   * delta = its local value); 'weights': the local values themselves.
   */
  readonly kind: 'delta' | 'weights';
  readonly tensors: SparseTensorSet;
  /** 'consensus' only. */
  readonly maskProposal?: readonly LayerMaskProposal[];
  readonly metrics: FederatedClientMetrics;
}

export type ServerOptimizerOptions =
  /** new = global + lr × mean delta (lr 1 = plain FedAvg). */
  | { readonly kind: 'fedavg'; readonly lr?: number }
  /** v = momentum × v + Δ; new = global + lr × v (Hsu et al. 2019). */
  | { readonly kind: 'fedavgm'; readonly lr?: number; readonly momentum?: number }
  /** Adam on the pseudo-gradient Δ (Reddi et al. 2021, "Adaptive Federated Optimization"); tau = adaptivity. */
  | { readonly kind: 'fedadam'; readonly lr?: number; readonly beta1?: number; readonly beta2?: number; readonly tau?: number };

/**
 * The server optimizer's state between rounds, as a SparseTensorSet of full-size 'dense' tensors named
 * `<slot>/<tensor>` (slots: `v` for FedAvgM; `m`, `v` for FedAdam), so it persists with encodeSparseSet.
 */
export type ServerOptimizerState = SparseTensorSet;

export interface ConsensusOptions {
  /**
   * Positions each layer swaps this round, as a fraction of its active count (FedDST's re-adjust ratio); the
   * server swaps fewer when the proposals do not name enough positions.
   */
  readonly fraction: number;
}

export interface AggregateOptions {
  readonly maskMode: MaskMode;
  readonly serverOptimizer?: ServerOptimizerOptions;
  /** The state returned by the previous round's aggregateRound (absent in the first round). */
  readonly serverState?: ServerOptimizerState;
  /** 'consensus' only. */
  readonly consensus?: ConsensusOptions;
}

/** What the mask did in one layer this round. */
export interface LayerMaskChange {
  readonly name: string;
  readonly pruned: Uint32Array;
  readonly grown: Uint32Array;
  /** Active positions after the change (equal to before: the layer's allocation is kept). */
  readonly active: number;
}

export interface AggregateStats {
  /** Updates that carried weight (examples × progress > 0). */
  readonly contributors: number;
  /** Σ examples × min(1, stepsDone / stepsPlanned) over the contributors. */
  readonly totalWeight: number;
  /** Example-weighted mean of the clients' training losses. */
  readonly meanLoss: number;
  /** Masked positions held by no contributing client this round (kept at their global value). */
  readonly uncoveredPositions: number;
  /** Overall density of the masked tensors after aggregation. */
  readonly density: number;
}

export interface AggregateResult {
  readonly model: SparseTensorSet;
  readonly maskChanges: readonly LayerMaskChange[];
  readonly serverState?: ServerOptimizerState;
  readonly stats: AggregateStats;
}

/** Why an update cannot be aggregated into a global model (the coordinator answers with a protocol error). */
export interface UpdateProblem {
  readonly code: 'round' | 'counts' | 'names' | 'kind' | 'shape' | 'mask' | 'values' | 'not-finite' | 'proposal';
  readonly message: string;
}

/** What runClientRound needs from its host (the agent, a simulator, the bench): data loaded once per job. */
export interface FederatedEngineContext {
  /** The training split every client of the job loads alike (loadFederatedData); the partition indexes into it. */
  readonly train: Dataset;
}

export interface ClientRoundOptions {
  readonly onProgress?: (progress: { readonly step: number; readonly totalSteps: number; readonly loss: number }) => void;
  /** Aborting rejects with an AbortError. */
  readonly signal?: AbortSignal;
  /**
   * Asked before every step: true ends the round early with partial work (stepsDone < stepsPlanned), e.g. at a
   * straggler deadline.
   */
  readonly stopWhen?: () => boolean;
}

// The functions of the contract (exported from ./index.ts; all but runClientRound, createInitialModel,
// evaluateModel and loadFederatedData are pure and reach the coordinator through engine/spec.ts):
//   encodeSparseSet(set, EncodeOptions) → Uint8Array;  decodeSparseSet(bytes, DecodeOptions) → SparseTensorSet;
//   sparseSetByteSize(set, EncodeOptions) → number (= encodeSparseSet(...).length, without encoding)
//   encodeClientUpdate(update, EncodeOptions) → Uint8Array;  decodeClientUpdate(bytes, DecodeOptions) → update
//   validateUpdate(global, update, { maskMode, round? }) → UpdateProblem | null
//   aggregateRound(global, updates, AggregateOptions) → AggregateResult
//   partitionExamples(labels, PartitionSpec) → Uint32Array (positions into the split, increasing)
//   runClientRound(task, FederatedEngineContext, ClientRoundOptions) → Promise<FederatedClientUpdate>
//   createInitialModel(config, FederatedEngineContext) → Promise<SparseTensorSet> (seeded initial weights and masks)
//   evaluateModel(model, config, dataset) → Promise<{ loss, accuracy, examples }>
//   loadFederatedData(config) → Promise<LoadedDatasets> (the unsharded splits every client loads alike)
