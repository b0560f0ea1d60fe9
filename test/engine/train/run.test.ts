import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { SparseTrainingMethod } from '../../../client/src/engine/sparse/methods/types.js';
import { parseTrainConfig, type TrainConfigInput } from '../../../client/src/engine/train/config.js';
import { runTraining } from '../../../client/src/engine/train/run.js';
import type { TrainProgress } from '../../../client/src/engine/train/types.js';

const tiny = (overrides: TrainConfigInput = {}) =>
  parseTrainConfig({
    model: 'mlp',
    data: { name: 'synthetic', trainLimit: 256, testLimit: 128 },
    batchSize: 32,
    ...overrides,
  });

describe('runTraining', () => {
  it('should train a dense MLP on synthetic data above chance and report progress', async () => {
    // Prepare
    const progress: TrainProgress[] = [];

    // Execute
    const result = await runTraining(tiny({ epochs: 2 }), { onProgress: (p) => progress.push(p), progressEverySteps: 4 });

    // Assert
    expect(result).toMatchObject({ backend: 'wasm', dataSource: 'synthetic', syntheticData: true, method: 'dense' });
    expect(result.steps).toBe(16);
    expect(result.epochs).toBe(2);
    expect(result.finalDensity).toBe(1);
    // Chance is 0.1 (10 classes); 16 steps of the (overlapping, label-noised) synthetic task get well above it.
    expect(result.testAccuracy).toBeGreaterThan(0.15);
    expect(result.history.map((h) => h.epoch)).toEqual([0, 1]);
    expect(result.stepMsP90).toBeGreaterThanOrEqual(result.stepMsP50);
    expect(result.peakTensorBytes).toBeGreaterThan(0);
    expect(progress[0].phase).toBe('loading');
    expect(progress.filter((p) => p.phase === 'training').map((p) => p.step)).toEqual([4, 8, 12, 16]);
    const evaluations = progress.filter((p) => p.testAccuracy !== undefined);
    expect(evaluations.map((p) => p.phase)).toEqual(['evaluating', 'evaluating']);
    expect(evaluations[1].layers.map((l) => l.layer)).toEqual(['fc1', 'fc2', 'fc3']);
    expect(tf.memory().numTensors).toBe(0);
  });

  it('should change masks only inside method hooks and keep the tensor count stable across steps', async () => {
    // Prepare: a method that masks half of every layer once and then does nothing
    const drawn = new Map<string, Uint8Array>();
    const violations: string[] = [];
    const tensorCounts: number[] = [];
    const method: SparseTrainingMethod = {
      name: 'static',
      masksGradients: false,
      needsDenseGradient: () => false,
      initialize(ctx) {
        for (const layer of ctx.layers) {
          const mask = Uint8Array.from({ length: layer.mask.length }, (_, i) => (i % 2 === 0 ? 1 : 0));
          layer.setMask(mask);
          drawn.set(layer.name, mask);
        }
      },
      afterStep(info, ctx) {
        tensorCounts.push(tf.memory().numTensors);
        for (const layer of ctx.layers) {
          const expected = drawn.get(layer.name) ?? new Uint8Array();
          if (layer.mask.some((m, i) => m !== expected[i])) violations.push(`${layer.name} mask @${info.step}`);
          if (layer.readWeights().some((w, i) => expected[i] === 0 && w !== 0)) violations.push(`${layer.name} weight @${info.step}`);
        }
        return undefined;
      },
    };

    // Execute
    const result = await runTraining(tiny({ epochs: 2 }), {}, { method });

    // Assert
    expect(violations).toEqual([]);
    expect(result.finalDensity).toBeCloseTo(0.5, 5);
    expect(tensorCounts).toHaveLength(16);
    expect(new Set(tensorCounts.slice(1)).size).toBe(1);
  });

  it('should accumulate the passes of a custom step', async () => {
    // Prepare
    const losses: number[] = [];
    const method: SparseTrainingMethod = {
      name: 'vrpge',
      masksGradients: false,
      needsDenseGradient: () => false,
      initialize: () => undefined,
      customStep(_info, _ctx, step) {
        const first = step.lossAndGradients();
        const second = step.lossAndGradients();
        first.accumulate(0.5);
        second.accumulate(0.5);
        losses.push(first.loss);
        return { loss: (first.loss + second.loss) / 2 };
      },
    };

    // Execute
    const result = await runTraining(tiny({ epochs: 2 }), {}, { method });

    // Assert
    expect(losses).toHaveLength(16);
    expect(losses[15]).toBeLessThan(losses[0]);
    expect(result.testAccuracy).toBeGreaterThan(0.15);
    expect(tf.memory().numTensors).toBe(0);
  });

  it('should stop at maxSteps and drop the data-efficiency removal set at its epoch', async () => {
    // Execute
    const capped = await runTraining(tiny({ epochs: 3, maxSteps: 5 }));
    const reduced = await runTraining(
      tiny({ epochs: 2, dataEfficiency: { removeCount: 100, removeEpoch: 1, keepLowest: 0 } }),
    );

    // Assert
    expect(capped.steps).toBe(5);
    expect(capped.epochs).toBe(1);
    expect(reduced.steps).toBe(8 + Math.ceil(156 / 32));
  });

  it('should space training progress reports by progressMinIntervalMs as well as by steps', async () => {
    // Prepare
    const progress: TrainProgress[] = [];

    // Execute: an interval no step outlasts leaves each epoch's first due report
    await runTraining(tiny({ epochs: 2 }), { onProgress: (p) => progress.push(p), progressEverySteps: 4, progressMinIntervalMs: 1e9 });

    // Assert
    expect(progress.filter((p) => p.phase === 'training').map((p) => p.step)).toEqual([4, 12]);
    expect(progress.filter((p) => p.phase === 'evaluating')).toHaveLength(2);
  });

  it('should reject with an AbortError when the signal fires', async () => {
    // Prepare
    const controller = new AbortController();

    // Execute
    const run = runTraining(tiny({ epochs: 3 }), {
      signal: controller.signal,
      progressEverySteps: 2,
      onProgress: (p) => {
        if (p.phase === 'training') controller.abort();
      },
    });

    // Assert
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(tf.memory().numTensors).toBe(0);
  });

  it('should train a sparse method from the registry at the requested density', async () => {
    // Execute
    const result = await runTraining(tiny({ method: 'set', density: 0.2, allocation: 'uniform', epochs: 2 }));

    // Assert
    expect(result.method).toBe('set');
    expect(result.finalDensity).toBeCloseTo(0.2, 2);
    expect(result.history.reduce((sum, epoch) => sum + epoch.maskUpdates, 0)).toBeGreaterThan(0);
    expect(result.layers.every((layer) => Math.abs(layer.density - 0.2) < 0.01)).toBe(true);
  });
});
