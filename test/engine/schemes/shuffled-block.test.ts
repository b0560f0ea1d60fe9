import { describe, expect, it } from 'vitest';
import { ShuffledBlockScheme, extractShuffledBlocks, decomposeRows } from '../../../client/src/engine/sparse/schemes/shuffled-block.js';
import { completeLinkage, cosineDistances, packRows } from '../../../client/src/engine/sparse/schemes/row-clustering.js';
import { convShape, countActive, layerSize, linearShape, rowLength, type LayerShape } from '../../../client/src/engine/sparse/types.js';
import { createRng } from '../../../client/src/engine/util/rng.js';
import { checkSchemeInvariants, randomScores } from './invariants.js';

function randomMask(size: number, density: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  return Uint8Array.from({ length: size }, () => (rng.next() < density ? 1 : 0));
}

function expectDisjointBlocks(shape: LayerShape, B: number, result: ReturnType<typeof extractShuffledBlocks>, nblocks: number): void {
  expect(countActive(result.mask)).toBe(nblocks * B * B);
  expect(result.blocks.length).toBe(nblocks);
  const seenRows = new Set<number>();
  for (const rows of result.rowGroups) {
    expect(rows.length).toBe(B);
    for (const row of rows) {
      expect(seenRows.has(row)).toBe(false);
      seenRows.add(row);
    }
  }
  expect(seenRows.size).toBe(shape.out);
  const columnsPerGroup = new Map<number, Set<number>>();
  for (const block of result.blocks) {
    expect(block.columns.length).toBe(B);
    const used = columnsPerGroup.get(block.group) ?? new Set<number>();
    for (const column of block.columns) {
      expect(used.has(column)).toBe(false);
      used.add(column);
      for (const row of result.rowGroups[block.group]) expect(result.mask[row * rowLength(shape) + column]).toBe(1);
    }
    columnsPerGroup.set(block.group, used);
  }
}

describe(ShuffledBlockScheme.name, () => {
  const sut = new ShuffledBlockScheme(4);

  it.each([convShape(8, 4, 3, 3), linearShape(8, 12), convShape(16, 8, 1, 1), convShape(4, 8, 1, 1)])(
    'should keep every invariant on shape %o',
    (shape) => checkSchemeInvariants(sut, shape, 13),
  );

  it('should refuse shapes the blocks cannot tile', () => {
    expect(sut.unsupportedReason(convShape(6, 8, 3, 3))).toMatch(/output count 6/);
    expect(sut.unsupportedReason(convShape(8, 2, 2, 2))).toMatch(/input count 2/);
    expect(sut.unsupportedReason(linearShape(8, 6))).toMatch(/row length 6/);
    expect(new ShuffledBlockScheme().blockSize).toBe(16);
    expect(() => new ShuffledBlockScheme(0)).toThrow(RangeError);
  });

  it('should recognise unions of shuffled blocks and reject anything else', () => {
    const shape = linearShape(4, 4);
    const B = 2;
    const scheme = new ShuffledBlockScheme(B);
    // rows {0, 2} × columns {1, 3} and rows {1, 3} × columns {0, 1}
    const mask = new Uint8Array([0, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1, 1, 1, 0, 0]);
    expect(scheme.conforms(shape, mask)).toBe(true);
    expect(decomposeRows(mask, 4, 4, B)).toEqual([new Uint32Array([0, 2]), new Uint32Array([1, 3])]);
    mask[0] = 1;
    expect(scheme.conforms(shape, mask)).toBe(false);
  });
});

describe('extractShuffledBlocks', () => {
  it.each([
    [convShape(16, 8, 3, 3), 4, 10],
    [convShape(32, 16, 1, 1), 8, 3],
    [linearShape(8, 8), 4, 4],
  ])('should keep the DSB invariants on %o with B=%i and %i blocks', (shape, B, nblocks) => {
    // Prepare
    const size = layerSize(shape);
    const magnitudes = randomScores(size, createRng(2));
    const mask = randomMask(size, 0.3, 3);
    // Execute
    const result = extractShuffledBlocks({ shape, magnitudes, mask, blockSize: B, nblocks });
    // Assert
    expectDisjointBlocks(shape, B, result, nblocks);
  });

  it('should group rows with identical masks and pick the blocks with the largest masked magnitudes', () => {
    // 4 rows × 4 columns, B = 2: rows 0 and 3 share columns {0, 1}; rows 1 and 2 share columns {2, 3}.
    const shape = linearShape(4, 4);
    const mask = new Uint8Array([1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0]);
    const magnitudes = new Float32Array(16).fill(1);
    const result = extractShuffledBlocks({ shape, magnitudes, mask, blockSize: 2, nblocks: 2 });
    expect(result.rowGroups).toEqual([new Uint32Array([0, 3]), new Uint32Array([1, 2])]);
    expect(result.mask).toEqual(mask);
  });

  it('should fall back to zero-score blocks when too few positive candidates exist', () => {
    const shape = linearShape(4, 4);
    const mask = new Uint8Array(16);
    mask[0] = 1;
    const result = extractShuffledBlocks({ shape, magnitudes: new Float32Array(16).fill(1), mask, blockSize: 2, nblocks: 3 });
    expectDisjointBlocks(shape, 2, result, 3);
    expect(result.mask[0]).toBe(1);
    expect(() => extractShuffledBlocks({ shape, magnitudes: new Float32Array(16), mask, blockSize: 2, nblocks: 5 })).toThrow(RangeError);
  });

  it('should score grown positions at the mean positive magnitude', () => {
    // Row pair {0,1}: column 3 is grown (weight 0) and must beat column 2 (masked out) to join column 0.
    const shape = linearShape(2, 4);
    const magnitudes = new Float32Array([4, 2, 0, 0, 4, 2, 0, 0]);
    const mask = new Uint8Array([1, 1, 0, 1, 1, 1, 0, 1]);
    const grownMask = new Uint8Array([0, 0, 0, 1, 0, 0, 0, 1]);
    const withGrowth = extractShuffledBlocks({ shape, magnitudes, mask, blockSize: 2, nblocks: 2, grownMask });
    expect(withGrowth.blocks[0].columns).toEqual(new Uint32Array([0, 3]));
    const without = extractShuffledBlocks({ shape, magnitudes, mask, blockSize: 2, nblocks: 1 });
    expect(without.blocks[0].columns).toEqual(new Uint32Array([0, 1]));
  });
});

/** Textbook O(n³) complete linkage: repeatedly merge the two clusters with the smallest maximum pairwise distance. */
function naiveCompleteLinkage(distances: Float64Array, n: number, clusters: number): number[] {
  let groups = Array.from({ length: n }, (_, i) => [i]);
  while (groups.length > clusters) {
    let best = [0, 1];
    let bestDistance = Infinity;
    for (let a = 0; a < groups.length; a++) {
      for (let b = a + 1; b < groups.length; b++) {
        const d = Math.max(...groups[a].flatMap((x) => groups[b].map((y) => distances[x * n + y])));
        if (d < bestDistance) {
          bestDistance = d;
          best = [a, b];
        }
      }
    }
    groups[best[0]] = [...groups[best[0]], ...groups[best[1]]];
    groups = groups.filter((_, i) => i !== best[1]);
  }
  const labels = new Array<number>(n);
  for (const group of groups) for (const member of group) labels[member] = Math.min(...group);
  return labels;
}

describe('completeLinkage', () => {
  it('should agree with textbook complete linkage on random distances', () => {
    const rng = createRng(21);
    for (let trial = 0; trial < 20; trial++) {
      const n = 2 + rng.int(14);
      const distances = new Float64Array(n * n);
      for (let a = 0; a < n; a++) {
        for (let b = a + 1; b < n; b++) distances[a * n + b] = distances[b * n + a] = rng.next();
      }
      const clusters = 1 + rng.int(n);
      const expected = naiveCompleteLinkage(distances, n, clusters);
      expect(Array.from(completeLinkage(Float64Array.from(distances), n, clusters))).toEqual(expected);
    }
  });

  it('should merge by the maximum pairwise distance', () => {
    // Points on a line at 0, 1, 3, 7: complete linkage into 2 clusters gives {0,1,3} and {7}.
    const points = [0, 1, 3, 7];
    const distances = Float64Array.from({ length: 16 }, (_, k) => Math.abs(points[k >> 2] - points[k & 3]));
    expect(Array.from(completeLinkage(distances, 4, 2))).toEqual([0, 0, 0, 3]);
    const chained = [0, 2, 4, 6.5];
    const d2 = Float64Array.from({ length: 16 }, (_, k) => Math.abs(chained[k >> 2] - chained[k & 3]));
    // Single linkage would chain everything; complete linkage splits into {0,2} and {4,6.5}.
    expect(Array.from(completeLinkage(d2, 4, 2))).toEqual([0, 0, 2, 2]);
  });

  it('should compute cosine distances of binary rows, with empty rows at distance 1', () => {
    const packed = packRows(new Uint8Array([1, 1, 0, 1, 0, 0, 0, 0, 0]), 3, 3);
    const d = cosineDistances(packed);
    expect(d[0 * 3 + 1]).toBeCloseTo(1 - 1 / Math.sqrt(2), 12);
    expect(d[0 * 3 + 2]).toBe(1);
  });

  it('should cluster 512 rows into exactly the requested number of clusters', () => {
    const rows = 512;
    const mask = randomMask(rows * 64, 0.2, 9);
    const labels = completeLinkage(cosineDistances(packRows(mask, rows, 64)), rows, 32);
    expect(new Set(labels).size).toBe(32);
  });
});
