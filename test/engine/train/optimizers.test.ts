import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../client/src/engine/backend/init.js';
import type { Parameter } from '../../../client/src/engine/models/parameter.js';
import { Adam, Sgd, learningRateAt } from '../../../client/src/engine/train/optimizers/index.js';

function parameter(values: number[], decay = true): Parameter {
  return { name: 'p', variable: tf.variable(tf.tensor1d(values)), decay };
}

function values(variable: tf.Variable): number[] {
  return Array.from(variable.dataSync());
}

describe(Sgd.name, () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('should follow torch SGD with momentum and weight decay', () => {
    // Prepare
    const p = parameter([1, -2]);
    const sut = new Sgd({ parameters: [p], momentum: 0.9, nesterov: false, weightDecay: 0.1 });
    const grad = () => ({ [p.variable.name]: tf.tensor1d([0.5, 0.5]) });

    // Execute
    sut.step(grad(), 0.1);
    sut.step(grad(), 0.1);

    // Assert: g1 = [0.6, 0.3], b1 = g1, w1 = [0.94, -2.03]; g2 = [0.594, 0.297], b2 = 0.9 b1 + g2
    const b2 = [0.9 * 0.6 + 0.594, 0.9 * 0.3 + 0.297];
    expect(values(p.variable)[0]).toBeCloseTo(0.94 - 0.1 * b2[0], 5);
    expect(values(p.variable)[1]).toBeCloseTo(-2.03 - 0.1 * b2[1], 5);
    expect(Array.from(sut.firstMoment(p.variable) ?? [])).toEqual(b2.map((v) => expect.closeTo(v, 5)));
  });

  it('should use the Nesterov direction and skip decay for non-decayed parameters', () => {
    // Prepare
    const p = parameter([1], false);
    const sut = new Sgd({ parameters: [p], momentum: 0.5, nesterov: true, weightDecay: 0.1 });

    // Execute
    sut.step({ [p.variable.name]: tf.tensor1d([1]) }, 1);

    // Assert: b = 1, d = g + μ b = 1.5
    expect(values(p.variable)[0]).toBeCloseTo(-0.5, 6);
  });

  it('should zero slots where the keep mask is 0', () => {
    // Prepare
    const p = parameter([1, 1]);
    const sut = new Sgd({ parameters: [p], momentum: 0.9, nesterov: false, weightDecay: 0 });
    expect(sut.firstMoment(p.variable)).toBeUndefined();
    sut.step({ [p.variable.name]: tf.tensor1d([1, 2]) }, 0.1);

    // Execute
    sut.maskSlots(p.variable, tf.tensor1d([0, 1]));

    // Assert
    expect(Array.from(sut.firstMoment(p.variable) ?? [])).toEqual([0, 2]);
  });
});

describe(Adam.name, () => {
  it('should take a first step of lr·sign(g) and expose m/(sqrt(v)+eps)', () => {
    // Prepare
    const p = parameter([1, 1]);
    const sut = new Adam({ parameters: [p], momentum: 0.9, nesterov: false, weightDecay: 0 });

    // Execute
    sut.step({ [p.variable.name]: tf.tensor1d([0.2, -4]) }, 0.01);

    // Assert
    expect(values(p.variable)[0]).toBeCloseTo(0.99, 5);
    expect(values(p.variable)[1]).toBeCloseTo(1.01, 5);
    const moment = sut.firstMoment(p.variable) ?? new Float32Array();
    expect(moment[0]).toBeCloseTo((0.1 * 0.2) / Math.sqrt(0.001 * 0.04), 3);
  });
});

describe('learningRateAt', () => {
  const base = { lr: 0.1, etaMin: 0, milestones: [0.5, 0.75], gamma: 0.1 };

  it('should anneal cosine from lr to etaMin', () => {
    const config = { ...base, lrSchedule: 'cosine' as const, etaMin: 0.01 };
    expect(learningRateAt(config, 0, 100)).toBeCloseTo(0.1);
    expect(learningRateAt(config, 50, 100)).toBeCloseTo(0.055);
    expect(learningRateAt(config, 100, 100)).toBeCloseTo(0.01);
  });

  it('should step multistep at the milestones and keep constant constant', () => {
    const config = { ...base, lrSchedule: 'multistep' as const };
    expect(learningRateAt(config, 49, 100)).toBeCloseTo(0.1);
    expect(learningRateAt(config, 50, 100)).toBeCloseTo(0.01);
    expect(learningRateAt(config, 80, 100)).toBeCloseTo(0.001);
    expect(learningRateAt({ ...base, lrSchedule: 'constant' }, 99, 100)).toBe(0.1);
  });
});
