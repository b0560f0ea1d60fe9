import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../client/src/engine/backend/init.js';
import { captureCheckpoint } from '../../../client/src/engine/checkpoint/capture.js';
import { decodeCheckpoint, restoreCheckpoint } from '../../../client/src/engine/checkpoint/restore.js';
import { CheckpointRestoreError } from '../../../client/src/engine/checkpoint/types.js';
import { loadDatasets } from '../../../client/src/engine/data/index.js';
import { ForgettingTracker } from '../../../client/src/engine/forgetting/tracker.js';
import { buildModel } from '../../../client/src/engine/models/builders.js';
import type { VrpgeMethod } from '../../../client/src/engine/sparse/methods/vrpge.js';
import { parseTrainConfig, type TrainConfig, type TrainConfigInput } from '../../../client/src/engine/train/config.js';
import { createOptimizer } from '../../../client/src/engine/train/optimizers/index.js';
import { runTraining } from '../../../client/src/engine/train/run.js';
import { setUpSparsity } from '../../../client/src/engine/train/sparse-setup.js';

const vrpgeConfig = (overrides: TrainConfigInput = {}) =>
  parseTrainConfig({
    model: 'mlp',
    data: { name: 'synthetic', trainLimit: 128, testLimit: 64 },
    method: 'vrpge',
    schedule: { kind: 'vrpge', finetuneEpochs: 1 },
    allocation: 'uniform',
    density: 0.5,
    optimizer: { kind: 'adam', lr: 0.01 },
    batchSize: 32,
    epochs: 3,
    seed: 11,
    ...overrides,
  });

/** A freshly built run (model, optimizer, initialised method), as runTraining builds it. */
async function freshRun(config: TrainConfig) {
  const data = await loadDatasets({ name: config.data.name, trainLimit: config.data.trainLimit, testLimit: config.data.testLimit, seed: config.seed });
  const model = buildModel({ model: config.model, input: data.train.inputShape, numClasses: data.train.numClasses, seed: config.seed });
  const optimizer = createOptimizer(config.optimizer, model.parameters);
  for (const weight of model.maskedWeights) weight.attachOptimizer(optimizer);
  const stepsPerEpoch = Math.ceil(data.train.size / config.batchSize);
  const sparse = setUpSparsity(config, model, { epochs: config.epochs, stepsPerEpoch, totalSteps: stepsPerEpoch * config.epochs });
  sparse.method.initialize(sparse.context);
  return {
    config,
    model,
    optimizer,
    method: sparse.method,
    methodContext: sparse.context,
    dispose: () => {
      optimizer.dispose();
      model.dispose();
    },
  };
}

/** Checkpoints a real run emits, by step. */
async function checkpointsOf(config: TrainConfig, everySteps: number): Promise<Map<number, Uint8Array>> {
  const saved = new Map<number, Uint8Array>();
  await runTraining(config, {}, { checkpoint: { everySteps, onCheckpoint: (bytes, info) => void saved.set(info.step, bytes) } });
  return saved;
}

describe('captureCheckpoint and restoreCheckpoint', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('should restore weights, masks, optimizer slots, tracker and method state identically', async () => {
    // Prepare: a mid-run VRPGE + Adam checkpoint (scores and moments moved away from their initial values)
    const config = vrpgeConfig();
    const bytes = (await checkpointsOf(config, 3)).get(3);
    if (bytes === undefined) throw new Error('no checkpoint at step 3');
    const saved = decodeCheckpoint(bytes);
    const run = await freshRun(config);

    // Execute
    const restored = restoreCheckpoint(bytes, run);
    const recaptured = captureCheckpoint({ ...run, ...restored });

    // Assert
    expect(restored.position).toEqual({ step: 3, epoch: 0, stepInEpoch: 3, maskUpdates: 0 });
    expect(Buffer.from(recaptured).equals(Buffer.from(bytes))).toBe(true);
    const fc1 = run.model.maskedWeights[0];
    const savedWeights = saved.weights.find((tensor) => tensor.name === 'fc1.weight');
    expect(Buffer.from(new Float32Array(fc1.readWeights()).buffer).equals(Buffer.from(savedWeights?.data ?? []))).toBe(true);
    expect(run.optimizer.iterations).toBe(3);
    expect(run.optimizer.readSlots(fc1.variable)?.[0].some((v) => v !== 0)).toBe(true);
    expect(restored.tracker.trackedCount).toBe(96);
    const scores = [...(run.method as VrpgeMethod).channelScores().values()].flatMap((s) => [...s]);
    expect(scores.length).toBeGreaterThan(0);
    expect(scores.some((s) => Math.abs(s - 0.5) > 1e-6)).toBe(true);
    run.dispose();
  });

  it('should restore the masks of a method that updated them', async () => {
    // Prepare: RigL with an update every 2 steps; the step-6 checkpoint holds masks after three updates
    const config = vrpgeConfig({ method: 'rigl', schedule: { kind: 'dst', updateInterval: 2, endFraction: 1 }, optimizer: { kind: 'sgd' } });
    const bytes = (await checkpointsOf(config, 6)).get(6);
    if (bytes === undefined) throw new Error('no checkpoint at step 6');
    const run = await freshRun(config);
    const initialMasks = run.model.maskedWeights.map((weight) => Uint8Array.from(weight.mask));

    // Execute
    const restored = restoreCheckpoint(bytes, run);
    const recaptured = captureCheckpoint({ ...run, ...restored, removedExampleIds: undefined });

    // Assert
    expect(restored.position.maskUpdates).toBe(3);
    expect(Buffer.from(recaptured).equals(Buffer.from(bytes))).toBe(true);
    expect(run.model.maskedWeights[0].mask).not.toEqual(initialMasks[0]);
    expect(run.model.maskedWeights[0].activeCount).toBe(countOnes(initialMasks[0]));
    run.dispose();
  });

  it('should refuse a checkpoint of a different config with a clear error', async () => {
    // Prepare
    const bytes = (await checkpointsOf(vrpgeConfig(), 3)).get(3) ?? new Uint8Array();
    const run = await freshRun(vrpgeConfig({ seed: 12 }));

    // Execute
    const attempt = () => restoreCheckpoint(bytes, run);

    // Assert
    expect(attempt).toThrow(CheckpointRestoreError);
    expect(attempt).toThrow(/different training config \(fingerprint fnv1a64:[0-9a-f]{16}, this run fnv1a64:[0-9a-f]{16}\)/);
    run.dispose();
  });

  it('should accept a different backend and data path (they do not change the computation)', async () => {
    // Prepare
    const bytes = (await checkpointsOf(vrpgeConfig(), 3)).get(3) ?? new Uint8Array();
    const run = await freshRun(vrpgeConfig({ backend: 'cpu', data: { name: 'synthetic', trainLimit: 128, testLimit: 64, path: '/elsewhere' } }));

    // Execute
    const restored = restoreCheckpoint(bytes, run);

    // Assert
    expect(restored.position.step).toBe(3);
    run.dispose();
  });

  it('should reject bytes that are not a checkpoint', async () => {
    // Prepare
    const run = await freshRun(vrpgeConfig());

    // Execute
    const attempt = () => restoreCheckpoint(Uint8Array.from([0xff, 0xff, 0xff]), run);

    // Assert
    expect(attempt).toThrow(CheckpointRestoreError);
    run.dispose();
  });

  it('should round-trip removed example ids and a tracker that has seen examples', async () => {
    // Prepare
    const config = vrpgeConfig({ method: 'static', schedule: undefined, optimizer: { kind: 'sgd' } });
    const run = await freshRun(config);
    const tracker = new ForgettingTracker();
    tracker.record([5, 9, 5, 70], [1, 0, 0, 1]);

    // Execute
    const bytes = captureCheckpoint({
      ...run,
      position: { step: 7, epoch: 2, stepInEpoch: 3, maskUpdates: 4 },
      tracker,
      removedExampleIds: new Set([40, 3, 17]),
    });
    const tensorsBefore = tf.memory().numTensors;
    const restored = restoreCheckpoint(bytes, run);

    // Assert
    expect(restored.position).toEqual({ step: 7, epoch: 2, stepInEpoch: 3, maskUpdates: 4 });
    expect([...(restored.removedExampleIds ?? [])]).toEqual([3, 17, 40]);
    expect(restored.tracker.snapshot()).toEqual(tracker.snapshot());
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    run.dispose();
  });
});

function countOnes(mask: Uint8Array): number {
  return mask.reduce((sum, bit) => sum + bit, 0);
}
