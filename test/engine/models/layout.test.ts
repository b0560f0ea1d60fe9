import { describe, expect, it } from 'vitest';
import { canonicalToTf, tfToCanonical, tfWeightShape } from '../../../client/src/engine/models/layout.js';
import { convShape, layerSize, linearShape } from '../../../client/src/engine/sparse/types.js';

describe('layout', () => {
  it('should place conv element [o,i,r,q] at tf index [r,q,i,o]', () => {
    // Prepare
    const shape = convShape(4, 3, 2, 5);
    const canonical = Float32Array.from({ length: layerSize(shape) }, (_, k) => k);

    // Execute
    const tf = canonicalToTf(shape, canonical);

    // Assert
    const [o, i, r, q] = [3, 1, 1, 4];
    const canonicalIndex = ((o * 3 + i) * 2 + r) * 5 + q;
    const tfIndex = ((r * 5 + q) * 3 + i) * 4 + o;
    expect(tf[tfIndex]).toBe(canonicalIndex);
    expect(tfWeightShape(shape)).toEqual([2, 5, 3, 4]);
  });

  it('should transpose linear weights between [in,out] and [out,in]', () => {
    // Prepare
    const shape = linearShape(2, 3);
    const tfValues = Float32Array.from([0, 1, 2, 3, 4, 5]); // [in=3][out=2]

    // Execute
    const canonical = tfToCanonical(shape, tfValues);

    // Assert
    expect(Array.from(canonical)).toEqual([0, 2, 4, 1, 3, 5]);
    expect(tfWeightShape(shape)).toEqual([3, 2]);
  });

  it.each([convShape(8, 3, 3, 3), convShape(5, 7, 1, 1), linearShape(10, 13)])(
    'should round-trip canonical -> tf -> canonical for %o',
    (shape) => {
      const canonical = Float32Array.from({ length: layerSize(shape) }, (_, k) => Math.sin(k));
      expect(tfToCanonical(shape, canonicalToTf(shape, canonical))).toEqual(canonical);
    },
  );

  it('should reject arrays of the wrong length', () => {
    expect(() => canonicalToTf(linearShape(2, 2), new Float32Array(3))).toThrow(/expected 4 values/);
  });
});
