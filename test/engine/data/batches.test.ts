import { describe, expect, it } from 'vitest';
import { batches, syntheticDataset, type Batch, type Dataset } from '../../../client/src/engine/data/index.js';
import { imagesOf } from './fixtures.js';

const dataset: Dataset = syntheticDataset({ inputShape: { height: 2, width: 2, channels: 1 }, numClasses: 4, size: 23, seed: 9 });

const order = (plan: Iterable<Batch>): number[] => [...plan].flatMap((batch) => Array.from(batch.ids));

describe('batches', () => {
  it('should visit every example once per epoch and keep the last partial batch', () => {
    const plan = batches(dataset, { batchSize: 5, epoch: 0, seed: 1 });
    const all = [...plan];

    expect(plan.numBatches).toBe(5);
    expect(plan.numExamples).toBe(23);
    expect(all.map((batch) => batch.size)).toEqual([5, 5, 5, 5, 3]);
    expect(all[4].x.length).toBe(3 * 4);
    expect(order(all).sort((a, b) => a - b)).toEqual([...Array(23).keys()]);
  });

  it('should repeat the same order for the same (seed, epoch) and change it across epochs and seeds', () => {
    const first = order(batches(dataset, { batchSize: 4, epoch: 2, seed: 1 }));

    expect(order(batches(dataset, { batchSize: 4, epoch: 2, seed: 1 }))).toEqual(first);
    expect(order(batches(dataset, { batchSize: 4, epoch: 3, seed: 1 }))).not.toEqual(first);
    expect(order(batches(dataset, { batchSize: 4, epoch: 2, seed: 2 }))).not.toEqual(first);
  });

  it('should yield the same batches when the plan is iterated twice', () => {
    const plan = batches(dataset, { batchSize: 4, epoch: 1, seed: 1, augment: true });
    const [a, b] = [[...plan], [...plan]];
    expect(b.map((batch) => Array.from(batch.x))).toEqual(a.map((batch) => Array.from(batch.x)));
  });

  it('should carry each example with its own label and pixels', () => {
    const [batch] = batches(dataset, { batchSize: 6, epoch: 0, seed: 4 });
    for (let i = 0; i < batch.size; i++) {
      const id = batch.ids[i];
      expect(batch.y[i]).toBe(dataset.labels[id]);
      expect(Array.from(batch.x.subarray(i * 4, i * 4 + 4))).toEqual(Array.from(imagesOf(dataset).subarray(id * 4, id * 4 + 4)));
    }
  });

  it('should leave out excluded ids', () => {
    const excludeIds = new Set([0, 5, 22]);
    const plan = batches(dataset, { batchSize: 8, epoch: 0, seed: 1, excludeIds });
    const seen = order(plan);

    expect(plan.numExamples).toBe(20);
    expect(seen).toHaveLength(20);
    for (const id of excludeIds) expect(seen).not.toContain(id);
  });

  it('should reject a non-positive batch size', () => {
    expect(() => batches(dataset, { batchSize: 0, epoch: 0, seed: 1 })).toThrow(/batchSize/);
  });
});
