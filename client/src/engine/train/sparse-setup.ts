// Everything sparse a run needs before its first step: layer densities, the scheme, the method and its context.
import type { Model } from '../models/model.js';
import { allocateDensities } from '../sparse/allocation/index.js';
import { createMethod } from '../sparse/methods/registry.js';
import type { MethodContext, SparseTrainingMethod } from '../sparse/methods/types.js';
import { createScheme } from '../sparse/schemes/registry.js';
import { createRng } from '../util/rng.js';
import type { TrainConfig } from './config.js';
import { createDense } from '../sparse/methods/dense.js';

export interface RunLength {
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  /** Optimizer steps the run will take (epochs × stepsPerEpoch, capped by maxSteps). */
  readonly totalSteps: number;
}

/**
 * Points the method context at a new run length, in place: methods keep the context object they were initialised
 * with and read stepsPerEpoch / totalSteps from it when they need them.
 */
export function setRunLength(context: MethodContext, length: RunLength): void {
  const writable = context as { -readonly [K in keyof MethodContext]: MethodContext[K] };
  writable.stepsPerEpoch = length.stepsPerEpoch;
  writable.totalSteps = length.totalSteps;
}

export interface SparseSetup {
  readonly method: SparseTrainingMethod;
  readonly context: MethodContext;
}

/**
 * `length`: the run length the method is initialised with; `epochStartStep`: where an epoch starts once the run
 * length may change (see setRunLength).
 */
export function setUpSparsity(
  config: TrainConfig,
  model: Model,
  length: RunLength,
  methodOverride?: SparseTrainingMethod,
  epochStartStep?: (epoch: number) => number,
): SparseSetup {
  const dense = config.method === 'dense';
  const layers = model.maskableLayers();
  const layerDensities = allocateDensities({
    layers,
    density: dense ? 1 : config.density,
    allocation: config.allocation,
    profileYaml: config.profile,
    erkPowerScale: config.erkPowerScale,
  });
  const blockSize = config.schedule?.kind === 'dsb' ? config.schedule.blockSize : undefined;
  const context: MethodContext = {
    layers: model.maskedWeights,
    scheme: createScheme(config.scheme, blockSize === undefined ? {} : { blockSize }),
    rng: createRng(config.seed).derive('method'),
    stepsPerEpoch: length.stepsPerEpoch,
    epochs: length.epochs,
    totalSteps: length.totalSteps,
    ...(epochStartStep === undefined ? {} : { epochStartStep }),
    density: dense ? 1 : config.density,
    layerDensities,
  };
  const method = methodOverride ?? (dense
    ? createDense()
    : createMethod(config.method, {
        schedule: config.schedule,
        epochs: length.epochs,
        stepsPerEpoch: length.stepsPerEpoch,
        // No density: without an explicit schedule the registry builds the default one at initialisation from
        // the context, whose totalSteps honours maxSteps.
      }));
  return { method, context };
}

