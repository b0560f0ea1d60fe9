// Where a masked layer keeps its weight. Dense storage: the full tf-layout variable, zero where the mask is 0
// (masked-dense compute). Compressed storage: only the active values, a tf variable of length nnz in a sparse
// format's value order, plus that order's canonical positions (sparse-kernel compute). MaskedWeight talks to either
// through this interface; methods keep seeing canonical dense arrays.
import type * as tf from '@tensorflow/tfjs';
import type { Mask } from '../../sparse/types.js';
import type { OptimizerSlots } from '../parameter.js';

export type StorageKind = 'dense' | 'compressed';

export interface WeightStorage {
  readonly kind: StorageKind;
  /** The trainable variable: tf-layout dense weight, or the compressed values [nnz]. */
  readonly variable: tf.Variable;
  /** Current mask (canonical). Compressed storage derives it from its positions on every read. */
  readonly mask: Mask;
  readonly activeCount: number;
  /** Canonical dense weights, 0 wherever the mask is 0. */
  readWeights(): Float32Array;
  /** Stores canonical weights that are already 0 wherever the mask is 0. */
  writeWeights(weights: Float32Array): void;
  /** An array in the variable's layout (a slot, a gradient) as a canonical dense array. */
  toCanonical(values: ArrayLike<number>): Float32Array;
  /** A canonical dense array in the variable's layout (the inverse of toCanonical at stored positions). */
  fromCanonical(values: Float32Array): Float32Array;
  /**
   * Switches to `next` (validated by the caller): positions active before and after keep value and slots, the others
   * are zeroed; `keepGrown` keeps the stored value of grown positions (dense storage only stores zeros there).
   */
  applyMask(next: Mask, keepGrown: boolean, slots: OptimizerSlots | undefined): void;
  /** After an optimizer step: zero the weight and slots where the mask is 0 (nothing to do when compressed). */
  reapplyMask(slots: OptimizerSlots | undefined): void;
  /** The gradient with inactive positions zeroed (a new tensor). */
  maskGradient(gradient: tf.Tensor): tf.Tensor;
  dispose(): void;
}
