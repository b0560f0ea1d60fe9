// restoreInitialScale: a layer thinned by the initial mask draw gets back its dense initial squared norm.
import { describe, expect, it } from 'vitest';
import { ArrayLayer } from '../../../client/src/engine/sparse/array-layer.js';
import { initialSquaredNorms, restoreInitialScale } from '../../../client/src/engine/sparse/initial-scale.js';
import { linearShape } from '../../../client/src/engine/sparse/types.js';

const squaredNorm = (weights: Float32Array) => weights.reduce((sum, w) => sum + w * w, 0);

describe('restoreInitialScale', () => {
  it('should scale the kept weights of a thinned layer back to its dense squared norm and leave dense layers alone', () => {
    // Prepare: two 2×4 layers; the first loses half its weights to the draw, the second stays dense
    const weights = Float32Array.of(1, -2, 3, -4, 0.5, 1.5, -2.5, 2);
    const thinned = new ArrayLayer('fc1', linearShape(2, 4), { weights });
    const dense = new ArrayLayer('fc2', linearShape(2, 4), { weights });
    const before = initialSquaredNorms([thinned, dense]);
    thinned.setMask(Uint8Array.of(1, 0, 1, 0, 0, 1, 0, 1), { grownInit: 'keep' });

    // Execute
    restoreInitialScale([thinned, dense], before);

    // Assert
    const after = thinned.readWeights();
    expect(squaredNorm(after)).toBeCloseTo(before[0], 4);
    const scale = Math.sqrt(before[0] / (1 + 9 + 2.25 + 4));
    expect(Array.from(after)).toEqual(Array.from(Float32Array.of(1, 0, 3, 0, 0, 1.5, 0, 2).map((w) => w * scale)));
    expect(Array.from(thinned.mask)).toEqual([1, 0, 1, 0, 0, 1, 0, 1]);
    expect(Array.from(dense.readWeights())).toEqual(Array.from(weights));
  });

  it('should leave a layer whose kept weights are all zero unchanged', () => {
    // Prepare
    const layer = new ArrayLayer('fc1', linearShape(1, 2), { weights: Float32Array.of(0, 3) });
    const before = initialSquaredNorms([layer]);
    layer.setMask(Uint8Array.of(1, 0));

    // Execute
    restoreInitialScale([layer], before);

    // Assert
    expect(Array.from(layer.readWeights())).toEqual([0, 0]);
  });
});
