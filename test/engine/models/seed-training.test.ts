// Training the small seed networks on the wasm backend: a few SGD steps on one synthetic CIFAR-sized batch lower the
// loss, depthwise convs get finite, non-zero gradients (tfjs-wasm has no depthwise backprop kernels; see
// backend/depthwise-gradient.ts), batch norm switches between batch and running statistics, and a sparse run reports
// per layer what ran on the kernels and why the rest did not.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../client/src/engine/backend/init.js';
import { buildModel } from '../../../client/src/engine/models/builders.js';
import type { SeedNetworkName } from '../../../client/src/engine/models/catalog.js';
import { setUpCompute } from '../../../client/src/engine/train/compute-setup.js';
import { parseTrainConfig } from '../../../client/src/engine/train/config.js';
import { crossEntropy } from '../../../client/src/engine/train/loss.js';
import { createOptimizer } from '../../../client/src/engine/train/optimizers/index.js';
import { runTraining } from '../../../client/src/engine/train/run.js';
import { Stepper } from '../../../client/src/engine/train/step.js';
import { createRng } from '../../../client/src/engine/util/rng.js';

const CIFAR = { height: 32, width: 32, channels: 3 };
const BATCH = 4;

function syntheticBatch(seed: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const rng = createRng(seed);
  const x = Float32Array.from({ length: BATCH * 32 * 32 * 3 }, () => rng.normal());
  const y = Int32Array.from({ length: BATCH }, (_, i) => (3 * i) % 10);
  return { x: tf.tensor4d(x, [BATCH, 32, 32, 3]), y: tf.tensor1d(y, 'int32') };
}

describe('training the seed networks on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it.each(['wrn-16-2', 'resnet18', 'mobilenetv2-0.35'] as SeedNetworkName[])(
    '%s: SGD steps on one batch should lower the loss with finite gradients everywhere',
    (name) => {
      // Prepare
      expect(tf.getBackend()).toBe('wasm');
      const model = buildModel({ model: name, input: CIFAR, numClasses: 10, seed: 2 });
      const optimizer = createOptimizer(parseTrainConfig({}).optimizer, model.parameters);
      for (const weight of model.maskedWeights) weight.attachOptimizer(optimizer);
      const batch = syntheticBatch(4);
      const stepper = new Stepper(model, optimizer);
      try {
        // Execute: gradients of every trainable variable once, then a few optimizer steps on the same batch.
        const norms = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => crossEntropy(model.forward(batch.x, true), batch.y), model.trainableVariables());
          value.dispose();
          return model.parameters.map((parameter) => ({ name: parameter.name, norm: tf.norm(grads[parameter.variable.name]).dataSync()[0] }));
        });
        const losses: number[] = [];
        for (let step = 0; step < 3; step++) losses.push(stepper.run(batch, { lr: 0.05, needsDenseGradient: false, masksGradients: false }).loss);

        // Assert
        for (const { norm } of norms) expect(Number.isFinite(norm)).toBe(true);
        const depthwise = norms.filter(({ name: parameter }) => model.unmaskedLayers.some((layer) => `${layer.name}.weight` === parameter));
        expect(depthwise).toHaveLength(name.startsWith('mobilenetv2') ? 17 : 0);
        for (const { norm } of depthwise) expect(norm).toBeGreaterThan(0);
        for (const loss of losses) expect(Number.isFinite(loss)).toBe(true);
        expect(losses[2]).toBeLessThan(losses[0]);
      } finally {
        tf.dispose([batch.x, batch.y]);
        optimizer.dispose();
        model.dispose();
      }
    },
  );

  it('should use batch statistics in training mode and running statistics in eval mode', () => {
    // Prepare
    const model = buildModel({ model: 'wrn-16-2', input: CIFAR, numClasses: 10, seed: 3 });
    const batch = syntheticBatch(5);
    try {
      const logits = (training: boolean) => tf.tidy(() => model.forward(batch.x, training).dataSync().slice());
      const running = () => model.buffers.map((buffer) => buffer.dataSync().slice());

      // Execute
      const evalBefore = logits(false);
      const statsBefore = running();
      const train = logits(true);
      const statsAfter = running();
      const evalAfter = logits(false);
      const evalAgain = logits(false);

      // Assert: the training pass moved the running statistics, eval passes do not, and they differ from training.
      expect(statsAfter).not.toEqual(statsBefore);
      expect(Array.from(evalAgain)).toEqual(Array.from(evalAfter));
      expect(Array.from(evalAfter)).not.toEqual(Array.from(evalBefore));
      expect(Array.from(train)).not.toEqual(Array.from(evalAfter));
    } finally {
      tf.dispose([batch.x, batch.y]);
      model.dispose();
    }
  });
});

describe('runTraining a seed network with sparse kernels', () => {
  const config = (model: SeedNetworkName, compute: 'masked-dense' | 'sparse-kernels') =>
    parseTrainConfig({
      model,
      data: { name: 'synthetic', trainLimit: 16, testLimit: 8 },
      method: 'static',
      density: 0.2,
      // Uniform: under ERK the small 1×1 layers come out dense at this density.
      allocation: 'uniform',
      batchSize: 8,
      maxSteps: 2,
      seed: 3,
      compute,
    });

  it('WRN-16-2: stride-1 and strided 1×1 convs run on the kernels, strided 3×3 convs say why they do not', async () => {
    // Execute
    const reference = await runTraining(config('wrn-16-2', 'masked-dense'));
    const sut = await runTraining(config('wrn-16-2', 'sparse-kernels'));

    // Assert
    expect(sut.compute).toBe('sparse-kernels');
    const byLayer = new Map(sut.layerCompute?.map((entry) => [entry.layer, entry]));
    expect(byLayer.size).toBe(17);
    expect(byLayer.get('net1.layer.0.conv0')).toEqual({ layer: 'net1.layer.0.conv0', compute: 'sparse-kernels' });
    // The 1×1 stride-2 shortcut: a subsample, then the stride-1 1×1 kernel.
    expect(byLayer.get('net2.layer.0.conv2')?.compute).toBe('sparse-kernels');
    expect(byLayer.get('net2.layer.0.conv0')).toMatchObject({ compute: 'masked-dense', reason: expect.stringMatching(/stride-2 3×3 conv/) });
    expect([...(sut.kernelLayers ?? [])].sort()).toEqual([...byLayer.values()].filter((entry) => entry.compute === 'sparse-kernels').map((entry) => entry.layer).sort());
    for (const entry of byLayer.values()) if (entry.compute !== 'sparse-kernels') expect(entry.reason).toBeTruthy();
    // Same computation either way.
    expect(sut.testLoss).toBeCloseTo(reference.testLoss, 3);
    expect(reference.layerCompute?.every((entry) => entry.compute === 'masked-dense' && entry.reason === 'masked-dense compute was requested')).toBe(true);
  });

  it('MobileNetV2: depthwise convs are reported dense, the 1×1 convs run on the kernels', async () => {
    // Execute
    const sut = await runTraining(config('mobilenetv2-0.35', 'sparse-kernels'));

    // Assert
    expect(Number.isFinite(sut.testLoss)).toBe(true);
    const entries = sut.layerCompute ?? [];
    const dense = entries.filter((entry) => entry.compute === 'dense');
    expect(dense).toHaveLength(17);
    for (const entry of dense) expect(entry.reason).toMatch(/depthwise/);
    expect(entries.find((entry) => entry.layer === 'features.2.conv.0.0')?.compute).toBe('sparse-kernels');
    expect(entries.find((entry) => entry.layer === 'features.2.conv.2')?.compute).toBe('sparse-kernels');
  });

  it('should fall back with a reason per layer when no sparse layer fits the kernels', async () => {
    // Prepare: only the strided 7×7 stem and a strided 3×3 conv are sparse.
    const model = buildModel({ model: 'resnet18-imagenet', input: CIFAR, numClasses: 10, seed: 1 });
    const sparse = new Set(['conv1', 'layer2.0.conv1']);
    const densities = new Map(model.maskedWeights.map((weight) => [weight.name, sparse.has(weight.name) ? 0.5 : 1]));
    try {
      // Execute
      const setup = await setUpCompute(config('resnet18-imagenet', 'sparse-kernels'), model, densities);

      // Assert
      expect(setup.compute).toBe('masked-dense');
      expect(setup.fallbackReason).toMatch(/fits a kernel segment \(stride-2 7×7 conv.*; stride-2 3×3 conv/);
      const computeOf = (layer: string) => setup.layers.find((entry) => entry.layer === layer);
      expect(computeOf('conv1')).toMatchObject({ compute: 'masked-dense', reason: expect.stringMatching(/stride-2 7×7 conv/) });
      expect(computeOf('layer1.0.conv1')).toMatchObject({ compute: 'masked-dense', reason: expect.stringMatching(/target density 1/) });
      expect(setup.layers).toHaveLength(model.maskedWeights.length);
      expect(setup.layers.some((entry) => entry.compute === 'sparse-kernels')).toBe(false);
    } finally {
      model.dispose();
    }
  });
});
