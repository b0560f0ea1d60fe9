import { describe, expect, it } from 'vitest';
import { ChannelScheme } from '../../../client/src/engine/sparse/schemes/channel.js';
import { convShape, linearShape } from '../../../client/src/engine/sparse/types.js';
import { createRng } from '../../../client/src/engine/util/rng.js';
import { checkSchemeInvariants } from './invariants.js';

describe(ChannelScheme.name, () => {
  const sut = new ChannelScheme();

  it.each([convShape(5, 7, 3, 3), linearShape(3, 10), convShape(4, 3, 1, 1), convShape(2, 9, 3, 3)])(
    'should keep every invariant on shape %o',
    (shape) => checkSchemeInvariants(sut, shape, 5),
  );

  it('should prune whole input channels W[:, i, :, :] by L2 norm', () => {
    // out 2, in 3, 1×2 kernels: channel 1 has the largest norm.
    const shape = convShape(2, 3, 1, 2);
    const score = new Float32Array([1, 1, 3, 3, 0, 0, 1, 1, 3, 3, 2, 0]);
    const mask = sut.prune({ shape, mask: new Uint8Array(12).fill(1), score, keep: 4 });
    expect(Array.from(mask)).toEqual([0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0]);
    expect(sut.groupSize(shape)).toBe(4);
  });

  it('should use whole input columns for linear layers and grow only empty channels', () => {
    const shape = linearShape(2, 3);
    const mask = new Uint8Array([1, 0, 0, 1, 0, 0]);
    const grown = sut.grow({ shape, mask, score: new Float32Array([0, 1, 5, 0, 1, 5]), count: 2, rng: createRng(2) });
    expect(Array.from(grown)).toEqual([1, 0, 1, 1, 0, 1]);
    expect(sut.conforms(shape, new Uint8Array([1, 0, 0, 0, 0, 0]))).toBe(false);
  });
});
