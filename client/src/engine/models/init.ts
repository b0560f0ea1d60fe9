// Seeded weight initialisation, drawn in the canonical layout from the engine's Rng so that a seed gives the same
// network on every backend and device.
//   conv:   Kaiming-normal, fan_out mode, ReLU gain: N(0, 2 / (out·kh·kw))  (torchvision / MEST ResNets)
//   linear: Glorot-uniform U(±sqrt(6 / (in + out))). MEST uses N(0, 0.01), which trains the 3-layer MLP and the
//           CNN head noticeably slower in short edge runs; Glorot keeps activations at unit scale.
import type { Rng } from '../util/rng.js';
import { layerSize, type LayerShape } from '../sparse/types.js';

export function initialWeights(shape: LayerShape, rng: Rng): Float32Array {
  return shape.kind === 'conv' ? kaimingNormalFanOut(shape, rng) : glorotUniform(shape, rng);
}

export function kaimingNormalFanOut(shape: LayerShape, rng: Rng): Float32Array {
  const std = Math.sqrt(2 / (shape.out * shape.kh * shape.kw));
  const values = new Float32Array(layerSize(shape));
  for (let i = 0; i < values.length; i++) values[i] = rng.normal() * std;
  return values;
}

export function glorotUniform(shape: LayerShape, rng: Rng): Float32Array {
  const fanIn = shape.in * shape.kh * shape.kw;
  const fanOut = shape.out * shape.kh * shape.kw;
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const values = new Float32Array(layerSize(shape));
  for (let i = 0; i < values.length; i++) values[i] = (rng.next() * 2 - 1) * limit;
  return values;
}

/** Bias init as PyTorch's Linear/Conv2d: U(±1/sqrt(fan_in)). */
export function biasValues(shape: LayerShape, rng: Rng): Float32Array {
  const bound = 1 / Math.sqrt(shape.in * shape.kh * shape.kw);
  const values = new Float32Array(shape.out);
  for (let i = 0; i < values.length; i++) values[i] = (rng.next() * 2 - 1) * bound;
  return values;
}
