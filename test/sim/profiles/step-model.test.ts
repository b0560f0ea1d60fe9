import { describe, expect, it } from 'vitest';
import { createRng } from '../../../client/src/engine/util/rng.js';
import {
  loadDeviceProfile,
  macsPerExample,
  modelledStepMs,
  parseDeviceProfile,
  referenceStepMs,
  type DeviceProfile,
} from '../../../client/src/sim/profiles/index.js';

const BOARD = parseDeviceProfile(
  `
name: board
description: test
platform: linux-arm64
compute: { speedFactor: 0.5, stepMs: { "cnn/irregular/0.1/b64": 100 } }
memory: { totalMb: 4000, availableMb: 2000 }
backends: [wasm]
simd: true
threads: 1
network: { latencyMs: 1, jitterMs: 0, bandwidthKbps: 1000, lossRate: 0 }
availability: { sessionMinutes: { kind: fixed, value: 60 }, offlineMinutes: { kind: fixed, value: 5 } }
`,
  'board.yaml',
);

describe('reference step times', () => {
  it('returns a measured entry as is (bench/README.md bench:step medians)', () => {
    expect(referenceStepMs({ model: 'mlp', scheme: 'irregular', density: 0.1, batchSize: 128 })).toBe(1.82);
    expect(referenceStepMs({ model: 'cnn', scheme: 'block', density: 0.2, batchSize: 64 })).toBe(27.61);
    expect(referenceStepMs({ model: 'mlp', scheme: 'irregular', density: 1, batchSize: 128 })).toBe(11.95);
  });

  it('interpolates between densities, clamps below the lowest and scales with the batch', () => {
    expect(referenceStepMs({ model: 'mlp', scheme: 'irregular', density: 0.15, batchSize: 128 })).toBeCloseTo((1.82 + 2.88) / 2, 6);
    expect(referenceStepMs({ model: 'mlp', scheme: 'irregular', density: 0.75, batchSize: 128 })).toBeCloseTo((6.84 + 11.95) / 2, 6);
    expect(referenceStepMs({ model: 'mlp', scheme: 'irregular', density: 0.01, batchSize: 128 })).toBe(1.4);
    expect(referenceStepMs({ model: 'cnn', scheme: 'irregular', density: 0.1, batchSize: 32 })).toBeCloseTo(17.84 / 2, 6);
  });

  it('models unmeasured schemes as irregular and masked-dense as the dense step', () => {
    expect(referenceStepMs({ model: 'cnn', scheme: 'pattern', density: 0.1, batchSize: 64 })).toBe(17.84);
    expect(referenceStepMs({ model: 'cnn', scheme: 'irregular', density: 0.1, batchSize: 64, compute: 'masked-dense' })).toBe(173.93);
  });

  it('scales an unmeasured model from the measured model closest in multiply-adds', () => {
    const resnet20 = referenceStepMs({ model: 'resnet20', scheme: 'irregular', density: 0.1, batchSize: 8 });
    const resnet32 = referenceStepMs({ model: 'resnet32', scheme: 'irregular', density: 0.1, batchSize: 8 });
    expect(resnet32 / resnet20).toBeCloseTo(macsPerExample('resnet32', 'cifar10') / macsPerExample('resnet20', 'cifar10'), 6);
    expect(resnet32).toBeGreaterThan(resnet20);
    // A variant of a measured family scales from it.
    const half = referenceStepMs({ model: 'mobilenetv2-0.5', scheme: 'irregular', density: 1, batchSize: 8 });
    expect(half / 1659).toBeCloseTo(macsPerExample('mobilenetv2-0.5', 'cifar10') / macsPerExample('mobilenetv2', 'cifar10'), 6);
    expect(() => referenceStepMs({ model: 'gpt-5', scheme: 'irregular', density: 0.1, batchSize: 8 })).toThrow(/unknown model/);
  });
});

describe('modelledStepMs', () => {
  it('divides the reference time by the speed factor', () => {
    expect(modelledStepMs(BOARD, { model: 'mlp', scheme: 'irregular', density: 0.1, batchSize: 128 })).toBeCloseTo(1.82 / 0.5, 6);
  });

  it('prefers the profile\'s measured step time', () => {
    expect(modelledStepMs(BOARD, { model: 'cnn', scheme: 'irregular', density: 0.1, batchSize: 64 })).toBe(100);
  });

  it('without SIMD the sparse kernels are unavailable: the masked-dense (dense) step time', () => {
    const noSimd: DeviceProfile = { ...BOARD, simd: false, compute: { speedFactor: 1 } };
    expect(modelledStepMs(noSimd, { model: 'mlp', scheme: 'irregular', density: 0.1, batchSize: 128 })).toBe(11.95);
  });

  it('jitters reproducibly with a seeded rng', () => {
    const job = { model: 'mlp', scheme: 'irregular', density: 0.1, batchSize: 128 };
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 50 }, () => modelledStepMs(BOARD, job, rng));
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    const values = draw(7);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    expect(mean).toBeGreaterThan(3.64 * 0.9);
    expect(mean).toBeLessThan(3.64 * 1.1);
  });

  it('the shipped profiles order as their hardware: laptop faster than Orin Nano faster than Pi 4 and Nano', async () => {
    const job = { model: 'cnn', scheme: 'irregular', density: 0.1, batchSize: 64 };
    const [laptop, orin, pi, nano] = await Promise.all(['laptop', 'jetson-orin-nano', 'raspberry-pi-4', 'jetson-nano'].map(loadDeviceProfile));
    const ms = (profile: DeviceProfile) => modelledStepMs(profile, job);
    expect(ms(laptop)).toBeLessThan(ms(orin));
    expect(ms(orin)).toBeLessThan(ms(pi));
    expect(ms(pi)).toBeLessThan(ms(nano));
  });
});
