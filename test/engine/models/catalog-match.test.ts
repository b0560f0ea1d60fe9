import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../client/src/engine/backend/init.js';
import { buildModel } from '../../../client/src/engine/models/builders.js';
import { isSeedNetwork, MODEL_NAMES, maskableLayers, type InputShape } from '../../../client/src/engine/models/catalog.js';

/** The engine's small models; the seed networks (built from plans) are covered by seed-networks.test.ts. */
const SMALL_MODELS = MODEL_NAMES.filter((name) => !isSeedNetwork(name));

const INPUTS: readonly [string, InputShape][] = [
  ['fashion-mnist', { height: 28, width: 28, channels: 1 }],
  ['cifar10', { height: 32, width: 32, channels: 3 }],
];

describe('buildModel', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  for (const [data, input] of INPUTS) {
    it.each(SMALL_MODELS)(`should match the catalog's maskable layers for %s on ${data}`, (name) => {
      // Execute
      const model = buildModel({ model: name, input, numClasses: 10, seed: 3 });
      try {
        // Assert
        expect(model.maskableLayers()).toEqual(maskableLayers(name, input, 10));
        const logits = tf.tidy(() => model.forward(tf.zeros([2, input.height, input.width, input.channels]), false).shape);
        expect(logits).toEqual([2, 10]);
        expect(model.parameters.filter((p) => p.decay).map((p) => p.name)).toEqual(
          model.maskedWeights.map((w) => `${w.name}.weight`),
        );
      } finally {
        model.dispose();
      }
    });
  }

  it('should initialise identically for the same seed and differently for another', () => {
    // Prepare
    const input = { height: 28, width: 28, channels: 1 };
    const build = (seed: number) => buildModel({ model: 'cnn', input, numClasses: 10, seed });
    const [a, b, c] = [build(5), build(5), build(6)];

    // Execute
    const weights = [a, b, c].map((m) => m.maskedWeights[0].readWeights());

    // Assert
    expect(weights[1]).toEqual(weights[0]);
    expect(weights[2]).not.toEqual(weights[0]);
    for (const m of [a, b, c]) m.dispose();
  });
});
