// A sparse-training method = scores + a schedule over the shared prune/grow primitives (see style.md, RigL).
// The trainer drives it through these hooks; it sees layers only through the SparseLayer interface.
import type { Rng } from '../../util/rng.js';
import type { SparsityScheme } from '../schemes/types.js';
import type { SparseLayer } from '../types.js';

export type MethodName =
  | 'dense'
  | 'static'
  | 'set'
  | 'rigl'
  | 'itop'
  | 'gmp'
  | 'gmp-uniform'
  | 'granet'
  | 'granet-uniform'
  | 'mest-em'
  | 'mest-ems'
  | 'dsb'
  | 'ssb'
  | 'vrpge';

/** Position of the trainer: `step` counts optimizer steps completed so far (0-based global), `epoch` is 0-based. */
export interface StepInfo {
  readonly step: number;
  readonly epoch: number;
  /**
   * On needsDenseGradient calls from the trainer: whether the step about to run is the last of its epoch. Epochs
   * are not always stepsPerEpoch long (a MEST removal shortens them, a refreshed fleet removal set changes them),
   * so methods should use this rather than `step % stepsPerEpoch` when it is present.
   */
  readonly endsEpoch?: boolean;
}

export interface MethodContext {
  readonly layers: readonly SparseLayer[];
  readonly scheme: SparsityScheme;
  readonly rng: Rng;
  /**
   * The run length. The trainer updates stepsPerEpoch and totalSteps in place when a refreshed fleet removal set
   * changes them (train/run.ts): read them from the context when needed instead of copying them at initialize.
   */
  readonly stepsPerEpoch: number;
  readonly epochs: number;
  readonly totalSteps: number;
  /**
   * Where (possibly fractional) epoch `epoch` starts, in steps; absent = epoch × stepsPerEpoch. Differs from that
   * once a refreshed removal set changed the epoch length mid-run.
   */
  readonly epochStartStep?: (epoch: number) => number;
  /** Overall target density of the maskable layers (after the schedule's end, for gradual methods). */
  readonly density: number;
  /**
   * Target density per layer name from the allocation (ERK, uniform or profile); 1 = layer stays dense and is
   * never masked or mutated (profiles: unlisted layers).
   */
  readonly layerDensities: ReadonlyMap<string, number>;
}

/** What one mask update did, for progress reports and tests. */
export interface MaskUpdateSummary {
  readonly step: number;
  readonly epoch: number;
  readonly pruned: number;
  readonly grown: number;
  readonly active: number;
  readonly total: number;
}

/** One minibatch pass that a method can request several times per step (VRPGE samples K masks). */
export interface LossAndGradients {
  readonly loss: number;
  /** Accumulates this pass's gradients (scaled by `weight`) into the step's gradient buffer. */
  accumulate(weight: number): void;
}

export interface CustomStepContext {
  /** Forward + backward on the current minibatch with the layers' current masks and gates. */
  lossAndGradients(): LossAndGradients;
}

export interface SparseTrainingMethod {
  readonly name: MethodName;
  /** Draw the initial masks (called once, after weight initialisation, before the first step). */
  initialize(ctx: MethodContext): void;
  /** Whether the trainer must materialise dense gradients on the step about to run (RigL/GraNet growth). */
  needsDenseGradient(info: StepInfo): boolean;
  /** Mask the gradients of pruned positions before the optimizer step (MEST, DSB); otherwise only weights are re-masked. */
  readonly masksGradients: boolean;
  /** Called at the start of every epoch, before its first step (MEST updates here). */
  onEpochStart?(info: StepInfo, ctx: MethodContext): MaskUpdateSummary | undefined;
  /** Called after each optimizer step and mask re-application; `info.step` is the number of steps now done. */
  afterStep?(info: StepInfo, ctx: MethodContext): MaskUpdateSummary | undefined;
  /**
   * Replace the plain forward/backward of a step (VRPGE's K sampled masks and score gradient). The trainer then
   * clips, steps the optimizer on the accumulated gradients and calls afterStep as usual.
   */
  customStep?(info: StepInfo, ctx: MethodContext, step: CustomStepContext): { loss: number };
  /**
   * The weight learning rate for the step about to run, given the optimizer schedule's value (VRPGE's fine-tune
   * phase uses its own constant rate). Absent = the scheduled rate.
   */
  weightLearningRate?(info: StepInfo, scheduled: number): number;
  /** Called once after the last epoch (VRPGE fixes a mask for fine-tuning). */
  onTrainingEnd?(ctx: MethodContext): void;
  /**
   * Internal state beyond the layers' masks and weights (VRPGE scores and their Adam moments, DSB blocks), for
   * checkpoints. Methods whose state is a pure function of (context, step) leave this out.
   */
  exportState?(): MethodState;
  /**
   * Restores what exportState returned, after initialize(ctx) and after the layers' masks and weights have been
   * restored; throws when the state does not fit this run.
   */
  importState?(state: MethodState, ctx: MethodContext): void;
}

/** Named float32 arrays (see method-state.ts for carrying float64 and integer arrays bit-exactly). */
export type MethodState = Readonly<Record<string, Float32Array>>;
