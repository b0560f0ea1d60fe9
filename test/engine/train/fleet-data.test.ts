// Fleet data efficiency in the run: removal sets, forgetting reports, dataset identity checks.
import { describe, expect, it } from 'vitest';
import { decodeForgettingStats, encodeForgettingStats, forgettingStatsMessage, readForgettingStats } from '../../../protocol/src/index.js';
import { DatasetMismatchError, datasetIdentityOf, loadDatasets } from '../../../client/src/engine/data/index.js';
import { createDense } from '../../../client/src/engine/sparse/methods/dense.js';
import type { MethodContext, SparseTrainingMethod } from '../../../client/src/engine/sparse/methods/types.js';
import { parseTrainConfig, type TrainConfigInput } from '../../../client/src/engine/train/config.js';
import { RemovalSetError } from '../../../client/src/engine/train/fleet-removal.js';
import { runTraining } from '../../../client/src/engine/train/run.js';
import type { ForgettingReport, TrainProgress } from '../../../client/src/engine/train/types.js';

// 64 synthetic examples (ids 0..63) in batches of 16: 4 steps per epoch on the full split.
const SEED = 11;
const tiny = (overrides: TrainConfigInput = {}) =>
  parseTrainConfig({ model: 'mlp', data: { name: 'synthetic', trainLimit: 64, testLimit: 32 }, batchSize: 16, epochs: 2, seed: SEED, ...overrides });
const identity = () => datasetIdentityOf({ name: 'synthetic', seed: SEED, trainLimit: 64 });
const range = (from: number, to: number) => Uint32Array.from({ length: to - from }, (_, i) => from + i);

/** The dense method, remembering the context the trainer initialised it with. */
function spyMethod(): { method: SparseTrainingMethod; contexts: MethodContext[] } {
  const dense = createDense();
  const contexts: MethodContext[] = [];
  return { contexts, method: { ...dense, initialize: (ctx) => (contexts.push(ctx), dense.initialize(ctx)) } };
}

describe('runTraining with a fleet removal set', () => {
  it('should train exactly the kept ids with a run length computed for them', async () => {
    // Prepare: 20 of 64 removed -> 44 kept, ceil(44 / 16) = 3 steps per epoch, 6 in the run
    const dataset = await identity();
    const reports: ForgettingReport[] = [];
    const progress: TrainProgress[] = [];
    const { method, contexts } = spyMethod();

    // Execute
    const result = await runTraining(
      tiny(),
      { onForgettingStats: (report) => reports.push(report), onProgress: (p) => progress.push(p) },
      { method, forgettingReport: 'final', removal: { removedIds: range(0, 20), version: 3, dataset } },
    );

    // Assert
    expect(Array.from(reports[0].stats.ids)).toEqual(Array.from(range(20, 64)));
    expect(reports[0].stats.presentations.every((count) => count === 2)).toBe(true);
    expect(contexts[0]).toMatchObject({ stepsPerEpoch: 3, totalSteps: 6, epochs: 2 });
    expect(result).toMatchObject({ steps: 6, examplesSeen: 88, removedExamples: 20, removalSetVersion: 3 });
    expect(progress.every((p) => p.totalSteps === 6)).toBe(true);
  });

  it('should count only the removed ids of this device shard', async () => {
    // Prepare: shard 1 of 2 holds about half of the 64 ids; the set removes ids 0..39 of the whole split
    const dataset = await identity();
    const reports: ForgettingReport[] = [];
    const data = { name: 'synthetic' as const, trainLimit: 64, testLimit: 32, shardIndex: 1, shardCount: 2 };
    const shardIds = Array.from((await loadDatasets({ ...data, seed: SEED })).train.ids).sort((a, b) => a - b);
    const kept = shardIds.filter((id) => id >= 40);

    // Execute
    const result = await runTraining(tiny({ data }), { onForgettingStats: (r) => reports.push(r) }, { forgettingReport: 'final', removal: { removedIds: range(0, 40), version: 1, dataset } });

    // Assert
    expect(kept.length).toBeGreaterThan(0);
    expect(Array.from(reports[0].stats.ids)).toEqual(kept);
    expect(result.removedExamples).toBe(shardIds.length - kept.length);
    expect(result.steps).toBe(2 * Math.ceil(kept.length / 16));
    expect(result.examplesSeen).toBe(2 * kept.length);
  });

  it('should refuse a set about other data and a set that removes the whole split', async () => {
    const dataset = await identity();
    const other = { ...dataset, contentHash: '0'.repeat(64) };
    let progressed = false;
    const callbacks = { onProgress: () => void (progressed = true) };

    await expect(runTraining(tiny(), callbacks, { removal: { removedIds: range(0, 4), version: 1, dataset: other } })).rejects.toThrow(DatasetMismatchError);
    await expect(runTraining(tiny(), callbacks, { removal: { removedIds: range(0, 64), version: 2, dataset } })).rejects.toThrow(RemovalSetError);
    expect(progressed).toBe(false);
  });
});

describe('runTraining forgetting reports', () => {
  it('should report cumulative statistics after every epoch with epochsObserved 1..E, the last one final', async () => {
    // Prepare
    const dataset = await identity();
    const reports: ForgettingReport[] = [];

    // Execute
    const result = await runTraining(tiny({ epochs: 3 }), { onForgettingStats: (r) => reports.push(r) }, { forgettingReport: 'epoch' });

    // Assert
    expect(reports.map((r) => [r.epoch, r.epochsObserved, r.final])).toEqual([[1, 1, false], [2, 2, false], [3, 3, true]]);
    reports.forEach((report, i) => {
      expect(report.dataset).toEqual(dataset);
      expect(Array.from(report.stats.ids)).toEqual(Array.from(range(0, 64)));
      expect(report.stats.presentations.every((count) => count === i + 1)).toBe(true);
      expect(report.stats.firstLearned.every((epoch) => epoch <= i + 1)).toBe(true);
    });
    const events = (r: ForgettingReport) => r.stats.forgettingEvents.reduce((a, b) => a + b, 0);
    expect(events(reports[2])).toBeGreaterThanOrEqual(events(reports[1]));
    expect(reports[2].stats.firstLearned.some((epoch) => epoch > 0)).toBe(true);
    expect(result).toMatchObject({ examplesSeen: 192, removedExamples: 0, removalSetVersion: 0 });
    // What the agent sends passes the coordinator's validation unchanged.
    const wire = decodeForgettingStats(encodeForgettingStats(forgettingStatsMessage(reports[2])));
    expect(readForgettingStats(wire)).toEqual(reports[2]);
  });

  it('should report once at the end with the final cadence and not at all without one', async () => {
    const final: ForgettingReport[] = [];
    const none: ForgettingReport[] = [];

    await runTraining(tiny(), { onForgettingStats: (r) => final.push(r) }, { forgettingReport: 'final' });
    await runTraining(tiny({ epochs: 1 }), { onForgettingStats: (r) => none.push(r) });

    expect(final.map((r) => [r.epoch, r.epochsObserved, r.final])).toEqual([[2, 2, true]]);
    expect(none).toEqual([]);
  });

  it('should stay job-cumulative across the local MEST removal', async () => {
    // Prepare: the run's own removal drops 16 ids at the start of epoch 1
    const reports: ForgettingReport[] = [];
    const config = tiny({ epochs: 3, dataEfficiency: { removeCount: 16, removeEpoch: 1 } });

    // Execute
    const result = await runTraining(config, { onForgettingStats: (r) => reports.push(r) }, { forgettingReport: 'epoch' });

    // Assert: every id keeps its epoch-0 presentation; the 48 kept ones add two more
    const last = reports[2].stats;
    expect(last.ids.length).toBe(64);
    const counts = Array.from(last.presentations);
    expect(counts.filter((c) => c === 1).length).toBe(16);
    expect(counts.filter((c) => c === 3).length).toBe(48);
    expect(result.removedExamples).toBe(16);
  });
});

describe('runTraining expectedDataset', () => {
  it('should throw DatasetMismatchError before the first step when the data differs, and train when it matches', async () => {
    const dataset = await identity();
    const progress: TrainProgress[] = [];

    await expect(
      runTraining(tiny({ seed: SEED + 1 }), { onProgress: (p) => progress.push(p) }, { expectedDataset: dataset }),
    ).rejects.toThrow(DatasetMismatchError);
    expect(progress).toEqual([]);
    const result = await runTraining(tiny({ epochs: 1 }), {}, { expectedDataset: dataset });
    expect(result.steps).toBe(4);
  });
});
