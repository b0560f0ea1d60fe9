// When a run takes checkpoints and what it tells the caller. A checkpoint is taken after a completed step (every
// `everySteps` steps) or after an epoch's evaluation; it always resumes at a batch boundary:
//   - mid-epoch: (epoch, stepInEpoch) with 0 < stepInEpoch < batches of the epoch;
//   - at an epoch end: (next epoch, 0), before that epoch's data removal and method epoch-start hook.
// A step checkpoint that would land on an epoch's last batch is left to the epoch-end one, and none is taken
// once the run has no steps left (its result follows).

export interface CheckpointInfo {
  /** Optimizer steps completed. */
  readonly step: number;
  /** Epoch the run resumes in, and how many of its batches are already consumed. */
  readonly epoch: number;
  readonly stepInEpoch: number;
}

export interface CheckpointOptions {
  /** Take a checkpoint every this many steps; 0 = only at epoch ends. */
  readonly everySteps: number;
  /** Also take one after every epoch but the last (default true). */
  readonly atEpochEnd?: boolean;
  /** Receives the encoded TrainingCheckpoint; the run waits for it before its next step. */
  onCheckpoint(bytes: Uint8Array, info: CheckpointInfo): Promise<void> | void;
}

export interface StepPosition {
  readonly step: number;
  readonly stepInEpoch: number;
  readonly batchesInEpoch: number;
  readonly totalSteps: number;
}

export function isStepCheckpoint(options: CheckpointOptions | undefined, at: StepPosition): boolean {
  if (options === undefined || options.everySteps <= 0) return false;
  if (at.step >= at.totalSteps || at.stepInEpoch >= at.batchesInEpoch) return false;
  return at.step % options.everySteps === 0;
}

export function isEpochEndCheckpoint(options: CheckpointOptions | undefined): boolean {
  return options !== undefined && (options.atEpochEnd ?? true);
}
