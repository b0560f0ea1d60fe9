import { describe, expect, it } from 'vitest';
import { DataEfficiencySource, TrainingJobSpec, decodeProto, encodeProto, withDefaults } from '../../../protocol/src/index.js';
import { parseTrainConfig } from '../../../client/src/engine/train/config.js';
import { jobSpecToTrainConfig, trainConfigToJobSpec } from '../../../client/src/engine/train/job-spec.js';

describe('trainConfigToJobSpec', () => {
  it.each([
    {},
    {
      model: 'cnn',
      data: { name: 'cifar10', path: '/data/c10', trainLimit: 1000, testLimit: 200, shardIndex: 1, shardCount: 3, augment: true },
      method: 'rigl',
      scheme: 'block',
      density: 0.05,
      allocation: 'uniform',
      schedule: { kind: 'dst', updateInterval: 50, dropFraction: 0.2, decay: { kind: 'exponential', exponent: 2 } },
      optimizer: { kind: 'adam', lr: 0.001, momentum: 0.85, nesterov: true, weightDecay: 0, lrSchedule: 'multistep', milestones: [0.3], gamma: 0.5, clipNorm: 3 },
      batchSize: 128,
      epochs: 7,
      seed: 0,
      maxSteps: 40,
      backend: 'cpu',
      threads: 3,
      erkPowerScale: 0.5,
      dataEfficiency: { removeCount: 100, removeEpoch: 3, keepLowest: 5 },
    },
    {
      method: 'mest-ems',
      allocation: 'profile',
      profile: 'prune_ratios:\n  conv1.weight:\n    0.9\n',
      schedule: { kind: 'mest', lowerBound: '0.9-0.9', upperBound: '0.85-0.9', decayEpochs: '3', updateFrequency: 2 },
      optimizer: { lrSchedule: 'constant', etaMin: 0.001, momentum: 0 },
      threads: 'auto',
    },
  ])('should round-trip exactly through the protobuf wire form (%#)', (input) => {
    // Prepare
    const config = parseTrainConfig(input);

    // Execute
    const wire = encodeProto('sparsefleet.v1.TrainingJobSpec', trainConfigToJobSpec(config));
    const back = jobSpecToTrainConfig(decodeProto('sparsefleet.v1.TrainingJobSpec', wire));

    // Assert
    expect(back).toEqual(config);
  });

  it('should treat unset proto fields as config defaults', () => {
    // Execute
    const config = jobSpecToTrainConfig(withDefaults('sparsefleet.v1.TrainingJobSpec', { model: 'cnn', method: 'set', epochs: 2 }));

    // Assert
    expect(config.model).toBe('cnn');
    expect(config.method).toBe('set');
    expect(config.density).toBe(0.1);
    expect(config.optimizer.lr).toBe(0.05);
    expect(config.batchSize).toBe(64);
    expect(config.data.name).toBe('fashion-mnist');
  });

  it('should not make a fleet removal set or a zero removal count into a local MEST removal', () => {
    // Prepare
    const spec = (dataEfficiency: Record<string, unknown>) =>
      decodeProto('sparsefleet.v1.TrainingJobSpec', encodeProto('sparsefleet.v1.TrainingJobSpec', withDefaults('sparsefleet.v1.TrainingJobSpec', { epochs: 5, dataEfficiency })));

    // Execute
    const fleet = jobSpecToTrainConfig(spec({ source: DataEfficiencySource.DATA_EFFICIENCY_SOURCE_FLEET, removalSetId: 'rs-1', removeCount: 7, removeEpoch: 1 }));
    const zero = jobSpecToTrainConfig(spec({ source: DataEfficiencySource.DATA_EFFICIENCY_SOURCE_LOCAL, removeCount: 0, removeEpoch: 1 }));
    const local = jobSpecToTrainConfig(spec({ source: DataEfficiencySource.DATA_EFFICIENCY_SOURCE_LOCAL, removeCount: 7, removeEpoch: 1, keepLowest: 2 }));

    // Assert
    expect(fleet.dataEfficiency).toBeUndefined();
    expect(zero.dataEfficiency).toBeUndefined();
    expect(local.dataEfficiency).toEqual({ removeCount: 7, removeEpoch: 1, keepLowest: 2 });
  });

  it('should reject an invalid spec with the field named', () => {
    expect(() => jobSpecToTrainConfig(withDefaults('sparsefleet.v1.TrainingJobSpec', { model: 'lenet' }))).toThrow(/model: must be one of/);
  });
});
