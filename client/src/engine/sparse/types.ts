// Shared vocabulary of the sparse engine. Every scheme, allocation and method works on weights and masks in
// one canonical layout, whatever the tensor layout of the compute backend:
//   row-major [out, in, kh, kw] (PyTorch OIHW); a linear weight is [out, in] with kh = kw = 1.
// The flattened 2-D view W2[o, c] has c = i*kh*kw + r*kw + q and row length in*kh*kw.

export type LayerKind = 'linear' | 'conv';

export interface LayerShape {
  readonly kind: LayerKind;
  readonly out: number;
  readonly in: number;
  readonly kh: number;
  readonly kw: number;
}

/** 1 = active, 0 = pruned; canonical layout. The mask is the source of truth, not `w != 0`. */
export type Mask = Uint8Array;

export function layerSize(shape: LayerShape): number {
  return shape.out * shape.in * shape.kh * shape.kw;
}

/** Length of one output row of the flattened 2-D view. */
export function rowLength(shape: LayerShape): number {
  return shape.in * shape.kh * shape.kw;
}

export function countActive(mask: Mask): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  return n;
}

export function linearShape(out: number, inFeatures: number): LayerShape {
  return { kind: 'linear', out, in: inFeatures, kh: 1, kw: 1 };
}

export function convShape(out: number, inChannels: number, kh: number, kw: number): LayerShape {
  return { kind: 'conv', out, in: inChannels, kh, kw };
}

/** A maskable layer as allocation and profiles see it: a stable name (profiles refer to it) and a shape. */
export interface MaskableLayerInfo {
  readonly name: string;
  readonly shape: LayerShape;
}

/** What changed when a mask was replaced. */
export interface MaskChange {
  readonly pruned: number;
  readonly grown: number;
  readonly active: number;
}

export type GrownWeightInit = 'zero' | 'keep';

/**
 * One maskable layer as a sparse-training method sees it. The trainer implements it over whatever compute the
 * layer uses (masked dense tfjs ops today, compressed sparse kernels later), so methods never touch tensors.
 * All arrays are in the canonical layout and are copies: mutating them changes nothing.
 */
export interface SparseLayer extends MaskableLayerInfo {
  /** Current mask. Read-only view; replace it with setMask. */
  readonly mask: Mask;
  readWeights(): Float32Array;
  /**
   * Dense gradient of the last step's loss with respect to the effective weight (w ⊙ m), at every position,
   * active or not. Present only after steps for which the method's `needsDenseGradient` returned true.
   */
  readGradient(): Float32Array | undefined;
  /** First optimizer moment (SGD momentum buffer, or Adam m / (sqrt(v) + 1e-8)); undefined before any step. */
  readMomentum(): Float32Array | undefined;
  /**
   * Replace the mask. Positions that become active start at 0 (`grownInit: 'zero'`, the default) or keep their
   * stored value ('keep'); their optimizer slots are reset to 0. Positions that become inactive are zeroed,
   * weights and slots. Positions active before and after keep value and slots.
   */
  setMask(mask: Mask, options?: { grownInit?: GrownWeightInit }): MaskChange;
  /** Overwrite the weights (canonical layout); the current mask is applied to them. */
  writeWeights(weights: Float32Array): void;
  /**
   * Multiply each output channel (row o of W2) by gate[o] in the forward pass; null removes the gate.
   * Used by channel-sampling methods (VRPGE); the gate is not part of the mask.
   */
  setOutputGate(gate: Float32Array | null): void;
}
