import { describe, expect, it } from 'vitest';
import {
  FederatedDecodeError,
  decodeClientUpdate,
  decodeSparseSet,
  encodeClientUpdate,
  encodeSparseSet,
  sparseSetByteSize,
  type FederatedClientUpdate,
  type SparseTensorSet,
} from '../../../client/src/engine/federated/index.js';
import { fromHalfBits, toHalfBits } from '../../../client/src/engine/federated/float16.js';
import { crc32 } from '../../../protocol/src/index.js';
import { denseFloat32Bytes, mapValues, mlpSet } from './fixtures.js';

describe('float16', () => {
  it('maps every finite half back to its own bits', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const exponent = (bits >>> 10) & 0x1f;
      if (exponent === 0x1f) continue;
      expect(toHalfBits(fromHalfBits(bits))).toBe(bits);
    }
  });

  it('rounds to nearest even, overflows to infinity and underflows to zero', () => {
    expect(toHalfBits(1)).toBe(0x3c00);
    expect(toHalfBits(1 + 2 ** -11)).toBe(0x3c00); // halfway, 0x3c00 is even
    expect(toHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02); // halfway, 0x3c02 is even
    expect(toHalfBits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // just above halfway
    expect(toHalfBits(65504)).toBe(0x7bff);
    expect(toHalfBits(65520)).toBe(0x7c00);
    expect(toHalfBits(-Infinity)).toBe(0xfc00);
    expect(Number.isNaN(fromHalfBits(toHalfBits(Number.NaN)))).toBe(true);
    expect(toHalfBits(2 ** -24)).toBe(0x0001);
    expect(toHalfBits(2 ** -26)).toBe(0x0000);
    expect(toHalfBits(3 * 2 ** -25)).toBe(0x0002); // 1.5 subnormal units, halfway, rounds to even 2
    expect(Object.is(fromHalfBits(toHalfBits(-0)), -0)).toBe(true);
  });
});

describe('sparse tensor set encoding', () => {
  const set = mlpSet(0.1, 7);

  it('round-trips float32 exactly and its size is what byteSize says', () => {
    const bytes = encodeSparseSet(set);
    expect(bytes.length).toBe(sparseSetByteSize(set));
    expect(decodeSparseSet(bytes)).toEqual(set);
  });

  it('sends float16 values as the nearest halves, and decoded values re-encode to the same bytes', () => {
    const bytes = encodeSparseSet(set, { dtype: 'f16' });
    expect(bytes.length).toBe(sparseSetByteSize(set, { dtype: 'f16' }));
    const decoded = decodeSparseSet(bytes);
    const expected = mapValues(set, (value, tensor) => (tensor.kind === 'masked' ? fromHalfBits(toHalfBits(value)) : value));
    expect(decoded).toEqual(expected);
    expect(encodeSparseSet(decoded, { dtype: 'f16' })).toEqual(bytes);
  });

  it('sends int8 values as q × scale with scale = max|v| / 127, within half a step of the original', () => {
    const bytes = encodeSparseSet(set, { dtype: 'int8', denseDtype: 'int8' });
    expect(bytes.length).toBe(sparseSetByteSize(set, { dtype: 'int8', denseDtype: 'int8' }));
    const decoded = decodeSparseSet(bytes);
    decoded.tensors.forEach((tensor, t) => {
      const original = set.tensors[t].values;
      const scale = Math.fround(original.reduce((max, value) => Math.max(max, Math.abs(value)), 0) / 127);
      tensor.values.forEach((value, i) => {
        const q = Math.round(original[i] / scale) || 0; // a -0 quotient decodes as +0
        expect(value).toBe(Math.fround(q * scale));
        expect(Math.abs(value - original[i])).toBeLessThanOrEqual(scale / 2 + 1e-7);
      });
    });
    expect(encodeSparseSet(decoded, { dtype: 'int8', denseDtype: 'int8' })).toEqual(bytes);
  });

  it('leaves out masks the receiver holds, and cannot be decoded without them', () => {
    const delta = mapValues(set, (value) => value / 10);
    const withMasks = encodeSparseSet(delta);
    const withoutMasks = encodeSparseSet(delta, { maskReference: set });
    expect(withoutMasks.length).toBeLessThan(withMasks.length);
    expect(decodeSparseSet(withoutMasks, { maskReference: set })).toEqual(delta);
    expect(() => decodeSparseSet(withoutMasks)).toThrow(FederatedDecodeError);
  });

  it('sends an all-ones mask as a flag, not as bits', () => {
    const full: SparseTensorSet = { tensors: [{ name: 'w', kind: 'masked', shape: [4, 4], mask: new Uint8Array(16).fill(1), values: new Float32Array(16).fill(2) }] };
    const empty: SparseTensorSet = { tensors: [{ name: 'w', kind: 'dense', shape: [4, 4], values: new Float32Array(16).fill(2) }] };
    // The masked form costs only the mask-encoding byte and its u32 length over the dense form.
    expect(encodeSparseSet(full).length).toBe(encodeSparseSet(empty).length + 5);
    expect(decodeSparseSet(encodeSparseSet(full))).toEqual(full);
  });

  it('refuses corrupt, truncated or inconsistent bytes', () => {
    const bytes = encodeSparseSet(set);
    const flipped = Uint8Array.from(bytes);
    flipped[100] ^= 0x40;
    expect(() => decodeSparseSet(flipped)).toThrow(/checksum/);
    expect(() => decodeSparseSet(bytes.subarray(0, bytes.length - 10))).toThrow(FederatedDecodeError);
    expect(() => decodeSparseSet(new Uint8Array(3))).toThrow(FederatedDecodeError);
    const wrongCount = { tensors: [{ ...set.tensors[0], values: set.tensors[0].values.subarray(1) }] };
    expect(() => encodeSparseSet(wrongCount)).toThrow(RangeError);
  });

  it('uploads a 90 %-sparse MLP update in at most 0.15 × its dense float32 bytes', () => {
    // ERK at density 0.1 over the MLP (784-300-100-10, 266,610 values with biases): fp32 values, masks sent as
    // index lists. Ratios (exact for this seed): 0.1225 with masks, 0.1014 against the global masks (what a
    // client uploads in 'fixed'/'consensus' mode), 0.0516 in float16 against them, 0.0266 in int8 against them.
    const dense = denseFloat32Bytes(set);
    const ratio = (options: Parameters<typeof encodeSparseSet>[1]) => encodeSparseSet(set, options).length / dense;
    expect(dense).toBe(4 * 266_610);
    expect(ratio({})).toBeLessThanOrEqual(0.15);
    expect(ratio({})).toBeCloseTo(0.1225, 4);
    expect(ratio({ maskReference: set })).toBeLessThanOrEqual(0.105);
    expect(ratio({ maskReference: set, dtype: 'f16' })).toBeLessThanOrEqual(0.055);
    expect(ratio({ maskReference: set, dtype: 'int8' })).toBeLessThanOrEqual(0.03);
  });
});

describe('client update encoding', () => {
  const global = mlpSet(0.1, 3);
  const update: FederatedClientUpdate = {
    round: 4,
    examples: 1234,
    stepsDone: 7,
    stepsPlanned: 10,
    kind: 'delta',
    tensors: mapValues(global, (value) => value / 8),
    maskProposal: [
      { name: 'fc1.weight', prune: Uint32Array.of(global.tensors[0].mask!.indexOf(1)), pruneScores: Float32Array.of(1), grow: Uint32Array.of(global.tensors[0].mask!.indexOf(0), 200_000), growScores: Float32Array.of(0.5, 1) },
    ],
    metrics: { loss: 0.75, accuracy: 0.625 },
  };

  it('round-trips counts, metrics, proposals (scores normalised to the largest) and tensors', () => {
    const bytes = encodeClientUpdate(update, { maskReference: global });
    expect(decodeClientUpdate(bytes, { maskReference: global })).toEqual(update);
    const scaled = { ...update, maskProposal: [{ ...update.maskProposal![0], growScores: Float32Array.of(2, 4) }] };
    expect(decodeClientUpdate(encodeClientUpdate(scaled)).maskProposal).toEqual(update.maskProposal);
  });

  it('keeps an absent accuracy and proposal absent', () => {
    const plain: FederatedClientUpdate = { ...update, kind: 'weights', maskProposal: undefined, metrics: { loss: 2 } };
    const { maskProposal: _dropped, ...expected } = plain;
    expect(decodeClientUpdate(encodeClientUpdate(plain))).toEqual(expected);
  });

  it('refuses a corrupt update', () => {
    const bytes = encodeClientUpdate(update);
    const flipped = Uint8Array.from(bytes);
    flipped[20] ^= 1;
    expect(() => decodeClientUpdate(flipped)).toThrow(FederatedDecodeError);
    expect(() => decodeClientUpdate(bytes.subarray(1))).toThrow(FederatedDecodeError);
  });
});

describe('decoding against a reference', () => {
  const global = mlpSet(0.1, 5);

  it('refuses a tensor the reference lacks or has in another shape', () => {
    const foreign: SparseTensorSet = { tensors: [{ name: 'other', kind: 'dense', shape: [2], values: Float32Array.of(1, 2) }] };
    expect(() => decodeSparseSet(encodeSparseSet(foreign), { maskReference: global })).toThrow(/not in the reference/);
    const reshaped = { tensors: [{ ...global.tensors[1], shape: [150, 2] }] };
    expect(() => decodeSparseSet(encodeSparseSet(reshaped), { maskReference: global })).toThrow(/shape/);
  });

  it('refuses a header declaring more elements than the bytes can hold, with a valid checksum', () => {
    const small: SparseTensorSet = { tensors: [{ name: 'x', kind: 'dense', shape: [2], values: Float32Array.of(1, 2) }] };
    const bytes = Uint8Array.from(encodeSparseSet(small));
    const view = new DataView(bytes.buffer);
    view.setUint32(17, 2 ** 30, true); // header 12, name length 2, name 1, kind 1, rank 1: the first dimension
    view.setUint32(bytes.length - 4, crc32(bytes.subarray(0, bytes.length - 4)), true);
    expect(() => decodeSparseSet(bytes)).toThrow(/truncated/);
  });
});
