import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '../../../client/src/engine/checkpoint/restore.js';
import { CheckpointRestoreError } from '../../../client/src/engine/checkpoint/types.js';
import type { CheckpointInfo } from '../../../client/src/engine/train/checkpointing.js';
import { parseTrainConfig, type TrainConfig, type TrainConfigInput } from '../../../client/src/engine/train/config.js';
import { runTraining } from '../../../client/src/engine/train/run.js';
import type { TrainProgress, TrainResult } from '../../../client/src/engine/train/types.js';

// 256 examples in batches of 32: 8 steps per epoch, 24 in the run.
const base = (overrides: TrainConfigInput) =>
  parseTrainConfig({
    model: 'mlp',
    data: { name: 'synthetic', trainLimit: 256, testLimit: 64 },
    batchSize: 32,
    epochs: 3,
    seed: 5,
    ...overrides,
  });

const rigl = base({
  method: 'rigl',
  density: 0.3,
  schedule: { kind: 'dst', updateInterval: 3, endFraction: 1 },
  optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9 },
  dataEfficiency: { removeCount: 32, removeEpoch: 2 },
});

const riglMaskedDense = parseTrainConfig({ ...rigl, compute: 'masked-dense' });

// MEST-EM&S updates at every epoch start by |w| + λ|g|, with g the dense gradient of the epoch's last step: a
// checkpoint at an epoch end must carry that gradient.
const mest = base({
  method: 'mest-ems',
  density: 0.2,
  schedule: { kind: 'mest', lowerBound: [0.85], upperBound: [0.8], decayEpochs: [], updateFrequency: 1, importanceLambda: 0.5 },
  optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9 },
});

// 4 epochs, the last two fine-tune with one fixed channel mask (drawn at step 16).
const vrpge = base({
  method: 'vrpge',
  allocation: 'uniform',
  density: 0.5,
  epochs: 4,
  schedule: { kind: 'vrpge', finetuneEpochs: 2 },
  optimizer: { kind: 'adam', lr: 0.005 },
});

interface Saved {
  readonly info: CheckpointInfo;
  readonly bytes: Uint8Array;
}

interface Outcome {
  readonly result: TrainResult;
  readonly checkpoints: Saved[];
  readonly progress: TrainProgress[];
}

async function train(config: TrainConfig, options: { resumeFrom?: Uint8Array; stopAfterStep?: number } = {}): Promise<Outcome> {
  const checkpoints: Saved[] = [];
  const progress: TrainProgress[] = [];
  const controller = new AbortController();
  const result = await runTraining(
    config,
    { onProgress: (p) => progress.push(p), progressEverySteps: 100, signal: controller.signal },
    {
      resumeFrom: options.resumeFrom,
      checkpoint: {
        everySteps: 5,
        onCheckpoint: (bytes, info) => {
          checkpoints.push({ info, bytes });
          if (options.stopAfterStep === info.step) controller.abort(new Error('interrupted'));
        },
      },
    },
  );
  return { result, checkpoints, progress };
}

function key(info: CheckpointInfo): string {
  return `${info.step}@${info.epoch}/${info.stepInEpoch}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

describe('runTraining resume', () => {
  const uninterrupted = new Map<TrainConfig, Promise<Outcome>>();
  const fullRun = (config: TrainConfig): Promise<Outcome> => {
    let run = uninterrupted.get(config);
    if (run === undefined) uninterrupted.set(config, (run = train(config)));
    return run;
  };

  it.each([
    ['RigL with SGD momentum and data removal, from step 5', rigl, 5],
    ['RigL resumed at an epoch end, from step 8', rigl, 8],
    ['RigL on masked-dense compute, from step 10', riglMaskedDense, 10],
    ['MEST-EM&S with gradient importance, from the epoch end at step 16', mest, 16],
    ['VRPGE with Adam in the score phase, from step 10', vrpge, 10],
    ['VRPGE with Adam in the fine-tune phase, from step 20', vrpge, 20],
  ])('should end %s exactly as the uninterrupted run', async (_label, config, stopStep) => {
    // Prepare: the uninterrupted run, and an interrupted one that stops right after its checkpoint at stopStep
    const full = await fullRun(config);
    const interrupted = train(config, { stopAfterStep: stopStep });
    await expect(interrupted).rejects.toThrow('interrupted');
    const first = full.checkpoints.find((c) => c.info.step === stopStep);
    if (first === undefined) throw new Error(`no checkpoint at step ${stopStep}`);

    // Execute
    const resumed = await train(config, { resumeFrom: first.bytes });

    // Assert: every later checkpoint is byte-identical, and so is everything the result reports about the model
    const expected = new Map(full.checkpoints.map((c) => [key(c.info), c.bytes]));
    const later = resumed.checkpoints.filter((c) => c.info.step > stopStep);
    expect(later.length).toBeGreaterThan(0);
    for (const checkpoint of later) expect(sameBytes(checkpoint.bytes, expected.get(key(checkpoint.info)) ?? new Uint8Array())).toBe(true);
    expect(later.map((c) => key(c.info))).toEqual(full.checkpoints.filter((c) => c.info.step > stopStep).map((c) => key(c.info)));
    const pick = (r: TrainResult) => ({ steps: r.steps, epochs: r.epochs, testLoss: r.testLoss, testAccuracy: r.testAccuracy, layers: r.layers });
    expect(pick(resumed.result)).toEqual(pick(full.result));
    expect(resumed.progress[0]).toMatchObject({ phase: 'loading', step: stopStep });
    expect(tf.memory().numTensors).toBe(0);
  });

  it('should take checkpoints at batch boundaries: every N steps inside epochs and at the end of every epoch but the last', async () => {
    // Execute
    const { checkpoints } = await fullRun(rigl);

    // Assert: step 5 (epoch 0, batch 5), epoch end 8, 10, 15, epoch end 16, 20 (epoch 2 has 7 batches after the
    // removal of 32 examples); none at the end (step 23)
    expect(checkpoints.map((c) => key(c.info))).toEqual(['5@0/5', '8@1/0', '10@1/2', '15@1/7', '16@2/0', '20@2/4']);
    const decoded = decodeCheckpoint(checkpoints[4].bytes);
    expect(decoded.removedExampleIds).toEqual([]);
    expect(decodeCheckpoint(checkpoints[5].bytes).removedExampleIds).toHaveLength(32);
    expect(decoded.maskUpdates).toBe(5);
  });

  it('should resume a checkpoint taken on the sparse kernels with masked-dense compute', async () => {
    // Prepare
    const { checkpoints, result } = await fullRun(rigl);
    expect(result.compute).toBe('sparse-kernels');

    // Execute
    const resumed = await train(riglMaskedDense, { resumeFrom: checkpoints[1].bytes });

    // Assert
    expect(resumed.result.compute).toBe('masked-dense');
    expect(resumed.progress[0]).toMatchObject({ phase: 'loading', step: checkpoints[1].info.step });
    expect(resumed.result.steps).toBe(result.steps);
    expect(resumed.result.layers.map((l) => l.active)).toEqual(result.layers.map((l) => l.active));
  });

  it('should refuse to resume a checkpoint of another config', async () => {
    // Prepare
    const { checkpoints } = await fullRun(rigl);
    const other = parseTrainConfig({ ...rigl, seed: 6 });

    // Execute
    const attempt = train(other, { resumeFrom: checkpoints[0].bytes });

    // Assert
    await expect(attempt).rejects.toThrow(CheckpointRestoreError);
    await expect(attempt).rejects.toThrow(/different training config/);
  });
});
