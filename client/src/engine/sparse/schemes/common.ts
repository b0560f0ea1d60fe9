// Helpers shared by the scheme implementations: argument checks, count rounding and random sampling.
import type { Rng } from '../../util/rng.js';
import { layerSize, type LayerShape, type Mask } from '../types.js';

export function assertLayerArrays(scheme: string, shape: LayerShape, arrays: Record<string, ArrayLike<number> | undefined>): void {
  const size = layerSize(shape);
  for (const [name, array] of Object.entries(arrays)) {
    if (array !== undefined && array.length !== size) {
      throw new RangeError(`${scheme}: ${name} has ${array.length} entries, layer [${describeShape(shape)}] has ${size}`);
    }
  }
}

export function describeShape(shape: LayerShape): string {
  return shape.kind === 'linear' ? `${shape.out}, ${shape.in}` : `${shape.out}, ${shape.in}, ${shape.kh}, ${shape.kw}`;
}

/** Rounds `count` weights to whole groups of `groupSize`, clamped to [0, groups·groupSize]. */
export function roundToGroups(count: number, groupSize: number, groups: number): number {
  if (!Number.isFinite(count)) throw new RangeError(`count must be finite, got ${count}`);
  const wholeGroups = Math.round(Math.max(0, count) / groupSize);
  return Math.min(wholeGroups, groups) * groupSize;
}

/** `k` distinct entries of `pool`, uniformly without replacement (partial Fisher–Yates on a copy), ascending. */
export function sampleWithoutReplacement(pool: Uint32Array, k: number, rng: Rng): Uint32Array {
  const items = pool.slice();
  const count = Math.max(0, Math.min(k, items.length));
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(items.length - i);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items.slice(0, count).sort();
}

/** Indices where `predicate` holds, in ascending order. */
export function indicesWhere(length: number, predicate: (index: number) => boolean): Uint32Array {
  const out = new Uint32Array(length);
  let count = 0;
  for (let i = 0; i < length; i++) if (predicate(i)) out[count++] = i;
  return out.slice(0, count);
}

export function isBinaryMask(mask: Mask, size: number): boolean {
  if (mask.length !== size) return false;
  for (let i = 0; i < mask.length; i++) if (mask[i] > 1) return false;
  return true;
}

/** |values| where the mask is active, 0 elsewhere (a plain loop: typed-array `from` with a map function is slow). */
export function maskedAbs(values: ArrayLike<number>, mask: Mask | undefined): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < out.length; i++) out[i] = mask === undefined || mask[i] ? Math.abs(values[i]) : 0;
  return out;
}
