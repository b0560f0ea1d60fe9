// The pure memory estimate of a training job: exact numbers for a small model, and how each input moves them.
import { describe, expect, it } from 'vitest';
import { datasetFootprint } from '../../../client/src/engine/memory/dataset-footprint.js';
import { estimateTrainingMemory } from '../../../client/src/engine/memory/estimate.js';
import { layerOutputValues } from '../../../client/src/engine/memory/layer-outputs.js';
import { maskableLayers } from '../../../client/src/engine/models/catalog.js';
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
    // 70,000 float32 examples with label and id, plus the uint8 files read whole.
    expect(result.datasetBytes).toBe(70_000 * (784 * 4 + 8) + 70_000 * 785);
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
    expect(limited.datasetBytes).toBe(110 * (784 * 4 + 8));
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
