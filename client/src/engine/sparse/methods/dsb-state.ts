// DSB's per-layer block structure (row shuffle + kept blocks) as method state for checkpoints. Integers travel as
// float32 values, exact below 2^24 (row and column indices of any catalog layer are far below that).
//   '<layer>/rowGroups': [groupCount, size_0 … size_{g-1}, rows of group 0, rows of group 1, …]
//   '<layer>/blocks':    [blockCount, then per block: group, columnCount, columns…]
import type { ExtractedBlocks, ShuffledBlock } from '../schemes/block-extraction.js';
import type { Mask } from '../types.js';
import { MethodStateError, requireEntry } from './method-state.js';
import type { MethodState } from './types.js';

const EXACT_LIMIT = 2 ** 24;

export function exportBlocks(layer: string, blocks: ExtractedBlocks): Record<string, Float32Array> {
  const groups: number[] = [blocks.rowGroups.length, ...blocks.rowGroups.map((rows) => rows.length)];
  for (const rows of blocks.rowGroups) groups.push(...rows);
  const kept: number[] = [blocks.blocks.length];
  for (const block of blocks.blocks) kept.push(block.group, block.columns.length, ...block.columns);
  return { [`${layer}/rowGroups`]: exactFloats(layer, groups), [`${layer}/blocks`]: exactFloats(layer, kept) };
}

export function importBlocks(state: MethodState, layer: string, mask: Mask, method: string): ExtractedBlocks {
  const groups = new Reader(requireEntry(state, `${layer}/rowGroups`, method), `${layer}/rowGroups`, method);
  const groupCount = groups.next();
  const sizes = Array.from({ length: groupCount }, () => groups.next());
  const rowGroups = sizes.map((size) => Uint32Array.from({ length: size }, () => groups.next()));
  groups.end();
  const kept = new Reader(requireEntry(state, `${layer}/blocks`, method), `${layer}/blocks`, method);
  const blockCount = kept.next();
  const blocks: ShuffledBlock[] = [];
  for (let b = 0; b < blockCount; b++) {
    const group = kept.next();
    if (group >= rowGroups.length) throw new MethodStateError(method, `${layer}: block ${b} refers to row group ${group} of ${rowGroups.length}`);
    const columnCount = kept.next();
    blocks.push({ group, columns: Uint32Array.from({ length: columnCount }, () => kept.next()) });
  }
  kept.end();
  return { mask: Uint8Array.from(mask), rowGroups, blocks };
}

function exactFloats(layer: string, values: readonly number[]): Float32Array {
  for (const value of values) if (value >= EXACT_LIMIT) throw new RangeError(`${layer}: block index ${value} is not exact in float32`);
  return Float32Array.from(values);
}

class Reader {
  private at = 0;

  constructor(
    private readonly values: Float32Array,
    private readonly key: string,
    private readonly method: string,
  ) {}

  next(): number {
    if (this.at >= this.values.length) throw new MethodStateError(this.method, `'${this.key}' is truncated`);
    const value = this.values[this.at++];
    if (!Number.isInteger(value) || value < 0) throw new MethodStateError(this.method, `'${this.key}' holds ${value}, not an index`);
    return value;
  }

  end(): void {
    if (this.at !== this.values.length) throw new MethodStateError(this.method, `'${this.key}' has ${this.values.length - this.at} extra values`);
  }
}
