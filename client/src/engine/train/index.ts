export * from './config.js';
export { jobSpecToTrainConfig, trainConfigToJobSpec } from './job-spec.js';
export { runTraining, type RunOptions } from './run.js';
export type { CheckpointInfo, CheckpointOptions } from './checkpointing.js';
export type * from './types.js';
export { evaluate, type Evaluation } from './evaluate.js';
export { Stepper, clipByGlobalNorm, type StepBatch, type StepOptions, type StepOutcome } from './step.js';
export * from './optimizers/index.js';
export { computeReport, requestedCompute, setUpCompute, type ComputeReport, type ComputeSetup } from './compute-setup.js';
