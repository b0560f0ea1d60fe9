// Uniform layer-wise densities.
import type { MaskableLayerInfo } from '../types.js';
import { assertUniqueNames } from './erk.js';

export interface UniformOptions {
  /**
   * Keep the first layer dense (RigL's convention for uniform; off by default because it is a per-layer override in
   * RigL, not part of the uniform rule). The other layers keep density d, so the overall density is then above d.
   */
  readonly denseFirstLayer?: boolean;
}

export function uniformDensities(layers: readonly MaskableLayerInfo[], density: number, options: UniformOptions = {}): Map<string, number> {
  if (!(density > 0 && density <= 1)) throw new RangeError(`uniform density must be in (0, 1], got ${density}`);
  assertUniqueNames(layers);
  return new Map(layers.map((layer, i) => [layer.name, options.denseFirstLayer && i === 0 ? 1 : density]));
}
