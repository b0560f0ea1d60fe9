import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { KernelSegment } from '../../../client/src/engine/models/kernel-compute/segment.js';
import type { TrainConfigInput } from '../../../client/src/engine/train/config.js';
import type { StepOptions } from '../../../client/src/engine/train/step.js';
import { buildTrainee, maxAbsDiff, prepareEngine, randomBatches, randomMask, trainStep, type Trainee } from './harness.js';

const MLP_INPUT = { height: 6, width: 6, channels: 1 };
const STEPS = 5;

describe('a whole training step in kernel memory', () => {
  const trainees: Trainee[] = [];

  beforeAll(() => prepareEngine());

  afterEach(() => {
    vi.restoreAllMocks();
    for (const trainee of trainees.splice(0)) trainee.dispose();
  });

  async function pair(optimizer: TrainConfigInput['optimizer']) {
    const masks = new Map([
      ['fc1', randomMask(300 * 36, 0.15, 1)],
      ['fc2', randomMask(100 * 300, 0.2, 2)],
    ]);
    const reference = await buildTrainee({ model: 'mlp', input: MLP_INPUT, masks, scheme: 'irregular', kernels: false, optimizer });
    const sut = await buildTrainee({ model: 'mlp', input: MLP_INPUT, masks, scheme: 'irregular', kernels: true, optimizer });
    trainees.push(reference, sut);
    return { reference, sut };
  }

  it.each<[string, TrainConfigInput['optimizer']]>([
    ['plain SGD', { momentum: 0, weightDecay: 0 }],
    ['SGD with momentum and decay', { momentum: 0.9, weightDecay: 5e-4 }],
    ['Nesterov SGD', { momentum: 0.8, nesterov: true, weightDecay: 1e-3 }],
    ['Adam with decay', { kind: 'adam', momentum: 0.9, weightDecay: 5e-4 }],
  ])('should train like the tfjs step with %s (loss, weights, biases, slots)', async (_label, optimizer) => {
    // Prepare
    const { reference, sut } = await pair(optimizer);
    const kernelPasses = vi.spyOn(KernelSegment.prototype, 'trainingPass');
    const lr = optimizer?.kind === 'adam' ? 0.01 : 0.1;

    // Execute
    let lossDiff = 0;
    for (const data of randomBatches(STEPS, 16, MLP_INPUT, 3)) {
      lossDiff = Math.max(lossDiff, Math.abs(trainStep(reference, data, MLP_INPUT, { lr }) - trainStep(sut, data, MLP_INPUT, { lr })));
    }

    // Assert
    expect(kernelPasses).toHaveBeenCalledTimes(STEPS);
    expect(sut.optimizer.iterations).toBe(STEPS);
    expect(lossDiff).toBeLessThan(1e-5);
    reference.model.maskedWeights.forEach((layer, i) => {
      expect(maxAbsDiff(sut.model.maskedWeights[i].readWeights(), layer.readWeights())).toBeLessThan(1e-5);
    });
    reference.model.parameters
      .filter((parameter) => parameter.name.endsWith('bias'))
      .forEach((parameter) => {
        const twin = sut.model.parameters.find((candidate) => candidate.name === parameter.name);
        const got = twin?.variable.dataSync() as Float32Array;
        expect(maxAbsDiff(got, parameter.variable.dataSync() as Float32Array)).toBeLessThan(1e-5);
        const wantSlots = reference.optimizer.readSlots(parameter.variable) ?? [];
        const gotSlots = twin === undefined ? [] : (sut.optimizer.readSlots(twin.variable) ?? []);
        expect(gotSlots.length).toBe(wantSlots.length);
        wantSlots.forEach((slot, k) => expect(maxAbsDiff(gotSlots[k], slot)).toBeLessThan(1e-5));
      });
  });

  it('should run a custom step of two gated passes (VRPGE) like the tfjs step', async () => {
    // Prepare
    const { reference, sut } = await pair({ momentum: 0.9, weightDecay: 5e-4 });
    const kernelPasses = vi.spyOn(KernelSegment.prototype, 'trainingPass');
    const gates = [0, 1].map((k) => Float32Array.from({ length: 300 }, (_, o) => ((o + k) % 4 === 0 ? 1 : 0)));
    const customStepFor = (trainee: Trainee): StepOptions['customStep'] => (context) => {
      let loss = 0;
      for (const gate of gates) {
        trainee.model.maskedWeights[0].setOutputGate(gate);
        const pass = context.lossAndGradients();
        pass.accumulate(1 / gates.length);
        loss += pass.loss / gates.length;
      }
      return { loss };
    };
    const step = (trainee: Trainee, data: { x: Float32Array; y: Int32Array }): number => {
      const x = tf.tensor4d(data.x, [16, 6, 6, 1]);
      const y = tf.tensor1d(data.y, 'int32');
      const { loss } = trainee.stepper.run({ x, y }, { lr: 0.1, needsDenseGradient: false, masksGradients: false, customStep: customStepFor(trainee) });
      tf.dispose([x, y]);
      return loss;
    };

    // Execute
    let lossDiff = 0;
    for (const data of randomBatches(STEPS, 16, MLP_INPUT, 6)) lossDiff = Math.max(lossDiff, Math.abs(step(reference, data) - step(sut, data)));

    // Assert
    expect(kernelPasses).toHaveBeenCalledTimes(2 * STEPS);
    expect(lossDiff).toBeLessThan(1e-5);
    reference.model.maskedWeights.forEach((layer, i) => {
      expect(maxAbsDiff(sut.model.maskedWeights[i].readWeights(), layer.readWeights())).toBeLessThan(1e-5);
    });
  });

  it('should fall back to the tfjs step for dense-gradient and clipped steps, and leave no tensors behind', async () => {
    // Prepare
    const { sut } = await pair({});
    const kernelPasses = vi.spyOn(KernelSegment.prototype, 'trainingPass');
    const [first, second, third] = randomBatches(3, 8, MLP_INPUT, 4);
    trainStep(sut, first, MLP_INPUT);
    const tensors = tf.memory().numTensors;

    // Execute
    trainStep(sut, second, MLP_INPUT, { denseGradient: true });
    const x = tf.tensor4d(third.x, [8, 6, 6, 1]);
    const y = tf.tensor1d(third.y, 'int32');
    const clipped = sut.stepper.run({ x, y }, { lr: 0.05, needsDenseGradient: false, masksGradients: false, clipNorm: 1 });
    tf.dispose([x, y]);

    // Assert
    expect(kernelPasses).toHaveBeenCalledTimes(1);
    expect(Number.isFinite(clipped.loss)).toBe(true);
    expect(sut.model.maskedWeights[0].readGradient()).toBeUndefined();
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
