// Helpers shared by the scheme implementations: argument checks, count rounding and random sampling.
import type { Rng } from '../../util/rng.js';
import { activeCount } from '../allocation/count.js';
import { layerSize, type LayerShape, type Mask } from '../types.js';
import type { SchemeName, SparsityScheme } from './types.js';

/**
 * A scheme asked to structure a layer it cannot (e.g. 4×1 blocks on 10 output rows). The message names the scheme,
 * the layer (when the caller knows its name), its shape and why: `block scheme cannot structure layer "fc"
 * (linear [10, 33]): output count 10 is not divisible by 4 …`.
 */
export class SchemeNotApplicableError extends Error {
  constructor(
    readonly scheme: SchemeName,
    readonly shape: LayerShape,
    readonly reason: string,
    readonly layer?: string,
  ) {
    const which = layer === undefined ? `layer ${describeLayer(shape)}` : `layer "${layer}" (${describeLayer(shape)})`;
    super(`${scheme} scheme cannot structure ${which}: ${reason}`);
    this.name = 'SchemeNotApplicableError';
  }
}

/** Throws SchemeNotApplicableError when `scheme` cannot structure `shape`; `layer` names the layer in the message. */
export function assertSchemeApplies(scheme: Pick<SparsityScheme, 'name' | 'unsupportedReason'>, shape: LayerShape, layer?: string): void {
  const reason = scheme.unsupportedReason(shape);
  if (reason !== undefined) throw new SchemeNotApplicableError(scheme.name, shape, reason, layer);
}

/**
 * The count rule of the group schemes (irregular, block, channel, shuffled-block) for a density: the project-wide
 * activeCount round(d·N), rounded to whole groups by the scheme, and at least one group when d > 0 (e.g. channel
 * sparsity at d = 0.1 on a 3-input conv would otherwise keep round(0.3) = 0 channels and cut the layer off).
 */
export function groupedActiveCount(scheme: SparsityScheme, shape: LayerShape, density: number): number {
  const count = scheme.roundCount(shape, activeCount(shape, density));
  return count === 0 && density > 0 ? scheme.roundCount(shape, scheme.groupSize(shape)) : count;
}

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

/** `conv [6, 10, 3, 3]`, `linear [7, 13]`. */
export function describeLayer(shape: LayerShape): string {
  return `${shape.kind} [${describeShape(shape)}]`;
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
