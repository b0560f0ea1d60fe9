import { describe, expect, it } from 'vitest';
import { parseTrainConfig, TrainConfigError } from '../../../client/src/engine/train/config.js';

function issuesOf(input: unknown): readonly string[] {
  try {
    parseTrainConfig(input);
  } catch (error) {
    if (error instanceof TrainConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a TrainConfigError');
}

describe('parseTrainConfig', () => {
  it('should fill every default from an empty object', () => {
    // Execute
    const config = parseTrainConfig({});

    // Assert
    expect(config).toEqual({
      model: 'mlp',
      data: { name: 'fashion-mnist', shardIndex: 0, shardCount: 1, augment: false },
      method: 'dense',
      scheme: 'irregular',
      density: 1,
      allocation: 'erk',
      optimizer: {
        kind: 'sgd',
        lr: 0.05,
        momentum: 0.9,
        nesterov: false,
        weightDecay: 5e-4,
        lrSchedule: 'cosine',
        etaMin: 0,
        milestones: [0.5, 0.75],
        gamma: 0.1,
      },
      batchSize: 64,
      epochs: 1,
      seed: 1,
      erkPowerScale: 1,
    });
  });

  it('should default the density to 0.1 for sparse methods', () => {
    expect(parseTrainConfig({ method: 'rigl' }).density).toBe(0.1);
    expect(parseTrainConfig({ method: 'rigl', density: 0.05 }).density).toBe(0.05);
  });

  it.each([
    [{ optimizer: { lr: 0 } }, 'optimizer.lr: must be > 0'],
    [{ density: 1.5 }, 'density: must be in (0, 1]'],
    [{ density: 0 }, 'density: must be in (0, 1]'],
    [{ batchSize: 2.5 }, 'batchSize: must be an integer'],
    [
      { model: 'lenet' },
      'model: must be one of mlp, cnn, resnet20, resnet32, vgg, wrn-16-2, wrn-16-8, wrn-16-10, wrn-22-2, wrn-22-8, wrn-28-2, ' +
        'wrn-28-10, vgg16, vgg19, resnet18, resnet34, resnet50, resnet18-imagenet, resnet34-imagenet, resnet50-imagenet, ' +
        'mobilenetv2, mobilenetv2-0.5, mobilenetv2-0.35, mobilenetv2-imagenet, mobilenetv2-0.5-imagenet',
    ],
    [{ data: { name: 'mnist' } }, 'data.name: must be one of fashion-mnist, cifar10, cifar100, tiny-imagenet, synthetic, synthetic-imagenet'],
    [{ data: { shardIndex: 2, shardCount: 2 } }, 'data.shardIndex: must be < data.shardCount'],
    [{ allocation: 'profile' }, "profile: required when allocation is 'profile'"],
    [{ optimizer: { milestones: [0.5, 1.5] } }, 'optimizer.milestones[1]: must be < 1'],
    [{ epochs: 2, dataEfficiency: { removeCount: 10, removeEpoch: 2 } }, 'dataEfficiency.removeEpoch: must be < epochs'],
    [{ optimiser: {} }, 'optimiser: unknown field'],
    [{ method: 'rigl', schedule: { kind: 'mest' } }, "schedule.kind: method 'rigl' needs a 'dst' schedule"],
  ])('should name the field in errors for %o', (input, expected) => {
    expect(issuesOf(input)).toContain(expected);
  });

  it('should report schedule errors with the schedule path', () => {
    const issues = issuesOf({ method: 'rigl', schedule: { kind: 'dst', dropFraction: 2 } });
    expect(issues.some((issue) => issue.startsWith('schedule.dropFraction:'))).toBe(true);
  });
});

describe('parseTrainConfig schedule recipes', () => {
  it('should scale the fields a partial schedule leaves out to the run length', () => {
    const config = parseTrainConfig({
      method: 'granet',
      density: 0.1,
      epochs: 4,
      schedule: { kind: 'granet', finalDensity: 0.1 },
    });

    expect(config.schedule?.kind).toBe('granet');
    if (config.schedule?.kind !== 'granet') throw new Error('unreachable');
    expect(config.schedule.finalDensity).toBe(0.1);
    // The reference window ends at epoch 110 of 160; a 4-epoch run must finish pruning inside the run.
    expect(config.schedule.finalPruneEpoch).toBeLessThan(4);
  });

  it('should keep every field a complete schedule gives', () => {
    const schedule = { kind: 'dst', updateInterval: 7, dropFraction: 0.2, endFraction: 0.5 } as const;

    const config = parseTrainConfig({ method: 'rigl', epochs: 2, schedule });

    expect(config.schedule).toMatchObject(schedule);
  });

  it('should name the schedule field that is wrong', () => {
    expect(() =>
      parseTrainConfig({ method: 'mest-em', epochs: 3, schedule: { kind: 'mest', lowerBound: '0.92-1.5-0.9' } }),
    ).toThrowError(/schedule\.lowerBound\[1\]/);
  });
});
