import { describe, expect, it } from 'vitest';
import { ArrayLayer } from '../../../client/src/engine/sparse/array-layer.js';
import { convShape, linearShape } from '../../../client/src/engine/sparse/types.js';

describe(ArrayLayer.name, () => {
  const weights = Float32Array.from([1, -2, 3, -4, 5, -6]);

  it('should apply the initial mask to the weights and hand out copies', () => {
    const sut = new ArrayLayer('fc', linearShape(2, 3), { weights, mask: Uint8Array.from([1, 0, 1, 1, 0, 1]) });
    expect(Array.from(sut.readWeights())).toEqual([1, 0, 3, -4, 0, -6]);
    sut.mask[0] = 0;
    sut.readWeights()[0] = 42;
    expect(sut.mask[0]).toBe(1);
    expect(sut.readWeights()[0]).toBe(1);
  });

  it('should zero pruned weights and slots, zero-init grown ones and reset their slots', () => {
    const sut = new ArrayLayer('fc', linearShape(2, 3), { weights, mask: Uint8Array.from([1, 1, 1, 0, 0, 0]) });
    sut.setMomentum(Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]));
    sut.simulateStep({ gradient: new Float32Array(6).fill(1), learningRate: 0.5, momentum: 0.5 });
    const change = sut.setMask(Uint8Array.from([1, 0, 1, 1, 0, 0]));
    expect(change).toEqual({ pruned: 1, grown: 1, active: 3 });
    const w = sut.readWeights();
    expect(w[1]).toBe(0);
    expect(w[3]).toBe(0);
    expect(w[0]).toBeCloseTo(1 - 0.5 * 1.05, 6);
    const m = sut.readMomentum()!;
    expect(m[1]).toBe(0);
    expect(m[3]).toBe(0);
    expect(m[0]).toBeCloseTo(1.05, 6);
  });

  it('should keep pruned positions at zero through training steps', () => {
    const sut = new ArrayLayer('fc', linearShape(2, 3), { weights, mask: Uint8Array.from([0, 1, 1, 1, 1, 0]) });
    sut.simulateStep({ gradient: new Float32Array(6).fill(3), learningRate: 0.1, momentum: 0.9 });
    expect(sut.readWeights()[0]).toBe(0);
    expect(sut.readMomentum()![5]).toBe(0);
    expect(sut.readGradient()![0]).toBe(3);
    sut.simulateStep({ gradient: new Float32Array(6), learningRate: 0.1, keepGradient: false });
    expect(sut.readGradient()).toBeUndefined();
  });

  it('should scale output rows by the gate in the effective weights only', () => {
    const sut = new ArrayLayer('c', convShape(2, 1, 1, 3), { weights });
    sut.setOutputGate(Float32Array.from([0, 1]));
    expect(Array.from(sut.effectiveWeights(), (v) => v + 0)).toEqual([0, 0, 0, -4, 5, -6]);
    expect(Array.from(sut.readWeights())).toEqual(Array.from(weights));
    expect(() => sut.setOutputGate(new Float32Array(3))).toThrow(/gate/);
    sut.setOutputGate(null);
    expect(sut.readOutputGate()).toBeNull();
  });

  it('should reject masks of the wrong size or with non-binary entries', () => {
    const sut = new ArrayLayer('fc', linearShape(2, 3));
    expect(() => sut.setMask(new Uint8Array(5))).toThrow(/5 entries/);
    expect(() => sut.setMask(Uint8Array.from([2, 0, 0, 0, 0, 0]))).toThrow(/expected 0 or 1/);
  });
});
