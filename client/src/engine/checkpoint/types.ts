// What a checkpoint is taken from and restored into: the live objects of one training run.
import type { ForgettingTracker } from '../forgetting/tracker.js';
import type { Model } from '../models/model.js';
import type { MethodContext, SparseTrainingMethod } from '../sparse/methods/types.js';
import type { TrainConfig } from '../train/config.js';
import type { FleetRemovalSet } from '../train/fleet-removal.js';
import type { Optimizer } from '../train/optimizers/types.js';

export const CHECKPOINT_FORMAT_VERSION = 1;

/** Where the run stands. `epoch`/`stepInEpoch`: the epoch in progress and how many of its batches are consumed. */
export interface CheckpointPosition {
  readonly step: number;
  readonly epoch: number;
  readonly stepInEpoch: number;
  readonly maskUpdates: number;
}

export interface TrainingStateRefs {
  readonly config: TrainConfig;
  readonly model: Model;
  readonly optimizer: Optimizer;
  readonly method: SparseTrainingMethod;
}

export interface CheckpointSource extends TrainingStateRefs {
  readonly position: CheckpointPosition;
  readonly tracker: ForgettingTracker;
  /** Examples left out of training by the run's own MEST removal, if it happened. */
  readonly removedExampleIds: ReadonlySet<number> | undefined;
  /** Examples trained on so far (sum of batch sizes); default 0. */
  readonly examplesSeen?: number;
  /** The fleet removal set in force, if any, with what the run length was computed from. */
  readonly fleetRemoval?: FleetRemovalCheckpoint;
}

/** Steps done and the epoch at which the run length was last computed (0 and 0: at the start). */
export interface RunLengthBase {
  readonly step: number;
  readonly epoch: number;
}

/**
 * A fleet removal set as a checkpoint keeps it: the set, where it took effect (the run then takes
 * from.step + (epochs − from.epoch) × ceil(kept / batch) steps, capped by maxSteps) and the run length the method
 * was initialised with (a resumed run initialises it the same way, then switches to the current length).
 */
export interface FleetRemovalCheckpoint {
  readonly set: FleetRemovalSet;
  readonly from: RunLengthBase;
  readonly initialLength: { readonly stepsPerEpoch: number; readonly totalSteps: number };
}

export interface CheckpointTarget extends TrainingStateRefs {
  /** The context the method was initialised with (importState needs it). */
  readonly methodContext: MethodContext;
}

export interface RestoredTraining {
  readonly position: CheckpointPosition;
  readonly tracker: ForgettingTracker;
  readonly removedExampleIds: ReadonlySet<number> | undefined;
  /** 0 for a checkpoint written before examples were counted. */
  readonly examplesSeen: number;
  readonly fleetRemoval?: FleetRemovalCheckpoint;
}

/** A checkpoint that cannot be resumed by this run: other config, other model, corrupt bytes. */
export class CheckpointRestoreError extends Error {
  constructor(message: string) {
    super(`cannot resume from checkpoint: ${message}`);
    this.name = 'CheckpointRestoreError';
  }
}
