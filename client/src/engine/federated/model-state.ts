// A live engine model <-> SparseTensorSet: masked weights in the canonical layout with their masks, every other
// trainable parameter and every buffer in full. Names are those of checkpoints (parameter names; buffers without
// the model instance's scope), so any fresh instance of the same model reads the set.
import * as tf from '@tensorflow/tfjs';
import { canonicalShape } from '../checkpoint/capture.js';
import { bufferName } from '../checkpoint/state-names.js';
import type { MaskedWeight } from '../models/masked-weight.js';
import type { Model } from '../models/model.js';
import type { SparseTensor, SparseTensorSet } from './contract.js';
import { denseValues, elementCount, gatherMasked, tensorsByName } from './tensors.js';

export function captureModelSet(model: Model): SparseTensorSet {
  const masked = maskedByVariable(model);
  const tensors: SparseTensor[] = [];
  for (const parameter of model.parameters) {
    const layer = masked.get(parameter.variable);
    if (layer === undefined) {
      tensors.push({ name: parameter.name, kind: 'dense', shape: parameter.variable.shape, values: readVariable(parameter.variable) });
      continue;
    }
    const mask = Uint8Array.from(layer.mask, (bit) => (bit !== 0 ? 1 : 0));
    tensors.push({ name: parameter.name, kind: 'masked', shape: canonicalShape(layer), mask, values: gatherMasked(layer.readWeights(), mask) });
  }
  for (const buffer of model.buffers) tensors.push({ name: bufferName(buffer), kind: 'buffer', shape: buffer.shape, values: readVariable(buffer) });
  return { tensors };
}

/**
 * Puts `set` into the model: masks first (weights becoming active keep what is written next), then values. Call it
 * before the layers move to the sparse kernels. Throws RangeError when the set does not describe this model.
 */
export function loadModelSet(model: Model, set: SparseTensorSet): void {
  const byName = tensorsByName(set);
  const masked = maskedByVariable(model);
  const expected = new Set<string>();
  for (const parameter of model.parameters) {
    expected.add(parameter.name);
    const tensor = take(byName, parameter.name);
    const layer = masked.get(parameter.variable);
    if (layer === undefined) {
      assign(parameter.variable, checkedValues(tensor, parameter.variable.shape, 'dense'));
      continue;
    }
    const values = checkedValues(tensor, canonicalShape(layer), 'masked');
    layer.setMask(Uint8Array.from(tensor.mask!), { grownInit: 'keep' });
    layer.writeWeights(values);
  }
  for (const buffer of model.buffers) {
    const name = bufferName(buffer);
    expected.add(name);
    assign(buffer, checkedValues(take(byName, name), buffer.shape, 'buffer'));
  }
  const extra = [...byName.keys()].filter((name) => !expected.has(name));
  if (extra.length > 0) throw new RangeError(`the model has no tensor ${extra.map((name) => `'${name}'`).join(', ')}`);
}

function maskedByVariable(model: Model): Map<tf.Variable, MaskedWeight> {
  return new Map(model.maskedWeights.map((weight) => [weight.variable, weight]));
}

function take(byName: ReadonlyMap<string, SparseTensor>, name: string): SparseTensor {
  const tensor = byName.get(name);
  if (tensor === undefined) throw new RangeError(`the set has no tensor '${name}' (another model?)`);
  return tensor;
}

function checkedValues(tensor: SparseTensor, shape: readonly number[], kind: SparseTensor['kind']): Float32Array {
  if (tensor.kind !== kind) throw new RangeError(`tensor '${tensor.name}' is ${tensor.kind}, the model's is ${kind}`);
  if (tensor.shape.length !== shape.length || tensor.shape.some((dim, i) => dim !== shape[i])) {
    throw new RangeError(`tensor '${tensor.name}' has shape [${tensor.shape.join(', ')}], the model needs [${shape.join(', ')}]`);
  }
  const values = denseValues(tensor);
  if (values.length !== elementCount(shape)) throw new RangeError(`tensor '${tensor.name}' does not fill its shape`);
  return values;
}

function readVariable(variable: tf.Variable): Float32Array {
  return Float32Array.from(variable.dataSync() as Float32Array);
}

function assign(variable: tf.Variable, values: Float32Array): void {
  tf.tidy(() => variable.assign(tf.tensor(values, variable.shape, 'float32')));
}
