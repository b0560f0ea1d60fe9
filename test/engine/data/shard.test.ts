// A job's dataset shard (what the coordinator serves a browser device) holds exactly the examples, ids, labels and
// order a Node agent with the files loads for the same spec, per-device partitions included, and refuses to decode
// as another selection or when damaged. Uses Debian's Fashion-MNIST where installed.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DatasetShardError,
  datasetShardSummary,
  decodeDatasetShard,
  deriveDatasetShard,
  loadDatasets,
  shardSelectionOf,
  type Dataset,
  type LoadDatasetsSpec,
} from '../../../client/src/engine/data/index.js';
import type { ByteExampleStore } from '../../../client/src/engine/data/store.js';

const FASHION_MNIST = '/usr/share/datasets/fashion-mnist';
const haveFiles = existsSync(FASHION_MNIST);

function pixelsOf(split: Dataset): Uint8Array {
  return (split.examples as ByteExampleStore).pixels;
}

function expectSameSplit(actual: Dataset, expected: Dataset): void {
  expect(actual.size).toBe(expected.size);
  expect(actual.ids).toEqual(expected.ids);
  expect(actual.labels).toEqual(expected.labels);
  expect(pixelsOf(actual)).toEqual(pixelsOf(expected));
  const one = new Float32Array(actual.examples.exampleLength);
  const other = new Float32Array(expected.examples.exampleLength);
  actual.examples.write(actual.size - 1, one, 0);
  expected.examples.write(expected.size - 1, other, 0);
  expect(one).toEqual(other);
}

describe.skipIf(!haveFiles)('dataset shards', () => {
  const spec: LoadDatasetsSpec = { name: 'fashion-mnist', path: FASHION_MNIST, trainLimit: 320, testLimit: 128, seed: 7 };

  it('holds the examples the Node loader selects for the job, in its order, with the full split\'s identity', async () => {
    const shard = await deriveDatasetShard(spec);
    const decoded = decodeDatasetShard(shard, shardSelectionOf(spec));
    const loaded = await loadDatasets(spec, { identity: true });

    expectSameSplit(decoded.train, loaded.train);
    expectSameSplit(decoded.test, loaded.test);
    expect(decoded.trainIdentity).toEqual(loaded.trainIdentity);
    expect(datasetShardSummary(shard)).toEqual({ selection: shardSelectionOf(spec), trainExamples: 320, testExamples: 128 });
    // Deterministic bytes: the same spec gives the same shard (and so the same content address).
    expect(await deriveDatasetShard(spec)).toEqual(shard);
  }, 60_000);

  it('derives each device\'s partition of a fleet-sharded job, and the partitions cover the limited set', async () => {
    const ids: number[] = [];
    for (let shardIndex = 0; shardIndex < 3; shardIndex++) {
      const partition = { ...spec, shardIndex, shardCount: 3 };
      const decoded = decodeDatasetShard(await deriveDatasetShard(partition), shardSelectionOf(partition));
      expectSameSplit(decoded.train, (await loadDatasets(partition)).train);
      ids.push(...decoded.train.ids);
    }
    const whole = (await loadDatasets(spec)).train.ids;
    expect(ids.sort((a, b) => a - b)).toEqual([...whole]);
  }, 60_000);

  it('refuses another selection, a damaged shard and generated data', async () => {
    const shard = await deriveDatasetShard(spec);
    expect(() => decodeDatasetShard(shard, shardSelectionOf({ ...spec, seed: 8 }))).toThrow(DatasetShardError);
    expect(() => decodeDatasetShard(shard.subarray(0, shard.length - 1), shardSelectionOf(spec))).toThrow(/truncated/);
    const badMagic = shard.slice();
    badMagic[0] = 0;
    expect(() => decodeDatasetShard(badMagic, shardSelectionOf(spec))).toThrow(/bad magic/);
    await expect(deriveDatasetShard({ name: 'synthetic', seed: 1, trainLimit: 64 })).rejects.toThrow(DatasetShardError);
    await expect(deriveDatasetShard({ ...spec, path: '/nonexistent/fashion-mnist' })).rejects.toThrow(/not found/);
  }, 60_000);
});
