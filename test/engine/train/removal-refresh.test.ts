// RunOptions.removal.refresh: a newer fleet removal set at an epoch boundary, the run length recomputed for the
// rest, and exact resumes from checkpoints taken before and after the swap.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '../../../client/src/engine/checkpoint/restore.js';
import { datasetIdentityOf } from '../../../client/src/engine/data/index.js';
import { createDense } from '../../../client/src/engine/sparse/methods/dense.js';
import type { MethodContext, SparseTrainingMethod } from '../../../client/src/engine/sparse/methods/types.js';
import type { CheckpointInfo } from '../../../client/src/engine/train/checkpointing.js';
import { parseTrainConfig, type TrainConfig, type TrainConfigInput } from '../../../client/src/engine/train/config.js';
import type { FleetRemovalSet, RemovalRefresh } from '../../../client/src/engine/train/fleet-removal.js';
import { runTraining } from '../../../client/src/engine/train/run.js';
import type { ForgettingReport, RemovalRefreshEvent, TrainProgress, TrainResult } from '../../../client/src/engine/train/types.js';

// 128 synthetic examples in batches of 16. Version 1 removes ids 0..31 (96 kept: 6 steps per epoch, 18 in 3 epochs);
// version 2 removes ids 0..63 (64 kept: 4 steps per epoch). Refreshed at epoch 1: 6 + 2 × 4 = 14 steps.
const SEED = 21;
const config = (overrides: TrainConfigInput = {}) =>
  parseTrainConfig({ model: 'mlp', data: { name: 'synthetic', trainLimit: 128, testLimit: 32 }, batchSize: 16, epochs: 3, seed: SEED, ...overrides });
const range = (from: number, to: number) => Uint32Array.from({ length: to - from }, (_, i) => from + i);

async function removalSets(): Promise<{ v1: FleetRemovalSet; v2: FleetRemovalSet }> {
  const dataset = await datasetIdentityOf({ name: 'synthetic', seed: SEED, trainLimit: 128 });
  return { v1: { removedIds: range(0, 32), version: 1, dataset }, v2: { removedIds: range(0, 64), version: 2, dataset } };
}

/** Offers `next` from epoch `from` on, recording every call. */
function refreshOffering(next: FleetRemovalSet, from = 1): { refresh: RemovalRefresh; calls: [number, number][] } {
  const calls: [number, number][] = [];
  return { calls, refresh: async (epoch, version) => (calls.push([epoch, version]), epoch >= from ? next : undefined) };
}

function spyMethod(): { method: SparseTrainingMethod; contexts: MethodContext[] } {
  const dense = createDense();
  const contexts: MethodContext[] = [];
  return { contexts, method: { ...dense, initialize: (ctx) => (contexts.push(ctx), dense.initialize(ctx)) } };
}

describe('runTraining removal-set refresh', () => {
  it('should swap the set at the epoch boundary and recompute the run length for the rest', async () => {
    // Prepare
    const { v1, v2 } = await removalSets();
    const { refresh, calls } = refreshOffering(v2);
    const { method, contexts } = spyMethod();
    const reports: ForgettingReport[] = [];
    const events: RemovalRefreshEvent[] = [];
    const progress: TrainProgress[] = [];

    // Execute
    const result = await runTraining(
      config(),
      { onForgettingStats: (r) => reports.push(r), onRemovalRefresh: (e) => events.push(e), onProgress: (p) => progress.push(p), progressEverySteps: 1 },
      { method, forgettingReport: 'epoch', removal: { ...v1, refresh } },
    );

    // Assert
    expect(calls).toEqual([[1, 1], [2, 2]]);
    expect(events).toEqual([{ epoch: 1, kind: 'replaced', version: 2 }, { epoch: 2, kind: 'kept' }]);
    expect(result).toMatchObject({ steps: 14, epochs: 3, removalSetVersion: 2, removedExamples: 64, examplesSeen: 96 + 64 + 64 });
    expect(contexts[0]).toMatchObject({ stepsPerEpoch: 4, totalSteps: 14 });
    expect(contexts[0].epochStartStep?.(2)).toBe(10);
    const training = progress.filter((p) => p.phase === 'training');
    expect(training.filter((p) => p.step <= 6).every((p) => p.totalSteps === 18)).toBe(true);
    expect(training.filter((p) => p.step > 6).every((p) => p.totalSteps === 14)).toBe(true);
    // Epoch 0 trained ids 32..127; epochs 1 and 2 only 64..127.
    const last = reports[2].stats;
    expect(Array.from(last.ids)).toEqual(Array.from(range(32, 128)));
    expect(Array.from(last.presentations)).toEqual([...Array<number>(32).fill(1), ...Array<number>(64).fill(3)]);
  });

  it('should keep the current set when the refresh fails or offers an unusable set', async () => {
    // Prepare
    const { v1, v2 } = await removalSets();
    const failing: RemovalRefresh = async () => Promise.reject(new Error('coordinator unreachable'));
    const otherData = refreshOffering({ ...v2, dataset: { ...v2.dataset, contentHash: 'f'.repeat(64) } }).refresh;
    const everything = refreshOffering({ ...v2, removedIds: range(0, 128) }).refresh;

    // Execute
    const outcomes: { result: TrainResult; events: RemovalRefreshEvent[] }[] = [];
    for (const refresh of [failing, otherData, everything]) {
      const events: RemovalRefreshEvent[] = [];
      const result = await runTraining(config({ epochs: 2 }), { onRemovalRefresh: (e) => events.push(e) }, { removal: { ...v1, refresh } });
      outcomes.push({ result, events });
    }

    // Assert
    for (const { result, events } of outcomes) {
      expect(result).toMatchObject({ steps: 12, removalSetVersion: 1, removedExamples: 32 });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ epoch: 1, kind: 'refused' });
    }
    expect(outcomes[0].events[0]).toMatchObject({ reason: expect.stringContaining('coordinator unreachable') });
    expect(outcomes[1].events[0]).toMatchObject({ reason: expect.stringContaining('dataset mismatch') });
    expect(outcomes[2].events[0]).toMatchObject({ reason: expect.stringContaining('removes all') });
  });
});

describe('runTraining resume across a refresh', () => {
  // RigL with its default schedule (ΔT from the initial steps per epoch; cosine drop fraction up to a fraction of
  // totalSteps) and a cosine LR: the resumed run must initialise the method with the initial run length and then
  // follow the refreshed one.
  const rigl = config({ method: 'rigl', density: 0.3, optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9, lrSchedule: 'cosine' } });

  interface Saved {
    readonly info: CheckpointInfo;
    readonly bytes: Uint8Array;
  }

  async function train(trainConfig: TrainConfig, removal: { v1: FleetRemovalSet; v2: FleetRemovalSet }, options: { resumeFrom?: Uint8Array; stopAfterStep?: number } = {}) {
    const checkpoints: Saved[] = [];
    const reports: ForgettingReport[] = [];
    const controller = new AbortController();
    const result = await runTraining(
      trainConfig,
      { signal: controller.signal, onForgettingStats: (r) => reports.push(r) },
      {
        resumeFrom: options.resumeFrom,
        forgettingReport: 'final',
        removal: { ...removal.v1, refresh: refreshOffering(removal.v2).refresh },
        checkpoint: {
          everySteps: 3,
          onCheckpoint: (bytes, info) => {
            checkpoints.push({ info, bytes });
            if (options.stopAfterStep === info.step) controller.abort(new Error('interrupted'));
          },
        },
      },
    );
    return { result, checkpoints, reports };
  }

  it.each([
    ['mid-epoch after the swap, from step 9', 9],
    ['at the epoch end before the swap, from step 6', 6],
  ])('should end %s exactly as the uninterrupted run', async (_label, stopStep) => {
    // Prepare
    const sets = await removalSets();
    const full = await train(rigl, sets);
    await expect(train(rigl, sets, { stopAfterStep: stopStep })).rejects.toThrow('interrupted');
    const saved = full.checkpoints.find((c) => c.info.step === stopStep);
    if (saved === undefined) throw new Error(`no checkpoint at step ${stopStep}`);

    // Execute
    const resumed = await train(rigl, sets, { resumeFrom: saved.bytes });

    // Assert: later checkpoints byte-identical, same result and statistics
    const expected = new Map(full.checkpoints.map((c) => [c.info.step, c.bytes]));
    const later = resumed.checkpoints.filter((c) => c.info.step > stopStep);
    expect(later.length).toBeGreaterThan(0);
    for (const checkpoint of later) expect(Buffer.from(checkpoint.bytes).equals(Buffer.from(expected.get(checkpoint.info.step) ?? []))).toBe(true);
    const pick = (r: TrainResult) => ({ steps: r.steps, testLoss: r.testLoss, testAccuracy: r.testAccuracy, layers: r.layers, examplesSeen: r.examplesSeen, removalSetVersion: r.removalSetVersion });
    expect(pick(resumed.result)).toEqual(pick(full.result));
    expect(full.result.steps).toBe(14);
    expect(resumed.reports[0].stats).toEqual(full.reports[0].stats);
    expect(tf.memory().numTensors).toBe(0);
  });

  it('should record the refreshed set, where it took effect and the initial run length in checkpoints', async () => {
    const sets = await removalSets();

    const { checkpoints } = await train(rigl, sets);

    const before = decodeCheckpoint(checkpoints.find((c) => c.info.step === 6)!.bytes).fleetRemoval;
    const after = decodeCheckpoint(checkpoints.find((c) => c.info.step === 9)!.bytes).fleetRemoval;
    expect(before).toMatchObject({ set: { version: 1 }, fromStep: 0, fromEpoch: 0, initialStepsPerEpoch: 6, initialTotalSteps: 18 });
    expect(after).toMatchObject({ set: { version: 2 }, fromStep: 6, fromEpoch: 1, initialStepsPerEpoch: 6, initialTotalSteps: 18 });
    expect(decodeCheckpoint(checkpoints[checkpoints.length - 1].bytes).examplesSeen).toBeGreaterThan(96);
  });
});
