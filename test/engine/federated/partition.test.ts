import { describe, expect, it } from 'vitest';
import { partitionAll, partitionExamples, type PartitionSpec } from '../../../client/src/engine/federated/index.js';
import { createRng } from '../../../client/src/engine/util/rng.js';

// 6,000 labels over 10 classes in a seeded random order.
const rng = createRng(11);
const labels = Int32Array.from({ length: 6000 }, () => rng.int(10));

function coverage(shards: Uint32Array[]): number[] {
  const all = shards.flatMap((shard) => Array.from(shard));
  return all.sort((a, b) => a - b);
}

/** Mean over clients of the total-variation distance between the client's label distribution and the whole set's. */
function labelSkew(shards: Uint32Array[]): number {
  const global = new Array(10).fill(0);
  for (const label of labels) global[label] += 1 / labels.length;
  let skew = 0;
  for (const shard of shards) {
    const local = new Array(10).fill(0);
    for (const position of shard) local[labels[position]] += 1 / shard.length;
    skew += local.reduce((sum, share, label) => sum + Math.abs(share - global[label]), 0) / 2;
  }
  return skew / shards.length;
}

describe.each<Omit<PartitionSpec, 'clientIndex'>>([
  { kind: 'iid', clients: 7, seed: 3 },
  { kind: 'dirichlet', alpha: 0.5, clients: 20, seed: 3 },
])('partition $kind', (spec) => {
  it('gives disjoint shards that cover every example, each increasing', () => {
    const shards = partitionAll(labels, { ...spec, clientIndex: 0 });
    expect(shards).toHaveLength(spec.clients);
    expect(coverage(shards)).toEqual(Array.from({ length: labels.length }, (_, i) => i));
    for (const shard of shards) for (let i = 1; i < shard.length; i++) expect(shard[i]).toBeGreaterThan(shard[i - 1]);
  });

  it('is reproducible from the seed and changes with it', () => {
    const one = partitionExamples(labels, { ...spec, clientIndex: 2 });
    expect(partitionExamples(labels, { ...spec, clientIndex: 2 })).toEqual(one);
    expect(partitionExamples(labels, { ...spec, clientIndex: 2, seed: 4 })).not.toEqual(one);
    expect(partitionAll(labels, { ...spec, clientIndex: 0 })[2]).toEqual(one);
  });
});

describe('partition sizes and skew', () => {
  it('IID shards differ in size by at most one and follow the label distribution', () => {
    const shards = partitionAll(labels, { kind: 'iid', clients: 7, seed: 1, clientIndex: 0 });
    const sizes = shards.map((shard) => shard.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(labelSkew(shards)).toBeLessThan(0.1);
  });

  it('label skew grows as alpha shrinks, and every Dirichlet shard keeps a minimum size', () => {
    const skews = [100, 1, 0.1].map((alpha) => {
      const shards = partitionAll(labels, { kind: 'dirichlet', alpha, clients: 20, seed: 5, clientIndex: 0 });
      for (const shard of shards) expect(shard.length).toBeGreaterThanOrEqual(10);
      return labelSkew(shards);
    });
    expect(skews[0]).toBeLessThan(skews[1]);
    expect(skews[1]).toBeLessThan(skews[2]);
    expect(skews[0]).toBeLessThan(0.15);
    expect(skews[2]).toBeGreaterThan(0.5);
  });

  it('refuses an invalid spec', () => {
    expect(() => partitionExamples(labels, { kind: 'iid', clients: 3, clientIndex: 3, seed: 1 })).toThrow(RangeError);
    expect(() => partitionExamples(labels, { kind: 'dirichlet', clients: 3, clientIndex: 0, seed: 1 })).toThrow(/alpha/);
    expect(() => partitionExamples(labels, { kind: 'iid', clients: 0, clientIndex: 0, seed: 1 })).toThrow(RangeError);
  });
});
