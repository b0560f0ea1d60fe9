// Small pure helpers over SparseTensor: sizes, masks, and moving between the packed (values at the mask's
// positions) and the dense (every position, zeros elsewhere) form.
import type { SparseTensor, SparseTensorSet } from './contract.js';

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

export function activeCount(mask: Uint8Array): number {
  let active = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) active++;
  return active;
}

export function masksEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if ((a[i] !== 0) !== (b[i] !== 0)) return false;
  return true;
}

/** Throws for a repeated name. */
export function tensorsByName(set: SparseTensorSet): Map<string, SparseTensor> {
  const map = new Map<string, SparseTensor>();
  for (const tensor of set.tensors) {
    if (map.has(tensor.name)) throw new RangeError(`tensor '${tensor.name}' appears twice`);
    map.set(tensor.name, tensor);
  }
  return map;
}

/** Every position's value: the packed values scattered into their mask positions, zeros elsewhere. */
export function denseValues(tensor: SparseTensor): Float32Array {
  const mask = tensor.mask;
  if (mask === undefined) return Float32Array.from(tensor.values);
  const dense = new Float32Array(mask.length);
  let at = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) dense[i] = tensor.values[at++];
  return dense;
}

/** The values of `dense` at the positions of `mask`, in position order. */
export function gatherMasked(dense: ArrayLike<number>, mask: Uint8Array): Float32Array {
  const values = new Float32Array(activeCount(mask));
  let at = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) values[at++] = dense[i];
  return values;
}

/** A tensor of the same name, kind and shape as `like`, holding `dense` (packed under `mask` for masked ones). */
export function tensorLike(like: SparseTensor, dense: Float32Array, mask?: Uint8Array): SparseTensor {
  if (like.kind !== 'masked') return { name: like.name, kind: like.kind, shape: like.shape, values: dense };
  const kept = mask ?? like.mask;
  if (kept === undefined) throw new RangeError(`masked tensor '${like.name}' has no mask`);
  return { name: like.name, kind: like.kind, shape: like.shape, mask: kept, values: gatherMasked(dense, kept) };
}

/** Overall density of the masked tensors (1 when there are none). */
export function maskedDensity(set: SparseTensorSet): number {
  let active = 0;
  let total = 0;
  for (const tensor of set.tensors) {
    if (tensor.mask === undefined) continue;
    active += activeCount(tensor.mask);
    total += tensor.mask.length;
  }
  return total === 0 ? 1 : active / total;
}
