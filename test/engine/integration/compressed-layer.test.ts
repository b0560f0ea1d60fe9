import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CompressedStorage } from '../../../client/src/engine/models/storage/compressed-storage.js';
import { buildTrainee, prepareEngine, randomBatches, randomMask, trainStep, type Trainee } from './harness.js';

const INPUT = { height: 6, width: 6, channels: 1 };
const FC1_SIZE = 300 * 36;

describe(CompressedStorage.name, () => {
  let trainee: Trainee;

  beforeAll(() => prepareEngine());

  afterEach(() => trainee.dispose());

  async function trained(optimizer: 'sgd' | 'adam', steps: number): Promise<Trainee> {
    trainee = await buildTrainee({
      model: 'mlp',
      input: INPUT,
      masks: new Map([['fc1', randomMask(FC1_SIZE, 0.2, 11)]]),
      scheme: 'irregular',
      kernels: true,
      optimizer: { kind: optimizer },
    });
    for (const batch of randomBatches(steps, 8, INPUT, 12)) trainStep(trainee, batch, INPUT);
    return trainee;
  }

  /** Drops every third active position and grows every seventh inactive one. */
  function mutate(mask: Uint8Array): Uint8Array {
    let active = 0;
    let inactive = 0;
    return mask.map((m) => (m === 1 ? (active++ % 3 === 0 ? 0 : 1) : inactive++ % 7 === 0 ? 1 : 0));
  }

  it.each(['sgd', 'adam'] as const)('should keep kept values and %s slots and start grown ones at 0 when the mask changes', async (kind) => {
    // Prepare
    const sut = (await trained(kind, 3)).model.maskedWeights[0];
    const before = sut.mask;
    const weights = sut.readWeights();
    const momentum = sut.readMomentum() ?? new Float32Array();
    const next = mutate(before);

    // Execute
    const change = sut.setMask(next);

    // Assert
    const afterWeights = sut.readWeights();
    const afterMomentum = sut.readMomentum() ?? new Float32Array();
    let kept = 0;
    let grown = 0;
    for (let i = 0; i < next.length; i++) {
      if (before[i] === 1 && next[i] === 1) {
        kept++;
        expect(afterWeights[i]).toBe(weights[i]);
        expect(afterMomentum[i]).toBe(momentum[i]);
      } else if (next[i] === 1) {
        grown++;
        expect(afterWeights[i]).toBe(0);
        expect(afterMomentum[i]).toBe(0);
      } else {
        expect(afterWeights[i]).toBe(0);
        expect(afterMomentum[i]).toBe(0);
      }
    }
    expect(kept).toBeGreaterThan(0);
    expect(change).toEqual({ pruned: before.reduce((n, m, i) => n + (m === 1 && next[i] === 0 ? 1 : 0), 0), grown, active: kept + grown });
    expect(sut.mask).toEqual(next);
    expect(sut.variable.size).toBe(kept + grown);
  });

  it('should store only active weights, so pruned weights stay exactly 0 through training', async () => {
    // Prepare
    const sut = (await trained('sgd', 1)).model.maskedWeights[0];
    const mask = sut.mask;

    // Execute
    for (const batch of randomBatches(3, 8, INPUT, 13)) trainStep(trainee, batch, INPUT);

    // Assert
    const weights = sut.readWeights();
    const active = mask.reduce((n, m) => n + m, 0);
    expect(sut.storage.kind).toBe('compressed');
    expect(sut.variable.shape).toEqual([active]);
    expect(weights.every((w, i) => mask[i] === 1 || w === 0)).toBe(true);
    expect(weights.filter((w, i) => mask[i] === 1 && w !== 0).length).toBe(active);
  });

  it('should keep training after a mask change shrinks the layer, re-creating its variable under the same name', async () => {
    // Prepare
    const sut = (await trained('sgd', 2)).model.maskedWeights[0];
    const name = sut.variable.name;
    const smaller = sut.mask.map((m, i) => (i % 2 === 0 ? m : 0));
    const tensorsBefore = tf.memory().numTensors;

    // Execute
    sut.setMask(smaller);
    const losses = randomBatches(3, 8, INPUT, 14).map((batch) => trainStep(trainee, batch, INPUT));

    // Assert
    expect(sut.variable.name).toBe(name);
    expect(sut.variable.size).toBe(smaller.reduce((n, m) => n + m, 0));
    expect(trainee.model.kernelContext?.rebuildCount).toBe(2);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(sut.readWeights().every((w, i) => smaller[i] === 1 || w === 0)).toBe(true);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('should write canonical weights only at active positions', async () => {
    // Prepare
    const sut = (await trained('sgd', 0)).model.maskedWeights[0];
    const values = Float32Array.from({ length: FC1_SIZE }, (_, i) => i + 1);

    // Execute
    sut.writeWeights(values);

    // Assert
    const mask = sut.mask;
    expect(Array.from(sut.readWeights())).toEqual(Array.from(values, (v, i) => (mask[i] === 1 ? v : 0)));
  });
});
