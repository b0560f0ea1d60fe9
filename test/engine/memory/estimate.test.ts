// The pure memory estimate of a training job: exact numbers for a small model, and how each input moves them.
import { describe, expect, it } from 'vitest';
import { datasetFootprint } from '../../../client/src/engine/memory/dataset-footprint.js';
import { estimateTrainingMemory } from '../../../client/src/engine/memory/estimate.js';
import { layerOutputValues } from '../../../client/src/engine/memory/layer-outputs.js';
import { maskableLayers, networkSummary } from '../../../client/src/engine/models/catalog.js';
import { parseTrainConfig, type TrainConfigInput } from '../../../client/src/engine/train/config.js';

function estimate(input: TrainConfigInput) {
  return estimateTrainingMemory(parseTrainConfig(input));
}

const MNIST = { height: 28, width: 28, channels: 1 };
const CIFAR = { height: 32, width: 32, channels: 3 };

describe(estimateTrainingMemory.name, () => {
  it('should add up weights, gradients and momentum, activations, workspace and data for a dense MLP', () => {
    const result = estimate({ model: 'mlp', method: 'dense', data: { name: 'fashion-mnist' }, batchSize: 64 });
    const weights = 784 * 300 + 300 * 100 + 100 * 10;
    const biases = 300 + 100 + 10;
    // SGD with momentum: value + gradient + 1 slot, 4 bytes each.
    expect(result.modelStateBytes).toBe((weights + biases) * 4 * 3);
    expect(result.activationBytes).toBe(64 * ((300 + 100 + 10) * 4 * 2 + 784 * 4));
    expect(result.kernelWorkspaceBytes).toBe(784 * 300 * 4 * 2);
    // 70,000 examples kept as uint8 bytes with label and id, plus the uint8 files read whole.
    expect(result.datasetBytes).toBe(70_000 * (784 + 8) + 70_000 * 785);
    expect(result.totalBytes).toBe(result.modelStateBytes + result.activationBytes + result.kernelWorkspaceBytes + result.datasetBytes);
  });

  it('should need less model state when sparse and more with Adam or VRPGE', () => {
    const dense = estimate({ model: 'resnet20', data: { name: 'cifar10' } });
    const sparse = estimate({ model: 'resnet20', data: { name: 'cifar10' }, method: 'rigl', density: 0.1 });
    const adam = estimate({ model: 'resnet20', data: { name: 'cifar10' }, optimizer: { kind: 'adam' } });
    const vrpge = estimate({ model: 'resnet20', data: { name: 'cifar10' }, method: 'vrpge', density: 0.1 });
    expect(sparse.modelStateBytes).toBeLessThan(dense.modelStateBytes / 2);
    expect(adam.modelStateBytes).toBeGreaterThan(dense.modelStateBytes);
    expect(vrpge.modelStateBytes).toBeGreaterThan(sparse.modelStateBytes);
    expect(sparse.activationBytes).toBe(dense.activationBytes);
  });

  it('should scale activations with the batch and data with limits and shards', () => {
    const base = estimate({ model: 'cnn', data: { name: 'synthetic' }, batchSize: 32 });
    const doubleBatch = estimate({ model: 'cnn', data: { name: 'synthetic' }, batchSize: 64 });
    const limited = estimate({ model: 'cnn', data: { name: 'synthetic', trainLimit: 100, testLimit: 10 }, batchSize: 32 });
    expect(doubleBatch.activationBytes).toBe(base.activationBytes * 2);
    // Synthetic examples are generated per batch: only labels and ids are kept.
    expect(limited.datasetBytes).toBe(110 * 8);
    const whole = datasetFootprint({ name: 'cifar10' }, CIFAR);
    const half = datasetFootprint({ name: 'cifar10', shardCount: 2 }, CIFAR);
    expect(whole.trainExamples).toBe(50_000);
    expect(half.trainExamples).toBe(25_000);
    expect(half.bytes).toBeLessThan(whole.bytes);
  });

  it('should be deterministic for a config', () => {
    const config = { model: 'vgg', data: { name: 'cifar10' }, method: 'set', density: 0.05, seed: 3 } as const;
    expect(estimate(config)).toEqual(estimate(config));
  });
});

describe(layerOutputValues.name, () => {
  it('should follow each model\'s spatial layout', () => {
    expect(layerOutputValues('cnn', maskableLayers('cnn', MNIST, 10), MNIST)).toEqual([28 * 28 * 32, 14 * 14 * 64, 128, 10]);
    const resnet = maskableLayers('resnet20', CIFAR, 10);
    const outputs = layerOutputValues('resnet20', resnet, CIFAR);
    const at = (name: string) => outputs[resnet.findIndex((layer) => layer.name === name)];
    expect(at('conv1')).toBe(32 * 32 * 16);
    expect(at('layer2.0.conv1')).toBe(16 * 16 * 32);
    expect(at('layer3.2.conv2')).toBe(8 * 8 * 64);
    expect(at('fc')).toBe(10);
    const vgg = maskableLayers('vgg', CIFAR, 10);
    expect(layerOutputValues('vgg', vgg, CIFAR).slice(0, 2)).toEqual([32 * 32 * 32, 16 * 16 * 64]);
  });
});

describe('estimateTrainingMemory for the seed networks', () => {
  const GiB = 1024 ** 3;
  /** A phone's whole memory, generously: nothing the coordinator hands a phone may need more. */
  const PHONE_BYTES = 8 * GiB;
  const IMAGENET = { inputShape: { height: 224, width: 224, channels: 3 }, numClasses: 1000 };
  const withoutData = (e: ReturnType<typeof estimate>) => e.totalBytes - e.datasetBytes;

  it('should put ResNet-50 (ImageNet stem) at batch 256 far above a phone and WRN-22-2 on CIFAR at batch 64 well below', () => {
    // Execute
    const resnet50 = estimateTrainingMemory(
      parseTrainConfig({ model: 'resnet50-imagenet', data: { name: 'synthetic', trainLimit: 256, testLimit: 64 }, method: 'rigl', density: 0.2, batchSize: 256 }),
      IMAGENET,
    );
    const wrn = estimate({ model: 'wrn-22-2', data: { name: 'cifar10' }, method: 'rigl', density: 0.1, batchSize: 64 });

    // Assert: ResNet-50 keeps ≈ 49 M values per 224×224 example for its backward pass.
    expect(resnet50.activationBytes).toBeGreaterThan(4 * PHONE_BYTES);
    expect(resnet50.totalBytes).toBeGreaterThan(4 * PHONE_BYTES);
    expect(withoutData(wrn)).toBeLessThan(GiB);
    expect(withoutData(wrn)).toBeGreaterThan(64 * 1024 ** 2);
    expect(wrn.modelStateBytes).toBeLessThan(16 * 1024 ** 2);
  });

  it('should move with scheme, density and batch, and count the never-masked depthwise weights', () => {
    // Prepare
    const base = { model: 'resnet18', data: { name: 'cifar10' }, method: 'static', batchSize: 32 } as const;

    // Execute
    const dense = estimate({ ...base, method: 'dense' });
    const sparse = estimate({ ...base, density: 0.1 });
    const sparser = estimate({ ...base, density: 0.05 });
    const blocks = estimate({ ...base, density: 0.1, scheme: 'block' });
    const bigBatch = estimate({ ...base, density: 0.1, batchSize: 64 });
    const mobileDense = estimate({ model: 'mobilenetv2', data: { name: 'cifar10' }, method: 'dense', optimizer: { momentum: 0 } });

    // Assert
    expect(sparse.modelStateBytes).toBeLessThan(dense.modelStateBytes / 4);
    expect(sparser.modelStateBytes).toBeLessThan(sparse.modelStateBytes);
    expect(blocks.modelStateBytes).toBeLessThan(sparse.modelStateBytes);
    expect(bigBatch.activationBytes).toBe(2 * sparse.activationBytes);
    expect(sparse.activationBytes).toBe(dense.activationBytes);
    // Dense without momentum: value + gradient for each of the 2,236,682 trainable values, + BN running statistics.
    const summary = networkSummary('mobilenetv2', CIFAR, 10);
    expect(mobileDense.modelStateBytes).toBe(summary.parameterCount * 4 * 2 + summary.batchNormChannels * 2 * 4);
    expect(summary.parameterCount).toBe(2_236_682);
  });
});
