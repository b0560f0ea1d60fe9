// Starting a run from a given topology (a mask another run stored): after the method drew its initial masks, every
// maskable layer takes the given mask instead, its active weights keep their initial values and the rest are zero.
// Pure over the SparseLayer surface; the trainer calls it once, before the first step, and never on a resume (a
// checkpoint carries its own masks).
import type { MethodName } from './methods/types.js';
import { layerSize, type Mask, type SparseLayer } from './types.js';

/**
 * Methods whose topology is the layers' masks alone, so a given initial mask replaces the method's draw cleanly.
 * DSB/SSB keep blocks and VRPGE scores that its masks are derived from: a foreign mask would contradict them.
 */
export const INITIAL_MASK_METHODS: readonly MethodName[] = [
  'dense',
  'static',
  'set',
  'rigl',
  'itop',
  'gmp',
  'gmp-uniform',
  'granet',
  'granet-uniform',
  'mest-em',
  'mest-ems',
];

export function acceptsInitialMask(method: string): boolean {
  return (INITIAL_MASK_METHODS as readonly string[]).includes(method);
}

/** A given initial mask does not fit the run: the message names the layer and what differs. */
export class InitialMaskError extends Error {
  constructor(message: string) {
    super(`initial mask: ${message}`);
    this.name = 'InitialMaskError';
  }
}

/** Throws InitialMaskError unless `masks` has exactly one mask of the right size per layer. */
export function checkInitialMask(layers: readonly Pick<SparseLayer, 'name' | 'shape'>[], masks: ReadonlyMap<string, Mask>): void {
  const names = new Set(layers.map((layer) => layer.name));
  const extra = [...masks.keys()].filter((name) => !names.has(name));
  if (extra.length > 0) throw new InitialMaskError(`the model has no layer ${extra.join(', ')}`);
  for (const layer of layers) {
    const mask = masks.get(layer.name);
    if (mask === undefined) throw new InitialMaskError(`no mask for layer ${layer.name}`);
    const size = layerSize(layer.shape);
    if (mask.length !== size) throw new InitialMaskError(`layer ${layer.name} has ${size} weights, its mask ${mask.length}`);
  }
}

/**
 * Replaces every layer's mask with the given one. `initialWeights` are the layers' weights before the method drew
 * its masks (dense initial values, canonical layout): positions active in the given mask get them back, so the
 * topology starts from the same initialisation a fresh draw would have had.
 */
export function applyInitialMask(
  layers: readonly SparseLayer[],
  masks: ReadonlyMap<string, Mask>,
  initialWeights: ReadonlyMap<string, Float32Array>,
): void {
  checkInitialMask(layers, masks);
  for (const layer of layers) {
    const weights = initialWeights.get(layer.name);
    if (weights === undefined) throw new InitialMaskError(`no initial weights recorded for layer ${layer.name}`);
    layer.setMask(Uint8Array.from(masks.get(layer.name)!), { grownInit: 'keep' });
    layer.writeWeights(weights);
  }
}
