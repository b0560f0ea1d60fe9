// Row grouping for shuffled blocks (DSB `extract_dense` step 2): cosine distance between the binary mask rows,
// agglomerative clustering with complete linkage, clusters ordered by size, then cut into groups of B rows.
// Clustering uses the nearest-neighbour chain algorithm: O(n²) time and memory for n rows (n ≤ 512 in practice).
import type { Mask } from '../types.js';

/** Rows of a [rows × columns] binary mask packed 32 columns to a word. */
export interface PackedRows {
  readonly rows: number;
  readonly words: number;
  readonly bits: Uint32Array;
  readonly counts: Uint32Array;
}

export function packRows(mask: Mask, rows: number, columns: number): PackedRows {
  const words = Math.ceil(columns / 32);
  const bits = new Uint32Array(rows * words);
  const counts = new Uint32Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * columns;
    for (let c = 0; c < columns; c++) {
      if (mask[base + c]) {
        bits[r * words + (c >>> 5)] |= 1 << (c & 31);
        counts[r]++;
      }
    }
  }
  return { rows, words, bits, counts };
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** 1 − cosine similarity of every pair of rows; a row with no active entry has similarity 0 to everything. */
export function cosineDistances(packed: PackedRows): Float64Array {
  const { rows, words, bits, counts } = packed;
  const distances = new Float64Array(rows * rows);
  for (let a = 0; a < rows; a++) {
    for (let b = a + 1; b < rows; b++) {
      let shared = 0;
      if (counts[a] > 0 && counts[b] > 0) {
        for (let w = 0; w < words; w++) shared += popcount(bits[a * words + w] & bits[b * words + w]);
      }
      const similarity = shared === 0 ? 0 : shared / Math.sqrt(counts[a] * counts[b]);
      const distance = Math.max(0, 1 - similarity);
      distances[a * rows + b] = distance;
      distances[b * rows + a] = distance;
    }
  }
  return distances;
}

/**
 * Complete-linkage agglomerative clustering of n points into `clusters` clusters. `distances` (n×n, symmetric) is
 * consumed. Returns a cluster label per point; labels are the smallest member index of each cluster.
 */
export function completeLinkage(distances: Float64Array, n: number, clusters: number): Uint32Array {
  const merges: { a: number; b: number; height: number }[] = [];
  const active = new Uint8Array(n).fill(1);
  const chain: number[] = [];
  for (let remaining = n; remaining > 1; remaining--) {
    if (chain.length === 0) chain.push(active.indexOf(1));
    for (;;) {
      const top = chain[chain.length - 1];
      const previous = chain.length > 1 ? chain[chain.length - 2] : -1;
      // Nearest active neighbour of `top`; ties prefer the previous chain element (keeps the chain acyclic),
      // then the lowest index.
      let nearest = -1;
      let best = Infinity;
      for (let c = 0; c < n; c++) {
        if (!active[c] || c === top) continue;
        const d = distances[top * n + c];
        if (d < best) {
          best = d;
          nearest = c;
        }
      }
      if (previous >= 0 && distances[top * n + previous] <= best) nearest = previous;
      if (nearest === previous) break;
      chain.push(nearest);
    }
    const a = chain.pop()!;
    const b = chain.pop()!;
    const keep = Math.min(a, b);
    const drop = Math.max(a, b);
    merges.push({ a: keep, b: drop, height: distances[a * n + b] });
    for (let c = 0; c < n; c++) {
      if (!active[c] || c === a || c === b) continue;
      const d = Math.max(distances[a * n + c], distances[b * n + c]);
      distances[keep * n + c] = d;
      distances[c * n + keep] = d;
    }
    active[drop] = 0;
  }
  // Complete linkage is monotone, so cutting the dendrogram = applying the n − clusters lowest merges. A stable sort
  // keeps every merge after the merges that formed its operands (they were recorded earlier).
  const ordered = merges.map((merge, order) => ({ ...merge, order }));
  ordered.sort((x, y) => x.height - y.height || x.order - y.order);
  const parent = Uint32Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  for (const merge of ordered.slice(0, Math.max(0, n - clusters))) {
    const ra = find(merge.a);
    const rb = find(merge.b);
    if (ra < rb) parent[rb] = ra;
    else parent[ra] = rb;
  }
  return Uint32Array.from({ length: n }, (_, i) => find(i));
}

/**
 * Orders clusters by size (descending; ties by first appearance = smallest member), rows ascending inside a
 * cluster, concatenates them and cuts the list into consecutive groups of `groupSize` rows (a group may span
 * clusters). Requires rows % groupSize == 0.
 */
export function rowGroupsFromLabels(labels: Uint32Array, groupSize: number): Uint32Array[] {
  const members = new Map<number, number[]>();
  labels.forEach((label, row) => {
    const list = members.get(label);
    if (list) list.push(row);
    else members.set(label, [row]);
  });
  // Map iteration follows first appearance because rows are visited in ascending order.
  const clusters = [...members.values()];
  const order = clusters.map((_, i) => i).sort((x, y) => clusters[y].length - clusters[x].length || x - y);
  const rows = order.flatMap((i) => clusters[i]);
  const groups: Uint32Array[] = [];
  for (let start = 0; start < rows.length; start += groupSize) {
    groups.push(Uint32Array.from(rows.slice(start, start + groupSize)).sort());
  }
  return groups;
}

/** DSB's row shuffle: cluster the mask rows into max(rows/B, 1) clusters and cut into groups of B rows. */
export function clusterRowGroups(mask: Mask, rows: number, columns: number, blockSize: number): Uint32Array[] {
  const distances = cosineDistances(packRows(mask, rows, columns));
  const labels = completeLinkage(distances, rows, Math.max(Math.floor(rows / blockSize), 1));
  return rowGroupsFromLabels(labels, blockSize);
}
