// An in-memory SparseLayer over Float32Arrays: the reference semantics of the interface (for tests, simulations and
// as the oracle of the kernel-backed layers). Invariant: weights and momentum are 0 wherever the mask is 0.
import {
  countActive,
  layerSize,
  rowLength,
  type GrownWeightInit,
  type LayerShape,
  type Mask,
  type MaskChange,
  type SparseLayer,
} from './types.js';

export interface ArrayLayerInit {
  readonly weights?: Float32Array;
  /** Initial mask; all ones when absent. */
  readonly mask?: Mask;
}

export interface SimulatedStep {
  /** Dense gradient of the loss w.r.t. the effective weight, at every position. */
  readonly gradient: Float32Array;
  readonly learningRate: number;
  /** SGD momentum coefficient (0 = plain SGD). */
  readonly momentum?: number;
  /** Whether readGradient() returns it afterwards (a method's needsDenseGradient). Default true. */
  readonly keepGradient?: boolean;
}

export class ArrayLayer implements SparseLayer {
  readonly name: string;
  readonly shape: LayerShape;
  private currentMask: Uint8Array;
  private readonly weights: Float32Array;
  private gradient: Float32Array | undefined;
  private momentum: Float32Array | undefined;
  private gate: Float32Array | null = null;
  /** How many times setMask was called; lets tests check that masks change only inside update hooks. */
  maskWrites = 0;

  constructor(name: string, shape: LayerShape, init: ArrayLayerInit = {}) {
    this.name = name;
    this.shape = shape;
    const size = layerSize(shape);
    this.currentMask = init.mask ? checkedMask(init.mask, size, name).slice() : new Uint8Array(size).fill(1);
    this.weights = init.weights ? checkedArray(init.weights, size, name, 'weights').slice() : new Float32Array(size);
    this.applyMask(this.weights);
  }

  get mask(): Mask {
    return this.currentMask.slice();
  }

  readWeights(): Float32Array {
    return this.weights.slice();
  }

  readGradient(): Float32Array | undefined {
    return this.gradient?.slice();
  }

  readMomentum(): Float32Array | undefined {
    return this.momentum?.slice();
  }

  setMask(mask: Mask, options: { grownInit?: GrownWeightInit } = {}): MaskChange {
    const next = checkedMask(mask, this.currentMask.length, this.name);
    const keep = options.grownInit === 'keep';
    let pruned = 0;
    let grown = 0;
    for (let i = 0; i < next.length; i++) {
      const before = this.currentMask[i];
      const after = next[i];
      if (before === after) continue;
      if (after === 0) {
        pruned++;
        this.weights[i] = 0;
      } else {
        grown++;
        // Inactive positions hold 0 here, so 'keep' and 'zero' coincide for this layer; backends that retain the
        // values of inactive positions differ.
        if (!keep) this.weights[i] = 0;
      }
      if (this.momentum) this.momentum[i] = 0;
    }
    this.currentMask = next.slice();
    this.maskWrites++;
    return { pruned, grown, active: countActive(this.currentMask) };
  }

  writeWeights(weights: Float32Array): void {
    this.weights.set(checkedArray(weights, this.weights.length, this.name, 'weights'));
    this.applyMask(this.weights);
  }

  setOutputGate(gate: Float32Array | null): void {
    if (gate !== null && gate.length !== this.shape.out) {
      throw new RangeError(`${this.name}: gate has ${gate.length} entries, layer has ${this.shape.out} output channels`);
    }
    this.gate = gate === null ? null : gate.slice();
  }

  readOutputGate(): Float32Array | null {
    return this.gate?.slice() ?? null;
  }

  /** w ⊙ m, each output row scaled by the gate: what the forward pass uses. */
  effectiveWeights(): Float32Array {
    const out = this.weights.slice();
    if (this.gate) {
      const row = rowLength(this.shape);
      for (let o = 0; o < this.shape.out; o++) {
        const g = this.gate[o];
        for (let c = 0; c < row; c++) out[o * row + c] *= g;
      }
    }
    return out;
  }

  /** Sets the dense gradient (as the trainer would after a backward pass that materialised it). */
  setGradient(gradient: Float32Array | undefined): void {
    this.gradient = gradient === undefined ? undefined : checkedArray(gradient, this.weights.length, this.name, 'gradient').slice();
  }

  setMomentum(momentum: Float32Array | undefined): void {
    this.momentum = momentum === undefined ? undefined : checkedArray(momentum, this.weights.length, this.name, 'momentum').slice();
    if (this.momentum) this.applyMask(this.momentum);
  }

  /** One SGD(+momentum) step on the active weights, then the mask is re-applied to weights and momentum. */
  simulateStep(step: SimulatedStep): void {
    const gradient = checkedArray(step.gradient, this.weights.length, this.name, 'gradient');
    const mu = step.momentum ?? 0;
    const buffer = this.momentum ?? new Float32Array(this.weights.length);
    for (let i = 0; i < buffer.length; i++) {
      buffer[i] = mu * buffer[i] + gradient[i];
      this.weights[i] -= step.learningRate * buffer[i];
    }
    this.momentum = buffer;
    this.applyMask(this.weights);
    this.applyMask(this.momentum);
    this.gradient = step.keepGradient === false ? undefined : gradient.slice();
  }

  private applyMask(values: Float32Array): void {
    for (let i = 0; i < values.length; i++) if (this.currentMask[i] === 0) values[i] = 0;
  }
}

function checkedArray(values: Float32Array, size: number, layer: string, what: string): Float32Array {
  if (values.length !== size) throw new RangeError(`${layer}: ${what} has ${values.length} entries, layer has ${size}`);
  return values;
}

function checkedMask(mask: Mask, size: number, layer: string): Mask {
  if (mask.length !== size) throw new RangeError(`${layer}: mask has ${mask.length} entries, layer has ${size}`);
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] > 1) throw new RangeError(`${layer}: mask entry ${i} is ${mask[i]}, expected 0 or 1`);
  }
  return mask;
}
