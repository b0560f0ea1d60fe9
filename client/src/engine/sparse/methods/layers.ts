// Which layers a method may touch, and their densities. Layers at density 1 in ctx.layerDensities (profiles:
// unlisted layers; ERK: forced-dense layers) are never masked or mutated by any method.
import { layerSize, type SparseLayer } from '../types.js';
import { schemeForLayer } from './prune-and-grow.js';
import type { MethodContext } from './types.js';

/** The layer's allocated density; a layer missing from the map gets the overall density. */
export function layerDensity(ctx: MethodContext, layer: SparseLayer): number {
  return ctx.layerDensities.get(layer.name) ?? ctx.density;
}

/** Layers a method masks and mutates: every layer whose allocated density is below 1. */
export function maskedLayers(ctx: MethodContext): SparseLayer[] {
  return ctx.layers.filter((layer) => layerDensity(ctx, layer) < 1);
}

/** Active-weight target of a layer at its allocated density, counted by the scheme that structures it. */
export function allocatedActiveCount(ctx: MethodContext, layer: SparseLayer): number {
  return schemeActiveCount(ctx, layer, layerDensity(ctx, layer));
}

/**
 * Active weights of `layer` at `density` in the arithmetic of the scheme that structures it (the requested one, or
 * irregular where it cannot): round(d·N) to whole groups for most schemes, MEST's kernels-per-filter formula for
 * pattern layers (`SparsityScheme.activeCountAt`).
 */
export function schemeActiveCount(ctx: MethodContext, layer: SparseLayer, density: number): number {
  return schemeForLayer(ctx.scheme, layer.shape).activeCountAt(layer.shape, density);
}

/**
 * Scales per-layer densities by one common factor, capping at 1, so that the weighted overall density equals
 * `target` (the ERK rule with the given densities as the raw weights). Exact for ERK and uniform allocations when
 * scaling up: ERK's densities are proportional to raw_l below the cap and a capped layer stays capped.
 */
export function rescaleDensities(layers: readonly SparseLayer[], densities: readonly number[], target: number): number[] {
  const sizes = layers.map((layer) => layerSize(layer.shape));
  const total = sizes.reduce((a, b) => a + b, 0);
  const capped = new Set<number>();
  for (;;) {
    let cappedSize = 0;
    let freeMass = 0;
    densities.forEach((d, i) => {
      if (capped.has(i)) cappedSize += sizes[i];
      else freeMass += d * sizes[i];
    });
    const factor = freeMass > 0 ? (target * total - cappedSize) / freeMass : 0;
    const out = densities.map((d, i) => (capped.has(i) ? 1 : Math.max(0, d * factor)));
    const over = out.findIndex((d, i) => d > 1 && !capped.has(i));
    if (over < 0) return out;
    out.forEach((d, i) => {
      if (d > 1) capped.add(i);
    });
  }
}
