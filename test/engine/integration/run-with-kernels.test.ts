import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { requestedCompute } from '../../../client/src/engine/train/compute-setup.js';
import { parseTrainConfig, type TrainConfigInput } from '../../../client/src/engine/train/config.js';
import { jobSpecToTrainConfig, trainConfigToJobSpec } from '../../../client/src/engine/train/job-spec.js';
import { runTraining } from '../../../client/src/engine/train/run.js';
import type { TrainProgress, TrainResult } from '../../../client/src/engine/train/types.js';

const rigl = (compute: 'masked-dense' | 'sparse-kernels', overrides: TrainConfigInput = {}) =>
  parseTrainConfig({
    model: 'mlp',
    data: { name: 'synthetic', trainLimit: 192, testLimit: 64 },
    method: 'rigl',
    density: 0.2,
    allocation: 'uniform',
    // An update every 4 steps: RigL reads dense gradients and regrows, so compressed layers are remapped.
    schedule: { kind: 'dst', updateInterval: 4, endFraction: 1 },
    batchSize: 32,
    epochs: 2,
    seed: 5,
    compute,
    ...overrides,
  });

async function train(config: ReturnType<typeof rigl>): Promise<{ result: TrainResult; losses: number[]; updates: number }> {
  const progress: TrainProgress[] = [];
  const result = await runTraining(config, { onProgress: (p) => progress.push(p), progressEverySteps: 1 });
  const training = progress.filter((p) => p.phase === 'training');
  return { result, losses: training.map((p) => p.loss), updates: training[training.length - 1]?.maskUpdates ?? 0 };
}

describe('runTraining with sparse kernels', () => {
  it('should train RigL with compressed layers to the same losses as the masked-dense engine', async () => {
    // Execute
    const reference = await train(rigl('masked-dense'));
    const sut = await train(rigl('sparse-kernels'));

    // Assert
    expect(reference.result.compute).toBe('masked-dense');
    expect(sut.result.compute).toBe('sparse-kernels');
    expect(sut.result.kernelLayers).toEqual(['fc1', 'fc2', 'fc3']);
    // threads: 'auto' (default): the threads build on every core (at most 8) where Node gives shared memory.
    expect(sut.result.kernelThreads).toBe(Math.min(8, availableParallelism()));
    expect(sut.result.kernelVariant).toBe(availableParallelism() > 1 ? 'threads' : 'simd');
    expect(reference.result.kernelThreads).toBeUndefined();
    expect(sut.updates).toBeGreaterThan(1);
    expect(sut.updates).toBe(reference.updates);
    expect(sut.losses).toHaveLength(12);
    sut.losses.forEach((loss, i) => expect(loss).toBeCloseTo(reference.losses[i], 4));
    expect(sut.result.testLoss).toBeCloseTo(reference.result.testLoss, 4);
    expect(sut.result.finalDensity).toBeCloseTo(reference.result.finalDensity, 6);
    expect(sut.result.modelState?.ratio).toBeLessThan(0.6);
    expect(reference.result.modelState?.ratio).toBeGreaterThan(1);
  });

  it('should run the residual convs of ResNet-20 alone on the kernels and train like masked-dense', async () => {
    // Prepare
    const config = (compute: 'masked-dense' | 'sparse-kernels') =>
      parseTrainConfig({ model: 'resnet20', data: { name: 'synthetic', trainLimit: 16, testLimit: 8 }, method: 'static', density: 0.2, batchSize: 8, maxSteps: 2, seed: 3, compute });

    // Execute
    const reference = await runTraining(config('masked-dense'));
    const sut = await runTraining(config('sparse-kernels'));

    // Assert
    expect(sut.compute).toBe('sparse-kernels');
    // Stride-1 convs inside the blocks run alone; stride-2 3×3 convs stay masked-dense (the kernels run stride 1) and
    // say so; the small 1×1 shortcuts come out dense under ERK at this density.
    expect(sut.kernelLayers).toContain('layer1.0.conv1');
    expect(sut.kernelLayers).toContain('layer3.2.conv2');
    expect(sut.kernelLayers).not.toContain('layer2.0.conv1');
    expect(sut.kernelLayers).not.toContain('layer2.0.shortcut.0');
    const computeOf = (layer: string) => sut.layerCompute?.find((entry) => entry.layer === layer);
    expect(computeOf('layer2.0.conv1')).toMatchObject({ compute: 'masked-dense', reason: expect.stringMatching(/stride-2 3×3 conv/) });
    expect(computeOf('layer2.0.shortcut.0')).toMatchObject({ compute: 'masked-dense', reason: expect.stringMatching(/target density 1/) });
    expect(sut.testLoss).toBeCloseTo(reference.testLoss, 3);
  });

  it('should fall back to masked-dense with a reason when no layer is sparse', async () => {
    // Execute
    const { result } = await train(rigl('sparse-kernels', { method: 'dense', schedule: undefined, epochs: 1, maxSteps: 2 }));

    // Assert
    expect(result.compute).toBe('masked-dense');
    expect(result.computeFallbackReason).toMatch(/no layer has a target density below 1/);
  });

  it('should default to sparse kernels for sparse methods only, and carry an explicit choice through the job spec', () => {
    // Prepare
    const sparse = parseTrainConfig({ method: 'set' });
    const dense = parseTrainConfig({ method: 'dense' });
    const explicit = parseTrainConfig({ method: 'set', compute: 'masked-dense' });

    // Execute
    const roundTrip = jobSpecToTrainConfig(trainConfigToJobSpec(explicit));
    const unset = jobSpecToTrainConfig(trainConfigToJobSpec(sparse));

    // Assert
    expect(requestedCompute(sparse, true)).toBe('sparse-kernels');
    expect(requestedCompute(sparse, false)).toBe('masked-dense');
    expect(requestedCompute(dense, true)).toBe('masked-dense');
    expect(requestedCompute(explicit, true)).toBe('masked-dense');
    expect(roundTrip.compute).toBe('masked-dense');
    expect(unset.compute).toBeUndefined();
    expect(() => jobSpecToTrainConfig({ ...trainConfigToJobSpec(sparse), hyper: { ...trainConfigToJobSpec(sparse).hyper!, extra: { compute: 9 } } })).toThrow(/compute/);
  });
});
