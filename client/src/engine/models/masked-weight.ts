// A maskable conv/linear weight: the tfjs implementation of the engine's SparseLayer. Methods only see the
// canonical-layout SparseLayer surface. Where the weight lives is a WeightStorage (dense tf layout, zero where
// masked; or compressed values of length nnz) and how the layer computes is a pluggable LayerCompute (masked dense
// tfjs ops, or the sparse kernels, which run whole chains of layers; see ./kernel-compute/).
import * as tf from '@tensorflow/tfjs';
import { countActive, layerSize, type GrownWeightInit, type LayerShape, type Mask, type MaskChange, type SparseLayer } from '../sparse/types.js';
import { describeShape, tfToCanonical, tfWeightShape } from './layout.js';
import type { OptimizerSlots } from './parameter.js';
import { CompressedStorage } from './storage/compressed-storage.js';
import type { FormatPreference } from './storage/compressed-format.js';
import { DenseStorage } from './storage/dense-storage.js';
import type { WeightStorage } from './storage/types.js';

/** How a masked layer turns its input into its output. Swapped per layer without touching methods. */
export interface LayerCompute {
  forward(x: tf.Tensor, layer: MaskedWeight): tf.Tensor;
  /** Called after every mask change. */
  maskChanged?(layer: MaskedWeight): void;
}

export class MaskedWeight implements SparseLayer {
  private store: WeightStorage;
  private gateValues: Float32Array | null = null;
  private gateTensor: tf.Tensor1D | null = null;
  private gradient: Float32Array | undefined;
  private pendingDenseGradient: Float32Array | undefined;
  private denseGradientWanted = false;
  private slots: OptimizerSlots | undefined;

  constructor(
    readonly name: string,
    readonly shape: LayerShape,
    variable: tf.Variable,
    private compute: LayerCompute,
  ) {
    const expected = tfWeightShape(shape);
    if (variable.shape.join('x') !== expected.join('x')) {
      throw new RangeError(`${name}: variable shape [${variable.shape}] does not match ${describeShape(shape)}`);
    }
    this.store = new DenseStorage(shape, variable);
  }

  /** The trainable variable: dense tf layout, or the compressed values [nnz] (re-created when nnz changes). */
  get variable(): tf.Variable {
    return this.store.variable;
  }

  get storage(): WeightStorage {
    return this.store;
  }

  get mask(): Mask {
    return this.store.mask;
  }

  get activeCount(): number {
    return this.store.activeCount;
  }

  get size(): number {
    return layerSize(this.shape);
  }

  /** The tf-layout 0/1 mask tensor, or null when every position is active or the storage is compressed. */
  get maskTensorOrNull(): tf.Tensor | null {
    return this.store instanceof DenseStorage ? this.store.maskTensorOrNull : null;
  }

  /** The output gate (one factor per output channel), or null. */
  get outputGate(): Float32Array | null {
    return this.gateValues;
  }

  get optimizerSlots(): OptimizerSlots | undefined {
    return this.slots;
  }

  attachOptimizer(slots: OptimizerSlots | undefined): void {
    this.slots = slots;
  }

  get layerCompute(): LayerCompute {
    return this.compute;
  }

  setCompute(compute: LayerCompute): void {
    this.compute = compute;
    compute.maskChanged?.(this);
  }

  /**
   * Moves the weight into compressed storage (values of the active positions only, in `preference`'s format order).
   * The variable is re-created under the same name; optimizer slots are gathered along.
   */
  compress(preference: FormatPreference): CompressedStorage {
    if (this.store instanceof CompressedStorage) return this.store;
    if (!(this.store instanceof DenseStorage)) throw new Error(`${this.name}: unknown storage`);
    const compressed = CompressedStorage.fromDense(this.shape, this.store, this.slots, preference);
    this.store = compressed;
    return compressed;
  }

  apply(x: tf.Tensor): tf.Tensor {
    return this.compute.forward(x, this);
  }

  /** The dense weight the masked-dense forward pass uses: w (already masked) times the output gate, if any. */
  effectiveWeight(): tf.Tensor {
    if (this.store.kind !== 'dense') throw new Error(`${this.name}: compressed weights run on the sparse kernels only`);
    return this.gateTensor === null ? this.variable : tf.mul(this.variable, this.gateTensor);
  }

  readWeights(): Float32Array {
    return this.store.readWeights();
  }

  writeWeights(weights: Float32Array): void {
    if (weights.length !== this.size) throw new RangeError(`${this.name}: expected ${this.size} weights, got ${weights.length}`);
    const mask = this.store.mask;
    const masked = Float32Array.from(weights);
    for (let i = 0; i < masked.length; i++) if (mask[i] === 0) masked[i] = 0;
    this.store.writeWeights(masked);
  }

  readGradient(): Float32Array | undefined {
    return this.gradient === undefined ? undefined : Float32Array.from(this.gradient);
  }

  readMomentum(): Float32Array | undefined {
    const moment = this.slots?.firstMoment(this.variable);
    return moment === undefined ? undefined : this.store.toCanonical(moment);
  }

  /** Whether the step about to run must produce a dense gradient (set by the trainer before its passes). */
  get denseGradientRequested(): boolean {
    return this.denseGradientWanted;
  }

  requestDenseGradient(wanted: boolean): void {
    this.denseGradientWanted = wanted;
    this.pendingDenseGradient = undefined;
  }

  /** The sparse kernels hand over the canonical dense gradient they computed for a requested step. */
  provideDenseGradient(canonical: Float32Array): void {
    this.pendingDenseGradient = canonical;
  }

  /**
   * Store the dense gradient of this step; methods read it through readGradient. Dense storage takes the autodiff
   * gradient of the variable (tf layout). Compressed storage has only nnz gradient values there, so it takes the
   * dense gradient its kernels computed on this requested step; a dense tf-layout tensor (rank > 1) is accepted too.
   */
  captureGradient(gradient: tf.Tensor): void {
    if (this.store.kind === 'dense' || (gradient.rank > 1 && gradient.size === this.size)) {
      this.gradient = this.toCanonicalDense(gradient);
      return;
    }
    if (this.pendingDenseGradient === undefined) {
      throw new Error(`${this.name}: no dense gradient was computed for this step (request it before the pass)`);
    }
    this.gradient = this.pendingDenseGradient;
    this.pendingDenseGradient = undefined;
  }

  clearGradient(): void {
    this.gradient = undefined;
  }

  setMask(mask: Mask, options?: { grownInit?: GrownWeightInit }): MaskChange {
    if (mask.length !== this.size) {
      throw new RangeError(`${this.name}: mask has ${mask.length} entries, layer has ${this.size}`);
    }
    const before = this.store.mask;
    let pruned = 0;
    let grown = 0;
    for (let i = 0; i < mask.length; i++) {
      const now = mask[i];
      if (now !== 0 && now !== 1) throw new RangeError(`${this.name}: mask[${i}] = ${now}, expected 0 or 1`);
      if (before[i] === 1 && now === 0) pruned++;
      else if (before[i] === 0 && now === 1) grown++;
    }
    this.store.applyMask(Uint8Array.from(mask), options?.grownInit === 'keep', this.slots);
    this.compute.maskChanged?.(this);
    return { pruned, grown, active: countActive(mask) };
  }

  setOutputGate(gate: Float32Array | null): void {
    this.gateTensor?.dispose();
    this.gateTensor = null;
    this.gateValues = null;
    if (gate === null) return;
    if (gate.length !== this.shape.out) {
      throw new RangeError(`${this.name}: gate has ${gate.length} entries, layer has ${this.shape.out} outputs`);
    }
    this.gateValues = Float32Array.from(gate);
    if (this.store.kind === 'dense') this.gateTensor = tf.keep(tf.tensor1d(this.gateValues));
  }

  /** Re-apply the mask to the weight and its optimizer slots (after an optimizer step). */
  reapplyMask(): void {
    this.store.reapplyMask(this.slots);
  }

  /** Zero the gradient at masked positions (methods with `masksGradients`). Returns a new tensor. */
  maskGradient(gradient: tf.Tensor): tf.Tensor {
    return this.store.maskGradient(gradient);
  }

  dispose(): void {
    this.store.dispose();
    this.gateTensor?.dispose();
    this.gateTensor = null;
  }

  private toCanonicalDense(gradient: tf.Tensor): Float32Array {
    const values = gradient.dataSync();
    if (this.store.kind === 'dense') return this.store.toCanonical(values);
    // A dense-sized gradient in tf layout given to a compressed layer (e.g. restored from a checkpoint).
    return tfToCanonical(this.shape, values);
  }
}
