// The engine-side helpers around a round that need TensorFlow.js: the data every client of a job loads, the
// seeded initial global model, and a global model's accuracy on a held-out set.
import { initBackend } from '../backend/init.js';
import { loadDatasets, type Dataset, type LoadedDatasets } from '../data/index.js';
import { buildModel } from '../models/builders.js';
import type { TrainConfig } from '../train/config.js';
import { evaluate, type Evaluation } from '../train/evaluate.js';
import { setUpSparsity } from '../train/sparse-setup.js';
import type { FederatedEngineContext, SparseTensorSet } from './contract.js';
import { captureModelSet, loadModelSet } from './model-state.js';

const MIN_EVAL_BATCH = 256;

/**
 * The job's training and test splits as every client loads them: the config's data set, limits and seed, never
 * sharded (the partition picks each client's examples from the whole split).
 */
export async function loadFederatedData(config: TrainConfig): Promise<LoadedDatasets> {
  const { name, path, trainLimit, testLimit } = config.data;
  return loadDatasets({ name, path, trainLimit, testLimit, seed: config.seed });
}

/**
 * Round 0's global model: the config's model with its seeded initial weights and the masks its method draws at
 * the config's density and allocation (all ones for 'dense'). Equal on every device for the same config.
 */
export async function createInitialModel(config: TrainConfig, context: FederatedEngineContext): Promise<SparseTensorSet> {
  await initBackend(config.backend);
  const model = buildModel({ model: config.model, input: context.train.inputShape, numClasses: context.train.numClasses, seed: config.seed });
  try {
    const { method, context: methodContext } = setUpSparsity(config, model, { epochs: 1, stepsPerEpoch: 1, totalSteps: 1 });
    method.initialize(methodContext);
    return captureModelSet(model);
  } finally {
    model.dispose();
  }
}

/** Loss and accuracy of `global` on `dataset` (inference mode: BatchNorm uses the model's running statistics). */
export async function evaluateModel(global: SparseTensorSet, config: TrainConfig, dataset: Dataset): Promise<Evaluation> {
  await initBackend(config.backend);
  const model = buildModel({ model: config.model, input: dataset.inputShape, numClasses: dataset.numClasses, seed: config.seed });
  try {
    loadModelSet(model, global);
    return evaluate(model, dataset, Math.max(MIN_EVAL_BATCH, config.batchSize));
  } finally {
    model.dispose();
  }
}
