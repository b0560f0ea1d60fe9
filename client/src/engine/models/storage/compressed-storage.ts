// Compressed storage: only the active weights exist. The trainable variable holds the nnz values in the value
// order of the layer's sparse format, so gradients (SDDMM), optimizer slots and updates are all of length nnz.
// `positions` maps each value slot to its canonical index; the mask and the kernels' index structures are derived
// from it, and it changes only at mask updates, which remap values and optimizer slots from the old order to the
// new one (kept positions keep both, grown positions start at 0).
import * as tf from '@tensorflow/tfjs';
import type { SparseFormatKind } from '../../kernels/formats/types.js';
import { layerSize, type LayerShape, type Mask } from '../../sparse/types.js';
import type { OptimizerSlots } from '../parameter.js';
import { buildCompressedFormat, formatPositions, type FormatPreference } from './compressed-format.js';
import type { DenseStorage } from './dense-storage.js';
import type { WeightStorage } from './types.js';

export class CompressedStorage implements WeightStorage {
  readonly kind = 'compressed' as const;
  private values: tf.Variable;
  private slotPositions: Int32Array;
  private currentFormat: SparseFormatKind;
  private version = 0;

  private constructor(
    readonly shape: LayerShape,
    readonly preference: FormatPreference,
    variable: tf.Variable,
    positions: Int32Array,
    format: SparseFormatKind,
  ) {
    this.values = variable;
    this.slotPositions = positions;
    this.currentFormat = format;
  }

  /**
   * Moves a dense-stored layer into compressed storage: gathers its active weights and optimizer slots, disposes the
   * dense variable and its mask tensor, and creates the values variable under the same name.
   */
  static fromDense(shape: LayerShape, dense: DenseStorage, slots: OptimizerSlots | undefined, preference: FormatPreference): CompressedStorage {
    const format = buildCompressedFormat(shape, dense.mask, preference);
    const positions = formatPositions(format);
    const canonical = dense.readWeights();
    const values = new Float32Array(positions.length);
    const fromTf = new Int32Array(positions.length);
    for (let j = 0; j < positions.length; j++) {
      values[j] = canonical[positions[j]];
      fromTf[j] = tfIndexOfCanonical(shape, positions[j]);
    }
    const name = dense.variable.name;
    dense.variable.dispose();
    dense.dispose();
    const variable = createValuesVariable(name, values);
    slots?.remapSlots(variable, fromTf);
    return new CompressedStorage(shape, preference, variable, positions, format.kind);
  }

  get variable(): tf.Variable {
    return this.values;
  }

  /** Canonical index of every value slot, in value order (a live view: do not mutate). */
  get positions(): Int32Array {
    return this.slotPositions;
  }

  /** The format the values are ordered by (the preferred one, or CSR when the mask does not conform to it). */
  get formatKind(): SparseFormatKind {
    return this.currentFormat;
  }

  /** Incremented whenever positions change: kernels rebuild their index structures when it moves. */
  get layoutVersion(): number {
    return this.version;
  }

  get mask(): Mask {
    const mask = new Uint8Array(layerSize(this.shape));
    for (const position of this.slotPositions) mask[position] = 1;
    return mask;
  }

  get activeCount(): number {
    return this.slotPositions.length;
  }

  readWeights(): Float32Array {
    return this.toCanonical(this.values.dataSync());
  }

  writeWeights(weights: Float32Array): void {
    const values = this.fromCanonical(weights);
    tf.tidy(() => this.values.assign(tf.tensor1d(values, 'float32')));
  }

  toCanonical(values: ArrayLike<number>): Float32Array {
    if (values.length !== this.slotPositions.length) {
      throw new RangeError(`${this.values.name}: expected ${this.slotPositions.length} compressed values, got ${values.length}`);
    }
    const dense = new Float32Array(layerSize(this.shape));
    for (let j = 0; j < this.slotPositions.length; j++) dense[this.slotPositions[j]] = values[j];
    return dense;
  }

  fromCanonical(values: Float32Array): Float32Array {
    const size = layerSize(this.shape);
    if (values.length !== size) throw new RangeError(`${this.values.name}: expected ${size} canonical values, got ${values.length}`);
    const out = new Float32Array(this.slotPositions.length);
    for (let j = 0; j < out.length; j++) out[j] = values[this.slotPositions[j]];
    return out;
  }

  /** `keepGrown` has nothing to keep: inactive positions store no value, so grown weights always start at 0. */
  applyMask(next: Mask, _keepGrown: boolean, slots: OptimizerSlots | undefined): void {
    const format = buildCompressedFormat(this.shape, next, this.preference);
    const positions = formatPositions(format);
    if (format.kind === this.currentFormat && sameContents(positions, this.slotPositions)) return;
    const slotOf = new Int32Array(layerSize(this.shape)).fill(-1);
    for (let j = 0; j < this.slotPositions.length; j++) slotOf[this.slotPositions[j]] = j;
    const from = new Int32Array(positions.length);
    for (let j = 0; j < positions.length; j++) from[j] = slotOf[positions[j]];
    const old = this.values.dataSync();
    const values = new Float32Array(positions.length);
    for (let j = 0; j < positions.length; j++) if (from[j] >= 0) values[j] = old[from[j]];
    if (values.length === this.values.size) {
      tf.tidy(() => this.values.assign(tf.tensor1d(values, 'float32')));
    } else {
      const name = this.values.name;
      this.values.dispose();
      this.values = createValuesVariable(name, values);
    }
    slots?.remapSlots(this.values, from);
    this.slotPositions = positions;
    this.currentFormat = format.kind;
    this.version += 1;
  }

  reapplyMask(): void {
    // Pruned weights and their slots do not exist.
  }

  maskGradient(gradient: tf.Tensor): tf.Tensor {
    return gradient.clone();
  }

  dispose(): void {
    // The values variable is a model parameter; Model.dispose disposes it.
  }
}

function createValuesVariable(name: string, values: Float32Array): tf.Variable {
  const initial = tf.tensor1d(values, 'float32');
  try {
    return tf.variable(initial, true, name);
  } finally {
    initial.dispose();
  }
}

/** Index in the tf weight layout ([in, out] or [kh, kw, in, out]) of canonical index ((o·in + i)·kh + r)·kw + q. */
function tfIndexOfCanonical(shape: LayerShape, position: number): number {
  const q = position % shape.kw;
  const r = Math.floor(position / shape.kw) % shape.kh;
  const i = Math.floor(position / (shape.kw * shape.kh)) % shape.in;
  const o = Math.floor(position / (shape.kw * shape.kh * shape.in));
  return ((r * shape.kw + q) * shape.in + i) * shape.out + o;
}

function sameContents(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
