// A sparsity scheme says how the weights of one layer are grouped, scored, pruned, grown and projected.
// Methods are written only against this interface, so every method runs with every scheme.
import type { Rng } from '../../util/rng.js';
import type { LayerShape, Mask } from '../types.js';

export type SchemeName = 'irregular' | 'pattern' | 'block' | 'channel' | 'shuffled-block';

export const SCHEME_NAMES: readonly SchemeName[] = ['irregular', 'pattern', 'block', 'channel', 'shuffled-block'];

/** Per-element scores in canonical layout; a higher score means "more worth keeping / growing". */
export type ElementScores = Float32Array;

export interface PruneRequest {
  readonly shape: LayerShape;
  readonly mask: Mask;
  /** Keep-worthiness of every element (e.g. |w|, |w| + λ|g|). Only active elements are candidates to keep. */
  readonly score: ElementScores;
  /** Target number of active weights after pruning; rounded by the scheme to whole groups (see `roundCount`). */
  readonly keep: number;
}

export interface GrowRequest {
  readonly shape: LayerShape;
  readonly mask: Mask;
  /** Grow-worthiness of every element (e.g. |grad|, |momentum|); undefined = uniformly random among candidates. */
  readonly score: ElementScores | undefined;
  /** Number of weights to activate among inactive positions; rounded by the scheme to whole groups. */
  readonly count: number;
  readonly rng: Rng;
}

export interface SparsityScheme {
  readonly name: SchemeName;
  /**
   * Why the scheme cannot structure this layer (undefined when it can). Methods then treat it as irregular; every
   * other operation of the scheme refuses such a shape with a SchemeNotApplicableError that says why.
   */
  unsupportedReason(shape: LayerShape): string | undefined;
  /** Weights per group (1 irregular, 4 for 4×1 blocks, B² for shuffled blocks, in*kh*kw... ) for this layer. */
  groupSize(shape: LayerShape): number;
  /** The nearest achievable active count to `count` (whole groups; pattern: 4 per kept 3×3 kernel). */
  roundCount(shape: LayerShape, count: number): number;
  /**
   * Active weights this layer keeps at `density`, in the scheme's own arithmetic: what methods pass as `keep` when
   * they start from a density (allocation, bounds, schedules). A fixed point of `roundCount`. Pattern follows MEST's
   * `k = int(I·r')` kernels pruned per filter exactly; the others round d·N to the nearest whole group and keep at
   * least one group when the density is positive, so rounding never empties a layer the allocation keeps.
   */
  activeCountAt(shape: LayerShape, density: number): number;
  /**
   * Aggregated score per group (e.g. L2 norm over the group), for global ranking across layers. The norm runs over the
   * group's active elements, so inactive groups score 0; shuffled-block returns one entry per block of the mask.
   */
  groupScores(shape: LayerShape, mask: Mask, score: ElementScores): Float32Array;
  /** New mask: the best `roundCount(keep)` of the currently active weights, conforming to the scheme. */
  prune(request: PruneRequest): Mask;
  /** New mask: the old one plus `roundCount(count)` newly active weights (fewer only if not enough room). */
  grow(request: GrowRequest): Mask;
  /** The conforming mask with `roundCount(keep)` active weights closest to the scores (used at initialisation). */
  project(shape: LayerShape, score: ElementScores, keep: number, rng: Rng): Mask;
  /** True when the mask has the scheme's structure (every group fully on or fully off, patterns valid, …). */
  conforms(shape: LayerShape, mask: Mask): boolean;
}
