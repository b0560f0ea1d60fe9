// The one rounding rule from a density to a number of active weights, used by allocation, methods and schemes.
import { layerSize, type LayerShape } from '../types.js';

/**
 * Active weights of a layer at `density`: round(d·N), clamped to [0, N].
 *
 * RigL instead keeps N − floor(s·N) (floor of the zeros, i.e. rounding the active count up); GraNet draws a random
 * Bernoulli count and DSB truncates int(d·N). Nearest rounding differs from each by at most one weight per layer and
 * is symmetric, so we use it everywhere. Values like 0.1·1000 = 100.00000000000001 round as intended.
 */
export function activeCount(shape: LayerShape, density: number): number {
  if (!(density >= 0 && density <= 1)) throw new RangeError(`density must be in [0, 1], got ${density}`);
  const size = layerSize(shape);
  return Math.min(size, Math.max(0, Math.round(density * size)));
}
