// Dense storage: the weight is a tf-layout variable kept exactly 0 wherever the mask is 0, so the autodiff gradient
// with respect to it is the dense gradient of w ⊙ m (masked-dense compute, the corrected dense baseline).
import * as tf from '@tensorflow/tfjs';
import { countActive, layerSize, type LayerShape, type Mask } from '../../sparse/types.js';
import { canonicalToTf, tfToCanonical } from '../layout.js';
import type { OptimizerSlots } from '../parameter.js';
import type { WeightStorage } from './types.js';

export class DenseStorage implements WeightStorage {
  readonly kind = 'dense' as const;
  private currentMask: Uint8Array;
  private active: number;
  /** Mask in tf layout as float 0/1; null while the mask is all ones (saves a multiply per step). */
  private maskTensor: tf.Tensor | null = null;

  constructor(
    private readonly shape: LayerShape,
    readonly variable: tf.Variable,
  ) {
    this.currentMask = new Uint8Array(layerSize(shape)).fill(1);
    this.active = this.currentMask.length;
  }

  get mask(): Mask {
    return this.currentMask;
  }

  get activeCount(): number {
    return this.active;
  }

  /** The tf-layout 0/1 mask tensor, or null when every position is active. */
  get maskTensorOrNull(): tf.Tensor | null {
    return this.maskTensor;
  }

  readWeights(): Float32Array {
    return tfToCanonical(this.shape, this.variable.dataSync());
  }

  writeWeights(weights: Float32Array): void {
    tf.tidy(() => this.variable.assign(tf.tensor(canonicalToTf(this.shape, weights), this.variable.shape)));
  }

  toCanonical(values: ArrayLike<number>): Float32Array {
    return tfToCanonical(this.shape, values);
  }

  fromCanonical(values: Float32Array): Float32Array {
    return canonicalToTf(this.shape, values);
  }

  applyMask(next: Mask, keepGrown: boolean, slots: OptimizerSlots | undefined): void {
    const kept = new Float32Array(next.length);
    for (let i = 0; i < next.length; i++) kept[i] = this.currentMask[i] & next[i];
    tf.tidy(() => {
      const keepSlots = tf.tensor(canonicalToTf(this.shape, kept), this.variable.shape);
      slots?.maskSlots(this.variable, keepSlots);
      const weightFactor = keepGrown ? tf.tensor(canonicalToTf(this.shape, Float32Array.from(next)), this.variable.shape) : keepSlots;
      this.variable.assign(tf.mul(this.variable, weightFactor));
    });
    this.currentMask = Uint8Array.from(next);
    this.active = countActive(this.currentMask);
    this.rebuildMaskTensor();
  }

  reapplyMask(slots: OptimizerSlots | undefined): void {
    const mask = this.maskTensor;
    if (mask === null) return;
    tf.tidy(() => {
      this.variable.assign(tf.mul(this.variable, mask));
      slots?.maskSlots(this.variable, mask);
    });
  }

  maskGradient(gradient: tf.Tensor): tf.Tensor {
    return this.maskTensor === null ? gradient.clone() : tf.mul(gradient, this.maskTensor);
  }

  /** Disposes the mask tensor only: the variable belongs to the model (or moves to another storage). */
  dispose(): void {
    this.maskTensor?.dispose();
    this.maskTensor = null;
  }

  private rebuildMaskTensor(): void {
    this.maskTensor?.dispose();
    this.maskTensor = null;
    if (this.active === this.currentMask.length) return;
    const values = canonicalToTf(this.shape, Float32Array.from(this.currentMask));
    this.maskTensor = tf.keep(tf.tensor(values, this.variable.shape));
  }
}
