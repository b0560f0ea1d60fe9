import { describe, expect, it } from 'vitest';
import { createVrpge } from '../../../client/src/engine/sparse/methods/vrpge.js';
import { projectOntoBudget, scoreDirection, varianceReducedGradient } from '../../../client/src/engine/sparse/methods/vrpge-scores.js';
import { parseSchedule, type VrpgeSchedule } from '../../../client/src/engine/sparse/schedules/schema.js';
import { createScheme } from '../../../client/src/engine/sparse/schemes/registry.js';
import { convShape, linearShape } from '../../../client/src/engine/sparse/types.js';
import type { CustomStepContext } from '../../../client/src/engine/sparse/methods/types.js';
import type { ArrayLayer } from '../../../client/src/engine/sparse/array-layer.js';
import { makeContext, makeLayers, type LayerSpec } from './harness.js';

describe('projectOntoBudget', () => {
  it('should reproduce the spec §8.8 vectors', () => {
    const a = Float64Array.from([0.9, 0.8, 0.7, 0.2]);
    expect(projectOntoBudget(a, 2)).toBeCloseTo(0.15, 3);
    [0.75, 0.65, 0.55, 0.05].forEach((v, i) => expect(a[i]).toBeCloseTo(v, 3));
    const b = Float64Array.from([1.4, 0.1, 0.1, 0.1]);
    expect(projectOntoBudget(b, 2)).toBe(0);
    expect(Array.from(b)).toEqual([1, 0.1, 0.1, 0.1]);
    const c = Float64Array.from([1.4, 0.9, 0.1, 0.1]);
    expect(projectOntoBudget(c, 2)).toBeCloseTo(0.0333, 3);
    [1, 0.8667, 0.0667, 0.0667].forEach((v, i) => expect(c[i]).toBeCloseTo(v, 3));
  });
});

describe('varianceReducedGradient', () => {
  it('should equal (L1 − L2)/2·(δ1 − δ2) for K = 2', () => {
    const s = [0.3, 0.6];
    const d1 = scoreDirection([1, 0], s, 'sqrt');
    const d2 = scoreDirection([0, 0], s, 'sqrt');
    const g = varianceReducedGradient([2, 1], [d1, d2]);
    g.forEach((value, i) => expect(value).toBeCloseTo(((2 - 1) / 2) * (d1[i] - d2[i]), 12));
    expect(d1[0]).toBeCloseTo(0.7 / Math.sqrt(0.21), 9);
    expect(scoreDirection([1], [0.3], 'variance')[0]).toBeCloseTo(0.7 / 0.21, 9);
  });
});

const SPECS: LayerSpec[] = [
  { name: 'conv1', shape: convShape(6, 3, 3, 3), density: 0.5 },
  { name: 'conv2', shape: convShape(10, 6, 3, 3), density: 0.5 },
  { name: 'fc', shape: linearShape(4, 10), density: 0.5 },
];

describe('createVrpge', () => {
  it('should sample K gated passes per step, keep the budget, never gate the classifier and fix a mask for fine-tuning', () => {
    // Prepare
    const schedule = parseSchedule({ kind: 'vrpge', samples: 2, keepFraction: 0.5, scoreLearningRate: 0.05, finetuneEpochs: 1 }) as VrpgeSchedule;
    const layers = makeLayers(SPECS, 2);
    const ctx = makeContext(layers, SPECS, { scheme: createScheme('irregular'), epochs: 3, stepsPerEpoch: 5 });
    const sut = createVrpge(schedule);
    sut.initialize(ctx);
    const conv = layers[0] as ArrayLayer;
    // Loss falls with the number of open channels among the first three of conv1, so their scores should rise.
    const step = (weights: number[]): CustomStepContext => ({
      lossAndGradients: () => {
        const gate = conv.readOutputGate()!;
        return { loss: 3 - (gate[0] + gate[1] + gate[2]), accumulate: (w) => weights.push(w) };
      },
    });
    let fineTuneGates: string | undefined;
    for (let s = 0; s < 15; s++) {
      const epoch = Math.floor(s / 5);
      const weights: number[] = [];
      // Execute
      sut.customStep!({ step: s, epoch }, ctx, step(weights));
      // Assert
      const scores = [...sut.channelScores().values()];
      const total = scores.reduce((sum, layer) => sum + layer.reduce((a, b) => a + b, 0), 0);
      expect(total).toBeLessThanOrEqual(0.5 * 16 + 1e-3);
      scores.forEach((layer) => layer.forEach((v) => expect(v >= 0 && v <= 1).toBe(true)));
      expect(layers[2].readOutputGate()).toBeNull();
      if (epoch < 2) expect(weights).toEqual([0.5, 0.5]);
      else {
        expect(weights).toEqual([1]);
        const gates = JSON.stringify(layers.slice(0, 2).map((l) => Array.from(l.readOutputGate()!)));
        fineTuneGates ??= gates;
        expect(gates).toBe(fineTuneGates);
        // The fixed mask is already in the layer masks, so the fine-tune phase computes only the open channels.
        layers.slice(0, 2).forEach((layer) => {
          const row = layer.shape.in * layer.shape.kh * layer.shape.kw;
          layer.readOutputGate()!.forEach((g, o) => expect(layer.mask.slice(o * row, (o + 1) * row).every((m) => m === g)).toBe(true));
        });
      }
    }
    expect(sut.channelScores().get('conv1')!.slice(0, 3).reduce((a, b) => a + b, 0)).toBeGreaterThan(1.5);
    expect(sut.weightLearningRate!({ step: 12, epoch: 2 }, 0.1)).toBe(schedule.finetuneLearningRate);
    expect(sut.weightLearningRate!({ step: 2, epoch: 0 }, 0.1)).toBe(0.1);
    // The fixed mask becomes whole zero rows of the layer masks; the gates go away.
    const gate = layers[1].readOutputGate()!;
    sut.onTrainingEnd!(ctx);
    expect(layers[1].readOutputGate()).toBeNull();
    const mask = layers[1].mask;
    const row = 6 * 9;
    gate.forEach((g, o) => expect(mask.slice(o * row, (o + 1) * row).every((m) => m === g)).toBe(true));
  });
});
