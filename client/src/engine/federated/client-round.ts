// runClientRound: one client's part of a federated round on the real engine (tfjs backend, and the sparse kernels
// for layers below density 1 where the config's compute allows). The client builds the config's model, loads the
// round's global weights and masks, trains its partition shard for the round's local work with the config's
// optimizer (fresh state, constant learning rate), and returns local − global at the positions of its final mask.
//   - 'fixed' and 'consensus': the masks stay the global ones; in 'consensus' the last `gradientSteps` steps also
//     materialise dense gradients, whose |sum| ranks the positions the client proposes to grow (./proposal.ts).
//   - 'method': the config's method runs its hooks over the round (its run length = the round's steps), so the
//     masks may change locally; methods that cannot start from a given mask (DSB, SSB, VRPGE) are refused.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/init.js';
import { batches, datasetSubset, type Dataset } from '../data/index.js';
import { buildModel } from '../models/builders.js';
import type { MaskedWeight } from '../models/masked-weight.js';
import type { Model } from '../models/model.js';
import { acceptsInitialMask } from '../sparse/initial-mask.js';
import type { MethodContext, SparseTrainingMethod, StepInfo } from '../sparse/methods/types.js';
import type { TrainConfig } from '../train/config.js';
import { setUpCompute } from '../train/compute-setup.js';
import { createOptimizer } from '../train/optimizers/index.js';
import { setUpSparsity } from '../train/sparse-setup.js';
import { Stepper, type StepOutcome } from '../train/step.js';
import { yieldToEventLoop } from '../train/yield.js';
import { fnv1a } from '../util/rng.js';
import type { ClientRoundOptions, FederatedClientTask, FederatedClientUpdate, FederatedEngineContext, LayerMaskProposal, SparseTensor } from './contract.js';
import { captureModelSet, loadModelSet } from './model-state.js';
import { partitionExamples } from './partition.js';
import { layerProposal } from './proposal.js';
import { denseValues, gatherMasked, tensorsByName } from './tensors.js';

const DEFAULT_PROPOSAL_FRACTION = 0.1;

/** Thrown for a task the engine cannot run (a method that cannot start from the global mask, an empty shard). */
export class FederatedTaskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FederatedTaskError';
  }
}

export async function runClientRound(task: FederatedClientTask, context: FederatedEngineContext, options: ClientRoundOptions = {}): Promise<FederatedClientUpdate> {
  options.signal?.throwIfAborted();
  const { config } = task;
  if (task.maskMode === 'method' && !acceptsInitialMask(config.method)) {
    throw new FederatedTaskError(`method '${config.method}' cannot start from the global mask ('method' mask mode)`);
  }
  await initBackend(config.backend);
  const shard = clientShard(context.train, task);
  if (shard.size === 0) throw new FederatedTaskError(`client ${task.partition.clientIndex} has no examples in its partition`);
  const stepsPerEpoch = Math.ceil(shard.size / config.batchSize);
  const stepsPlanned = 'localSteps' in task.work ? task.work.localSteps : task.work.localEpochs * stepsPerEpoch;
  const model = buildModel({ model: config.model, input: shard.inputShape, numClasses: shard.numClasses, seed: config.seed });
  const optimizer = createOptimizer(config.optimizer, model.parameters);
  for (const weight of model.maskedWeights) weight.attachOptimizer(optimizer);
  try {
    const sparse = task.maskMode === 'method' ? startMethod(config, model, stepsPerEpoch, stepsPlanned) : undefined;
    loadModelSet(model, task.global);
    await setUpCompute(config, model, sparse?.context.layerDensities ?? loadedDensities(model));
    const trained = await train(model, new Stepper(model, optimizer), shard, task, { stepsPlanned, sparse, options });
    sparse?.method.onTrainingEnd?.(sparse.context);
    const local = captureModelSet(model);
    const maskProposal = task.maskMode === 'consensus' ? proposals(task, local, trained.gradientSums) : undefined;
    return {
      round: task.round,
      examples: shard.size,
      stepsDone: trained.steps,
      stepsPlanned,
      kind: 'delta',
      tensors: deltaSet(task.global.tensors, local.tensors),
      ...(maskProposal === undefined ? {} : { maskProposal }),
      metrics: trained.examples === 0 ? { loss: 0 } : { loss: trained.lossSum / trained.examples, accuracy: trained.correct / trained.examples },
    };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

/** The client's examples: its partition of the loaded training split. */
export function clientShard(train: Dataset, task: Pick<FederatedClientTask, 'partition'>): Dataset {
  const positions = partitionExamples(train.labels, task.partition);
  return datasetSubset(train, new Set(Array.from(positions, (position) => train.ids[position])));
}

interface SparseRun {
  readonly method: SparseTrainingMethod;
  readonly context: MethodContext;
}

interface TrainOptions {
  readonly stepsPlanned: number;
  readonly sparse: SparseRun | undefined;
  readonly options: ClientRoundOptions;
}

interface Trained {
  readonly steps: number;
  readonly lossSum: number;
  readonly correct: number;
  readonly examples: number;
  /** Per masked layer name: Σ |dense gradient| over the gradient steps (consensus mode). */
  readonly gradientSums: ReadonlyMap<string, Float32Array>;
}

async function train(model: Model, stepper: Stepper, shard: Dataset, task: FederatedClientTask, run: TrainOptions): Promise<Trained> {
  const { stepsPlanned, sparse, options } = run;
  const { config } = task;
  const parameterNames = maskedParameterNames(model);
  const { height, width, channels } = shard.inputShape;
  const gradientFrom = task.maskMode === 'consensus' ? stepsPlanned - (task.proposal?.gradientSteps ?? 1) : Infinity;
  const gradientSums = new Map<string, Float32Array>();
  // Each (job seed, round, client) shuffles its shard differently.
  const seed = fnv1a(`${config.seed}/federated/${task.round}/${task.partition.clientIndex}`);
  let steps = 0;
  let lossSum = 0;
  let correct = 0;
  let examples = 0;
  for (let epoch = 0; steps < stepsPlanned; epoch++) {
    // Mask-update summaries are not reported per round: the update's masks say what changed.
    sparse?.method.onEpochStart?.({ step: steps, epoch }, sparse.context);
    for (const batch of batches(shard, { batchSize: config.batchSize, epoch, seed, augment: config.data.augment })) {
      if (steps >= stepsPlanned || options.stopWhen?.() === true) return { steps, lossSum, correct, examples, gradientSums };
      options.signal?.throwIfAborted();
      const info: StepInfo = { step: steps, epoch };
      const wantsGradient = steps >= gradientFrom || (sparse?.method.needsDenseGradient(info) ?? false);
      let outcome: StepOutcome | undefined;
      tf.tidy(() => {
        const x = tf.tensor4d(batch.x, [batch.size, height, width, channels]);
        const y = tf.tensor1d(batch.y, 'int32');
        outcome = stepper.run({ x, y }, { lr: config.optimizer.lr, needsDenseGradient: wantsGradient, masksGradients: sparse?.method.masksGradients ?? false, clipNorm: config.optimizer.clipNorm });
      });
      steps += 1;
      if (steps > gradientFrom) addGradients(gradientSums, model, parameterNames);
      sparse?.method.afterStep?.({ step: steps, epoch }, sparse.context);
      lossSum += outcome!.loss * batch.size;
      for (const hit of outcome!.correct) correct += hit;
      examples += batch.size;
      options.onProgress?.({ step: steps, totalSteps: stepsPlanned, loss: lossSum / examples });
      await yieldToEventLoop();
    }
  }
  return { steps, lossSum, correct, examples, gradientSums };
}

/** Each masked weight's parameter name (`fc1.weight` for layer `fc1`): the name its tensor travels under. */
function maskedParameterNames(model: Model): Map<MaskedWeight, string> {
  const byVariable = new Map(model.parameters.map((parameter) => [parameter.variable, parameter.name]));
  return new Map(model.maskedWeights.map((weight) => [weight, byVariable.get(weight.variable) ?? weight.name]));
}

/** Adds |dense gradient| of the last step into `sums`, keyed by parameter name. */
function addGradients(sums: Map<string, Float32Array>, model: Model, parameterNames: ReadonlyMap<MaskedWeight, string>): void {
  for (const weight of model.maskedWeights) {
    const gradient = weight.readGradient();
    if (gradient === undefined) continue;
    const name = parameterNames.get(weight)!;
    let sum = sums.get(name);
    if (sum === undefined) {
      sum = new Float32Array(gradient.length);
      sums.set(name, sum);
    }
    for (let i = 0; i < gradient.length; i++) sum[i] += Math.abs(gradient[i]);
  }
}

function startMethod(config: TrainConfig, model: Model, stepsPerEpoch: number, totalSteps: number): SparseRun {
  const length = { epochs: Math.ceil(totalSteps / stepsPerEpoch), stepsPerEpoch, totalSteps };
  const setup = setUpSparsity(config, model, length);
  setup.method.initialize(setup.context);
  return setup;
}

function loadedDensities(model: Model): Map<string, number> {
  return new Map(model.maskedWeights.map((weight) => [weight.name, weight.activeCount / weight.size]));
}

/** local − global at every position of the local mask (global values are 0 outside the global mask). */
function deltaSet(global: readonly SparseTensor[], local: readonly SparseTensor[]): { tensors: SparseTensor[] } {
  const localByName = tensorsByName({ tensors: local });
  return {
    tensors: global.map((base) => {
      const mine = localByName.get(base.name)!;
      const baseValues = denseValues(base);
      const delta = denseValues(mine).map((value, i) => value - baseValues[i]);
      return mine.mask === undefined ? { ...mine, values: delta } : { ...mine, values: gatherMasked(delta, mine.mask) };
    }),
  };
}

function proposals(task: FederatedClientTask, local: { tensors: readonly SparseTensor[] }, gradientSums: ReadonlyMap<string, Float32Array>): LayerMaskProposal[] {
  const fraction = task.proposal?.fraction ?? DEFAULT_PROPOSAL_FRACTION;
  const localByName = tensorsByName({ tensors: local.tensors });
  const result: LayerMaskProposal[] = [];
  for (const base of task.global.tensors) {
    if (base.mask === undefined) continue;
    const proposal = layerProposal(base.name, base.mask, denseValues(localByName.get(base.name)!), gradientSums.get(base.name), fraction);
    if (proposal.prune.length > 0 || proposal.grow.length > 0) result.push(proposal);
  }
  return result;
}
