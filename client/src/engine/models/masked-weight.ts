// A maskable conv/linear weight: the tfjs implementation of the engine's SparseLayer. The weight is stored dense in
// tf layout and kept exactly 0 wherever the mask is 0, so the autodiff gradient with respect to it is the dense
// gradient of w ⊙ m. Methods only see the canonical-layout SparseLayer surface; how the layer computes is a
// pluggable LayerCompute (masked dense tfjs ops today, compressed sparse kernels later).
import * as tf from '@tensorflow/tfjs';
import {
  countActive,
  layerSize,
  type GrownWeightInit,
  type LayerShape,
  type Mask,
  type MaskChange,
  type SparseLayer,
} from '../sparse/types.js';
import { canonicalToTf, describeShape, tfToCanonical, tfWeightShape } from './layout.js';
import type { OptimizerSlots } from './parameter.js';

/** How a masked layer turns its input into its output. Swapped per layer without touching methods. */
export interface LayerCompute {
  forward(x: tf.Tensor, layer: MaskedWeight): tf.Tensor;
  /** Called after every mask change (sparse kernels rebuild their index structures here). */
  maskChanged?(layer: MaskedWeight): void;
}

export class MaskedWeight implements SparseLayer {
  private currentMask: Uint8Array;
  /** Mask in tf layout as float 0/1; null while the mask is all ones (saves a multiply per step). */
  private maskTensor: tf.Tensor | null = null;
  private gateTensor: tf.Tensor1D | null = null;
  private gradient: Float32Array | undefined;
  private slots: OptimizerSlots | undefined;

  constructor(
    readonly name: string,
    readonly shape: LayerShape,
    readonly variable: tf.Variable,
    private compute: LayerCompute,
  ) {
    const expected = tfWeightShape(shape);
    if (variable.shape.join('x') !== expected.join('x')) {
      throw new RangeError(`${name}: variable shape [${variable.shape}] does not match ${describeShape(shape)}`);
    }
    this.currentMask = new Uint8Array(layerSize(shape)).fill(1);
  }

  get mask(): Mask {
    return this.currentMask;
  }

  get activeCount(): number {
    return countActive(this.currentMask);
  }

  get size(): number {
    return this.currentMask.length;
  }

  /** The tf-layout 0/1 mask tensor, or null when every position is active. */
  get maskTensorOrNull(): tf.Tensor | null {
    return this.maskTensor;
  }

  attachOptimizer(slots: OptimizerSlots | undefined): void {
    this.slots = slots;
  }

  setCompute(compute: LayerCompute): void {
    this.compute = compute;
    compute.maskChanged?.(this);
  }

  apply(x: tf.Tensor): tf.Tensor {
    return this.compute.forward(x, this);
  }

  /** The weight the forward pass uses: w (already masked) times the output gate, if any. */
  effectiveWeight(): tf.Tensor {
    return this.gateTensor === null ? this.variable : tf.mul(this.variable, this.gateTensor);
  }

  readWeights(): Float32Array {
    return tfToCanonical(this.shape, this.variable.dataSync());
  }

  writeWeights(weights: Float32Array): void {
    const masked = Float32Array.from(weights);
    for (let i = 0; i < masked.length; i++) if (this.currentMask[i] === 0) masked[i] = 0;
    this.assignTf(canonicalToTf(this.shape, masked));
  }

  readGradient(): Float32Array | undefined {
    return this.gradient === undefined ? undefined : Float32Array.from(this.gradient);
  }

  readMomentum(): Float32Array | undefined {
    const moment = this.slots?.firstMoment(this.variable);
    return moment === undefined ? undefined : tfToCanonical(this.shape, moment);
  }

  /** Store the dense gradient of this step (tf layout tensor); methods read it through readGradient. */
  captureGradient(gradient: tf.Tensor): void {
    this.gradient = tfToCanonical(this.shape, gradient.dataSync());
  }

  clearGradient(): void {
    this.gradient = undefined;
  }

  setMask(mask: Mask, options?: { grownInit?: GrownWeightInit }): MaskChange {
    if (mask.length !== this.currentMask.length) {
      throw new RangeError(`${this.name}: mask has ${mask.length} entries, layer has ${this.currentMask.length}`);
    }
    const next = new Uint8Array(mask.length);
    const kept = new Float32Array(mask.length);
    let pruned = 0;
    let grown = 0;
    let active = 0;
    for (let i = 0; i < mask.length; i++) {
      const now = mask[i];
      if (now !== 0 && now !== 1) throw new RangeError(`${this.name}: mask[${i}] = ${now}, expected 0 or 1`);
      const before = this.currentMask[i];
      next[i] = now;
      active += now;
      if (before === 1 && now === 0) pruned++;
      else if (before === 0 && now === 1) grown++;
      kept[i] = before & now;
    }
    const keepWeights = options?.grownInit === 'keep' ? next : kept;
    tf.tidy(() => {
      const keepSlots = tf.tensor(canonicalToTf(this.shape, kept), this.variable.shape);
      this.slots?.maskSlots(this.variable, keepSlots);
      const weightFactor = keepWeights === kept ? keepSlots : tf.tensor(canonicalToTf(this.shape, Float32Array.from(next)), this.variable.shape);
      this.variable.assign(tf.mul(this.variable, weightFactor));
    });
    this.currentMask = next;
    this.rebuildMaskTensor();
    this.compute.maskChanged?.(this);
    return { pruned, grown, active };
  }

  setOutputGate(gate: Float32Array | null): void {
    this.gateTensor?.dispose();
    this.gateTensor = null;
    if (gate === null) return;
    if (gate.length !== this.shape.out) {
      throw new RangeError(`${this.name}: gate has ${gate.length} entries, layer has ${this.shape.out} outputs`);
    }
    this.gateTensor = tf.keep(tf.tensor1d(Float32Array.from(gate)));
  }

  /** Re-apply the mask to the weight and its optimizer slots (after an optimizer step). */
  reapplyMask(): void {
    const mask = this.maskTensor;
    if (mask === null) return;
    tf.tidy(() => {
      this.variable.assign(tf.mul(this.variable, mask));
      this.slots?.maskSlots(this.variable, mask);
    });
  }

  /** Zero the gradient at masked positions (methods with `masksGradients`). Returns a new tensor. */
  maskGradient(gradient: tf.Tensor): tf.Tensor {
    return this.maskTensor === null ? gradient.clone() : tf.mul(gradient, this.maskTensor);
  }

  dispose(): void {
    this.maskTensor?.dispose();
    this.gateTensor?.dispose();
    this.maskTensor = null;
    this.gateTensor = null;
  }

  private assignTf(values: Float32Array): void {
    tf.tidy(() => this.variable.assign(tf.tensor(values, this.variable.shape)));
  }

  private rebuildMaskTensor(): void {
    this.maskTensor?.dispose();
    this.maskTensor = null;
    if (countActive(this.currentMask) === this.currentMask.length) return;
    const values = canonicalToTf(this.shape, Float32Array.from(this.currentMask));
    this.maskTensor = tf.keep(tf.tensor(values, this.variable.shape));
  }
}
