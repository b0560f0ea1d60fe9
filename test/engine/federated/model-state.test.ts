import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../client/src/engine/backend/init.js';
import { captureModelSet, loadModelSet, type SparseTensorSet } from '../../../client/src/engine/federated/index.js';
import { denseValues } from '../../../client/src/engine/federated/tensors.js';
import { buildModel } from '../../../client/src/engine/models/builders.js';

const INPUT = { height: 8, width: 8, channels: 3 };

/** resnet20: masked convs and linear, a dense bias, BatchNorm parameters and running-statistics buffers. */
function build(seed: number) {
  return buildModel({ model: 'resnet20', input: INPUT, numClasses: 4, seed });
}

function perturbed(set: SparseTensorSet): SparseTensorSet {
  return {
    tensors: set.tensors.map((tensor, t) => {
      if (tensor.mask === undefined) return { ...tensor, values: tensor.values.map((value, i) => value + 0.01 * (t + 1) + 0.001 * (i % 7)) };
      // Masked: drop every other active position, so loading must change the mask as well as the values.
      let seen = 0;
      const mask = tensor.mask.map((bit) => (bit !== 0 && seen++ % 2 === 0 ? 1 : 0));
      const dense = denseValues(tensor);
      return { ...tensor, mask, values: Float32Array.from(dense.filter((_, i) => mask[i] !== 0), (value) => value + 0.5) };
    }),
  };
}

describe('captureModelSet / loadModelSet', () => {
  it('puts masks, weights, dense parameters and buffers into another instance exactly', async () => {
    await initBackend('cpu');
    const source = build(1);
    const target = build(2);
    try {
      const set = perturbed(captureModelSet(source));
      expect(set.tensors.some((tensor) => tensor.kind === 'buffer')).toBe(true);
      expect(set.tensors.some((tensor) => tensor.kind === 'dense')).toBe(true);
      loadModelSet(target, set);
      expect(captureModelSet(target)).toEqual(set);
    } finally {
      source.dispose();
      target.dispose();
    }
  });

  it('refuses a set of another model', async () => {
    await initBackend('cpu');
    const resnet = build(1);
    const mlp = buildModel({ model: 'mlp', input: INPUT, numClasses: 4, seed: 1 });
    try {
      expect(() => loadModelSet(mlp, captureModelSet(resnet))).toThrow(RangeError);
    } finally {
      resnet.dispose();
      mlp.dispose();
    }
  });
});
