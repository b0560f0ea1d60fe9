// Sparse tensor sets for the federated tests: the MLP's real layer shapes under ERK at a given density, masks drawn
// with a seeded generator, values from a normal.
import { maskableLayers } from '../../../client/src/engine/models/catalog.js';
import { allocateDensities } from '../../../client/src/engine/sparse/allocation/index.js';
import { createRng } from '../../../client/src/engine/util/rng.js';
import type { SparseTensor, SparseTensorSet } from '../../../client/src/engine/federated/index.js';

const MNIST = { height: 28, width: 28, channels: 1 };

/** fc weights as masked tensors (ERK densities), biases as dense tensors; `scale` sizes the values. */
export function mlpSet(density: number, seed: number, scale = 0.1): SparseTensorSet {
  const layers = maskableLayers('mlp', MNIST, 10);
  const densities = allocateDensities({ layers, density, allocation: 'erk' });
  const rng = createRng(seed);
  const tensors: SparseTensor[] = [];
  for (const layer of layers) {
    const size = layer.shape.out * layer.shape.in;
    const layerDensity = densities.get(layer.name) ?? 1;
    const mask = Uint8Array.from({ length: size }, () => (rng.next() < layerDensity ? 1 : 0));
    let active = 0;
    for (const bit of mask) active += bit;
    tensors.push({
      name: `${layer.name}.weight`,
      kind: 'masked',
      shape: [layer.shape.out, layer.shape.in, 1, 1],
      mask,
      values: Float32Array.from({ length: active }, () => scale * rng.normal()),
    });
    tensors.push({ name: `${layer.name}.bias`, kind: 'dense', shape: [layer.shape.out], values: Float32Array.from({ length: layer.shape.out }, () => scale * rng.normal()) });
  }
  return { tensors };
}

/** Bytes of every tensor as dense float32: the baseline a sparse upload is compared with. */
export function denseFloat32Bytes(set: SparseTensorSet): number {
  return set.tensors.reduce((sum, tensor) => sum + 4 * tensor.shape.reduce((product, dim) => product * dim, 1), 0);
}

/** The same set with every value replaced by `map(value)` (same masks). */
export function mapValues(set: SparseTensorSet, map: (value: number, tensor: SparseTensor) => number): SparseTensorSet {
  return { tensors: set.tensors.map((tensor) => ({ ...tensor, values: tensor.values.map((value) => map(value, tensor)) })) };
}
