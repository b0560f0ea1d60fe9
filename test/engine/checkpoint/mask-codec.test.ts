import { describe, expect, it } from 'vitest';
import { TensorEncoding } from '../../../protocol/src/index.js';
import {
  MaskDecodeError,
  decodeMask,
  decodeMaskBitset,
  decodeMaskDeltaVarint,
  encodeMask,
  encodeMaskBitset,
  encodeMaskDeltaVarint,
} from '../../../client/src/engine/checkpoint/mask-codec.js';
import { createRng } from '../../../client/src/engine/util/rng.js';

function randomMask(length: number, density: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  return Uint8Array.from({ length }, () => (rng.next() < density ? 1 : 0));
}

describe('mask codec', () => {
  it('should pack a bitset LSB first', () => {
    // Prepare
    const mask = Uint8Array.from([1, 0, 1, 1, 0, 0, 0, 0, 0, 1]);

    // Execute
    const bytes = encodeMaskBitset(mask);

    // Assert
    expect(Array.from(bytes)).toEqual([0b00001101, 0b00000010]);
    expect(decodeMaskBitset(bytes, mask.length)).toEqual(mask);
  });

  it('should write the first index and then the gaps as varints', () => {
    // Prepare: active at 3, 4 and 300 (gap 296 takes two varint bytes)
    const mask = new Uint8Array(301);
    mask[3] = mask[4] = mask[300] = 1;

    // Execute
    const bytes = encodeMaskDeltaVarint(mask);

    // Assert
    expect(Array.from(bytes)).toEqual([3, 1, 0xa8, 0x02]);
    expect(decodeMaskDeltaVarint(bytes, mask.length)).toEqual(mask);
  });

  it.each([
    ['empty', 0, 0],
    ['all zeros', 1000, 0],
    ['all ones', 1000, 1],
    ['sparse', 5000, 0.02],
    ['half', 777, 0.5],
    ['one element', 1, 1],
  ])('should round-trip a %s mask through the chosen encoding', (_label, length, density) => {
    // Prepare
    const mask = randomMask(length, density, length + 7);

    // Execute
    const encoded = encodeMask(mask);

    // Assert
    expect(decodeMask(encoded, length)).toEqual(mask);
  });

  it('should choose the delta-varint list for sparse masks and the bitset for dense ones', () => {
    // Prepare
    const sparse = randomMask(10_000, 0.03, 1);
    const dense = randomMask(10_000, 0.5, 2);
    const full = new Uint8Array(10_000).fill(1);

    // Execute
    const encodings = [sparse, dense, full].map((mask) => encodeMask(mask));

    // Assert
    expect(encodings.map((e) => e.encoding)).toEqual([
      TensorEncoding.TENSOR_ENCODING_DELTA_VARINT,
      TensorEncoding.TENSOR_ENCODING_BITSET,
      TensorEncoding.TENSOR_ENCODING_BITSET,
    ]);
    expect(encodings[0].data.length).toBeLessThan(10_000 / 8);
    expect(encodings[0].data.length).toBe(encodeMaskDeltaVarint(sparse).length);
    expect(encodings[1].data.length).toBe(1250);
  });

  it('should encode an empty mask as zero delta-varint bytes', () => {
    // Execute
    const encoded = encodeMask(new Uint8Array(64));

    // Assert
    expect(encoded).toEqual({ encoding: TensorEncoding.TENSOR_ENCODING_DELTA_VARINT, data: new Uint8Array(0) });
  });

  it('should reject bytes that do not describe a mask of the expected length', () => {
    // Assert
    expect(() => decodeMaskBitset(new Uint8Array(3), 8)).toThrow(MaskDecodeError);
    expect(() => decodeMaskDeltaVarint(Uint8Array.from([9]), 8)).toThrow(/out of range/);
    expect(() => decodeMaskDeltaVarint(Uint8Array.from([2, 0]), 8)).toThrow(/repeated index/);
    expect(() => decodeMaskDeltaVarint(Uint8Array.from([0x80]), 8)).toThrow(/truncated/);
    expect(() => decodeMask({ encoding: TensorEncoding.TENSOR_ENCODING_DENSE_F32 as never, data: new Uint8Array(1) }, 8)).toThrow(
      /unsupported mask encoding/,
    );
  });
});
