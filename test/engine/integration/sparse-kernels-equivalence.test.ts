import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SchemeName } from '../../../client/src/engine/sparse/schemes/types.js';
import { blockMask, buildTrainee, maxAbs, maxAbsDiff, prepareEngine, randomBatches, randomMask, trainStep, type Trainee } from './harness.js';

const MLP_INPUT = { height: 6, width: 6, channels: 1 };
const CNN_INPUT = { height: 8, width: 8, channels: 1 };
const STEPS = 6;
const DENSE_GRADIENT_STEP = 3;

interface Comparison {
  readonly lossDiff: number;
  readonly weightDiff: number;
  readonly gradientDiff: number;
  readonly gradientScale: number;
}

/** Trains both engines on the same batches; step DENSE_GRADIENT_STEP asks for the dense gradient. */
function trainBoth(reference: Trainee, sut: Trainee, input: typeof MLP_INPUT, batch: number): Comparison {
  let lossDiff = 0;
  let gradientDiff = 0;
  let gradientScale = 0;
  randomBatches(STEPS, batch, input, 5).forEach((data, step) => {
    const denseGradient = step === DENSE_GRADIENT_STEP;
    const expected = trainStep(reference, data, input, { denseGradient });
    const actual = trainStep(sut, data, input, { denseGradient });
    lossDiff = Math.max(lossDiff, Math.abs(expected - actual));
    if (!denseGradient) return;
    reference.model.maskedWeights.forEach((layer, i) => {
      const want = layer.readGradient() ?? new Float32Array();
      const got = sut.model.maskedWeights[i].readGradient() ?? new Float32Array(want.length).fill(Number.NaN);
      gradientDiff = Math.max(gradientDiff, maxAbsDiff(got, want));
      gradientScale = Math.max(gradientScale, maxAbs(want));
    });
  });
  let weightDiff = 0;
  reference.model.maskedWeights.forEach((layer, i) => {
    weightDiff = Math.max(weightDiff, maxAbsDiff(sut.model.maskedWeights[i].readWeights(), layer.readWeights()));
  });
  return { lossDiff, weightDiff, gradientDiff, gradientScale };
}

describe('sparse-kernel training against the masked-dense engine', () => {
  const trainees: Trainee[] = [];

  beforeAll(() => prepareEngine());

  afterEach(() => {
    for (const trainee of trainees.splice(0)) trainee.dispose();
  });

  async function pair(model: 'mlp' | 'cnn', masks: Map<string, Uint8Array>, scheme: SchemeName, input: typeof MLP_INPUT) {
    const reference = await buildTrainee({ model, input, masks, scheme, kernels: false });
    const sut = await buildTrainee({ model, input, masks, scheme, kernels: true });
    trainees.push(reference, sut);
    return { reference, sut };
  }

  it.each<[string, SchemeName, (rows: number, cols: number, seed: number) => Uint8Array]>([
    ['irregular', 'irregular', (rows, cols, seed) => randomMask(rows * cols, 0.15, seed)],
    ['4×1 block', 'block', (rows, cols, seed) => blockMask(rows, cols, 0.15, seed)],
  ])('should match the MLP with %s masks step by step, in weights and in dense gradients', async (_label, scheme, mask) => {
    // Prepare
    const masks = new Map([
      ['fc1', mask(300, 36, 1)],
      ['fc2', mask(100, 300, 2)],
    ]);
    const { reference, sut } = await pair('mlp', masks, scheme, MLP_INPUT);

    // Execute
    const result = trainBoth(reference, sut, MLP_INPUT, 16);

    // Assert
    expect(sut.plan?.segments).toEqual([['flatten', 'fc1+relu', 'fc2+relu', 'fc3']]);
    expect(sut.model.maskedWeights.map((w) => w.storage.kind)).toEqual(['compressed', 'compressed', 'compressed']);
    expect(result.lossDiff).toBeLessThan(1e-5);
    expect(result.weightDiff).toBeLessThan(1e-5);
    expect(result.gradientScale).toBeGreaterThan(1e-3);
    expect(result.gradientDiff).toBeLessThan(1e-6 + 1e-4 * result.gradientScale);
  });

  it('should match the CNN with irregular masks through conv, pool, flatten and linear layers', async () => {
    // Prepare
    // Every conv1 filter keeps its centre tap: a filter reading only zero padding outputs a constant, whose max-pool
    // ties the two engines break differently (kernels: first maximum, as PyTorch; masked-dense: every tied position).
    const conv1 = randomMask(32 * 9, 0.5, 3);
    for (let o = 0; o < 32; o++) conv1[o * 9 + 4] = 1;
    const masks = new Map([
      ['conv1', conv1],
      ['conv2', randomMask(64 * 32 * 9, 0.2, 4)],
      ['fc1', randomMask(128 * 64 * 4, 0.1, 5)],
    ]);
    const { reference, sut } = await pair('cnn', masks, 'irregular', CNN_INPUT);

    // Execute
    const result = trainBoth(reference, sut, CNN_INPUT, 8);

    // Assert
    expect(sut.plan?.segments).toEqual([['conv1+relu', 'maxpool', 'conv2+relu', 'maxpool', 'flatten', 'fc1+relu', 'fc2']]);
    // The conv biases' gradients come from the max-pools' channel sums (the fc biases' from rowSums).
    const biases = (t: Trainee) => t.model.parameters.filter((p) => p.name.endsWith('bias')).map((p) => p.variable.dataSync() as Float32Array);
    const [want, got] = [biases(reference), biases(sut)];
    expect(got).toHaveLength(4);
    want.forEach((values, i) => expect(maxAbsDiff(got[i], values)).toBeLessThan(1e-5));
    expect(want.some((values) => maxAbs(values) > 1e-4)).toBe(true);
    expect(result.lossDiff).toBeLessThan(1e-5);
    expect(result.weightDiff).toBeLessThan(1e-5);
    expect(result.gradientScale).toBeGreaterThan(1e-3);
    expect(result.gradientDiff).toBeLessThan(1e-6 + 1e-4 * result.gradientScale);
  });

  it.each<[string, SchemeName, Uint8Array]>([
    ['irregular', 'irregular', randomMask(300 * 36, 0.2, 6)],
    // VRPGE's score phase: every weight kept, channel compaction; the kernels skip the gate's closed rows.
    ['all-kept channel-compacted', 'channel', new Uint8Array(300 * 36).fill(1)],
  ])('should apply output gates like the masked-dense engine (%s fc1)', async (_label, scheme, fc1) => {
    // Prepare
    const masks = new Map([['fc1', fc1]]);
    const { reference, sut } = await pair('mlp', masks, scheme, MLP_INPUT);
    const gate = Float32Array.from({ length: 300 }, (_, o) => (o % 3 === 0 ? 0 : 1));
    reference.model.maskedWeights[0].setOutputGate(gate);
    sut.model.maskedWeights[0].setOutputGate(gate);

    // Execute
    const result = trainBoth(reference, sut, MLP_INPUT, 16);

    // Assert
    expect(result.lossDiff).toBeLessThan(1e-5);
    expect(result.weightDiff).toBeLessThan(1e-5);
  });

  it('should leave no tensors behind per step and keep a large dense layer out of the segment', async () => {
    // Prepare
    const masks = new Map([['fc1', randomMask(300 * 36, 0.1, 7)]]);
    const { sut } = await pair('mlp', masks, 'irregular', MLP_INPUT);
    const batches = randomBatches(3, 8, MLP_INPUT, 9);
    trainStep(sut, batches[0], MLP_INPUT);
    const before = tf.memory().numTensors;

    // Execute
    trainStep(sut, batches[1], MLP_INPUT);
    trainStep(sut, batches[2], MLP_INPUT, { denseGradient: true });

    // Assert
    expect(tf.memory().numTensors).toBe(before);
    expect(sut.model.kernelContext?.rebuildCount).toBe(1);
    // fc2 (30 000 weights, dense) is too large to join, so the segment ends before it and fc3 stays dense too.
    expect(sut.plan?.segments).toEqual([['flatten', 'fc1+relu']]);
    expect(sut.model.maskedWeights.map((w) => w.storage.kind)).toEqual(['compressed', 'dense', 'dense']);
  });
});
