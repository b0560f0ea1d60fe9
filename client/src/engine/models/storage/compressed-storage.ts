// Compressed storage: only the active weights exist. The trainable variable holds the nnz values in the value
// order of the layer's sparse format, so gradients (SDDMM), optimizer slots and updates are all of length nnz.
// The storage keeps which positions are active (ActiveSet: a bitset, or sorted indices when very sparse); the value
// order (`positions`: each value slot's canonical index) is the format's order for that mask, derived when needed
// (mask updates, canonical reads and writes), so no int per value is kept beside the kernels' own index. Mask
// updates remap values and optimizer slots from the old order to the new one (kept positions keep both, grown
// positions start at 0).
import * as tf from '@tensorflow/tfjs';
import type { SparseFormatKind } from '../../kernels/formats/types.js';
import { layerSize, type LayerShape, type Mask } from '../../sparse/types.js';
import type { OptimizerSlots } from '../parameter.js';
import { ActiveSet } from './active-set.js';
import { buildCompressedFormat, formatPositions, type FormatPreference } from './compressed-format.js';
import type { DenseStorage } from './dense-storage.js';
import type { WeightStorage } from './types.js';

export class CompressedStorage implements WeightStorage {
  readonly kind = 'compressed' as const;
  private values: tf.Variable;
  private active: ActiveSet;
  private currentFormat: SparseFormatKind;
  private version = 0;

  private constructor(
    readonly shape: LayerShape,
    readonly preference: FormatPreference,
    variable: tf.Variable,
    active: ActiveSet,
    format: SparseFormatKind,
  ) {
    this.values = variable;
    this.active = active;
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
    return new CompressedStorage(shape, preference, variable, ActiveSet.fromPositions(layerSize(shape), positions), format.kind);
  }

  get variable(): tf.Variable {
    return this.values;
  }

  /** Canonical index of every value slot, in value order (derived from the mask: a new array per call). */
  get positions(): Int32Array {
    const format = buildCompressedFormat(this.shape, this.active.toMask(), this.preference);
    if (format.kind !== this.currentFormat) throw new Error(`${this.values.name}: the mask now builds ${format.kind}, stored as ${this.currentFormat}`);
    return formatPositions(format);
  }

  /** Bytes the storage keeps to know which positions are active (the values and slots aside). */
  get bookkeepingBytes(): number {
    return this.active.bytes;
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
    return this.active.toMask();
  }

  get activeCount(): number {
    return this.active.count;
  }

  readWeights(): Float32Array {
    return this.toCanonical(this.values.dataSync());
  }

  writeWeights(weights: Float32Array): void {
    const values = this.fromCanonical(weights);
    tf.tidy(() => this.values.assign(tf.tensor1d(values, 'float32')));
  }

  toCanonical(values: ArrayLike<number>): Float32Array {
    if (values.length !== this.active.count) {
      throw new RangeError(`${this.values.name}: expected ${this.active.count} compressed values, got ${values.length}`);
    }
    const positions = this.positions;
    const dense = new Float32Array(layerSize(this.shape));
    for (let j = 0; j < positions.length; j++) dense[positions[j]] = values[j];
    return dense;
  }

  fromCanonical(values: Float32Array): Float32Array {
    const size = layerSize(this.shape);
    if (values.length !== size) throw new RangeError(`${this.values.name}: expected ${size} canonical values, got ${values.length}`);
    const positions = this.positions;
    const out = new Float32Array(positions.length);
    for (let j = 0; j < out.length; j++) out[j] = values[positions[j]];
    return out;
  }

  /** `keepGrown` has nothing to keep: inactive positions store no value, so grown weights always start at 0. */
  applyMask(next: Mask, _keepGrown: boolean, slots: OptimizerSlots | undefined): void {
    const format = buildCompressedFormat(this.shape, next, this.preference);
    const positions = formatPositions(format);
    const previous = this.positions;
    if (format.kind === this.currentFormat && sameContents(positions, previous)) return;
    const slotOf = new Int32Array(layerSize(this.shape)).fill(-1);
    for (let j = 0; j < previous.length; j++) slotOf[previous[j]] = j;
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
    this.active = ActiveSet.fromPositions(layerSize(this.shape), positions);
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
