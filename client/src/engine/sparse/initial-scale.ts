// The weight scale a sparse layer starts with. The model initialises every layer for its dense fan-in (Kaiming,
// Glorot); a method that then masks a layer to density d keeps only a fraction of that layer's squared weight norm
// (d of it for a random mask), so each sparse layer shrinks the signal by about sqrt(d) and a stack of them starts
// with vanishing activations and gradients: sparse-from-scratch training wastes its first epochs regaining scale.
// The trainer therefore rescales the weights each method kept at its initial draw so that every layer keeps its
// dense initial squared norm (Evci et al., "Gradient Flow in Sparse Neural Networks and How Lottery Tickets Win",
// AAAI 2022, scale the init by the sparse fan-in for the same reason). This is a deviation from the seeds' code,
// which masks the dense init as it is; it changes nothing for layers the draw left dense (dense, GMP, VRPGE).
// Pure over the SparseLayer surface.
import type { SparseLayer } from './types.js';

function squaredNorm(weights: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += weights[i] * weights[i];
  return sum;
}

/** Each layer's squared weight norm, taken before the method's initial mask draw. */
export function initialSquaredNorms(layers: readonly SparseLayer[]): number[] {
  return layers.map((layer) => squaredNorm(layer.readWeights()));
}

/** Scales every layer the draw thinned back to its squared norm of before the draw. */
export function restoreInitialScale(layers: readonly SparseLayer[], before: readonly number[]): void {
  layers.forEach((layer, i) => {
    const weights = layer.readWeights();
    const kept = squaredNorm(weights);
    if (!(kept > 0) || kept >= before[i]) return;
    const scale = Math.sqrt(before[i] / kept);
    for (let p = 0; p < weights.length; p++) weights[p] *= scale;
    layer.writeWeights(weights);
  });
}
