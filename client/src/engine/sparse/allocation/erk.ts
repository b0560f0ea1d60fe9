// Erdős–Rényi(-Kernel) layer-wise densities (RigL `get_sparsities_erdos_renyi`, float budget as GraNet and DSB).
import type { LayerShape, MaskableLayerInfo } from '../types.js';

export interface ErkOptions {
  /** Exponent p applied to the raw ER score (RigL's erk_power_scale); default 1. */
  readonly powerScale?: number;
  /** true = ERK over all kernel dims (default); false = ER over (out, in) only. */
  readonly kernel?: boolean;
}

export interface ErkSolution {
  /** Density per layer name; 1 for layers forced dense. */
  readonly densities: Map<string, number>;
  /** The scale ε of the final iteration: d_l = ε·raw_l for layers not forced dense. */
  readonly epsilon: number;
  readonly forcedDense: ReadonlySet<string>;
}

export function erkDensities(layers: readonly MaskableLayerInfo[], density: number, options: ErkOptions = {}): Map<string, number> {
  return solveErk(layers, density, options).densities;
}

/**
 * Finds ε with Σ_l d_l·N_l = d·Σ_l N_l. Whenever the largest ε·raw_l exceeds 1, EVERY layer whose raw score equals
 * that maximum is forced dense and ε is recomputed, until no layer exceeds 1.
 */
export function solveErk(layers: readonly MaskableLayerInfo[], density: number, options: ErkOptions = {}): ErkSolution {
  if (!(density > 0 && density <= 1)) throw new RangeError(`ERK density must be in (0, 1], got ${density}`);
  assertUniqueNames(layers);
  const powerScale = options.powerScale ?? 1;
  const kernel = options.kernel ?? true;
  const sizes = layers.map((layer) => dims(layer.shape, true).reduce((a, b) => a * b, 1));
  const raw = layers.map((layer) => {
    const d = dims(layer.shape, kernel);
    return (d.reduce((a, b) => a + b, 0) / d.reduce((a, b) => a * b, 1)) ** powerScale;
  });
  const dense = new Set<number>();
  // Density 1 means "every layer dense"; skip the float iteration so the result is exactly 1 (methods compare to 1).
  if (density === 1) layers.forEach((_, l) => dense.add(l));
  let epsilon = 0;
  for (;;) {
    let sparseSize = 0;
    let denseSize = 0;
    let divisor = 0;
    layers.forEach((_, l) => {
      if (dense.has(l)) denseSize += sizes[l];
      else {
        sparseSize += sizes[l];
        divisor += raw[l] * sizes[l];
      }
    });
    if (divisor === 0) break; // every layer forced dense
    epsilon = (density * sparseSize - (1 - density) * denseSize) / divisor;
    let maxRaw = -Infinity;
    layers.forEach((_, l) => {
      if (!dense.has(l) && raw[l] > maxRaw) maxRaw = raw[l];
    });
    if (epsilon * maxRaw <= 1) break;
    layers.forEach((_, l) => {
      if (raw[l] === maxRaw) dense.add(l);
    });
  }
  const densities = new Map<string, number>();
  layers.forEach((layer, l) => densities.set(layer.name, dense.has(l) ? 1 : epsilon * raw[l]));
  return { densities, epsilon, forcedDense: new Set([...dense].map((l) => layers[l].name)) };
}

/** Dimensions as PyTorch sees the weight: [out, in, kh, kw] for conv, [out, in] for linear; ER uses [out, in]. */
function dims(shape: LayerShape, kernel: boolean): number[] {
  return shape.kind === 'conv' && kernel ? [shape.out, shape.in, shape.kh, shape.kw] : [shape.out, shape.in];
}

export function assertUniqueNames(layers: readonly MaskableLayerInfo[]): void {
  const seen = new Set<string>();
  for (const layer of layers) {
    if (seen.has(layer.name)) throw new Error(`Duplicate layer name "${layer.name}"`);
    seen.add(layer.name);
  }
}
