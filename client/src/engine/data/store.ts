// How a data set keeps its examples. Real images stay as their raw 0..255 bytes (1 byte per value) and are turned
// into model-ready floats only when a batch is built, through a 256-entry table per channel; so a loaded CIFAR-10
// training set is 154 MB instead of 614 MB as float32. Synthetic examples are generated when a batch asks for
// them. Values written are bit-identical to what materialising floats up front produced.
import type { PixelNormalization } from './types.js';

export type ExampleStoreKind = 'bytes' | 'floats' | 'generated';

export interface ExampleStore {
  readonly kind: ExampleStoreKind;
  readonly count: number;
  /** Values per example (height × width × channels). */
  readonly exampleLength: number;
  /** Memory held for the examples themselves (labels and ids not included). */
  readonly byteLength: number;
  /** Writes example `index` as model-ready NHWC floats into `target` from `offset`. */
  write(index: number, target: Float32Array, offset: number): void;
  /** The examples at `indices`, in that order, as a store of the same kind (bytes and floats are copied). */
  select(indices: ArrayLike<number>): ExampleStore;
}

/** Raw NHWC bytes plus the per-channel table that maps a byte to its model-ready value. */
export interface ByteExampleStore extends ExampleStore {
  readonly kind: 'bytes';
  readonly channels: number;
  /** `count * exampleLength` raw pixel values, NHWC. */
  readonly pixels: Uint8Array;
  /** `channels * 256` values: the float for byte v of channel c is `table[c * 256 + v]`. */
  readonly table: Float32Array;
}

/**
 * The byte → float table per channel: `v / 255` without normalisation, else `(v / 255 - mean) / std`, evaluated as
 * `v * (1 / (255 * std)) + (-mean / std)` in double precision and rounded to float32 once (the formula the CIFAR
 * loader has always used, so stored values do not change).
 */
export function byteDecodeTable(channels: number, normalization?: PixelNormalization): Float32Array {
  const table = new Float32Array(channels * 256);
  for (let c = 0; c < channels; c++) {
    if (normalization) {
      const scale = 1 / (255 * normalization.std[c]);
      const shift = -normalization.mean[c] / normalization.std[c];
      for (let v = 0; v < 256; v++) table[c * 256 + v] = v * scale + shift;
    } else {
      for (let v = 0; v < 256; v++) table[c * 256 + v] = v / 255;
    }
  }
  return table;
}

/** A store over `pixels` (NHWC bytes, not copied) decoded with `table` (see byteDecodeTable). */
export function byteStore(pixels: Uint8Array, exampleLength: number, channels: number, table: Float32Array): ByteExampleStore {
  if (exampleLength <= 0 || exampleLength % channels !== 0) {
    throw new RangeError(`example length ${exampleLength} is not a positive multiple of ${channels} channels`);
  }
  if (pixels.length % exampleLength !== 0) {
    throw new RangeError(`${pixels.length} bytes is not a whole number of ${exampleLength}-byte examples`);
  }
  if (table.length !== channels * 256) throw new RangeError(`decode table has ${table.length} entries, need ${channels * 256}`);
  const count = pixels.length / exampleLength;
  return {
    kind: 'bytes',
    count,
    exampleLength,
    byteLength: pixels.byteLength + table.byteLength,
    channels,
    pixels,
    table,
    write(index, target, offset) {
      checkIndex(index, count);
      const base = index * exampleLength;
      if (channels === 1) {
        for (let i = 0; i < exampleLength; i++) target[offset + i] = table[pixels[base + i]];
        return;
      }
      for (let i = 0, c = 0; i < exampleLength; i++) {
        target[offset + i] = table[(c << 8) | pixels[base + i]];
        if (++c === channels) c = 0;
      }
    },
    select(indices) {
      const out = new Uint8Array(indices.length * exampleLength);
      for (let i = 0; i < indices.length; i++) {
        const index = indices[i];
        checkIndex(index, count);
        out.set(pixels.subarray(index * exampleLength, (index + 1) * exampleLength), i * exampleLength);
      }
      return byteStore(out, exampleLength, channels, table);
    },
  };
}

/** Model-ready floats kept as they are (hand-built data sets, tests). `values` is not copied. */
export function floatStore(values: Float32Array, exampleLength: number): ExampleStore {
  if (exampleLength <= 0 || values.length % exampleLength !== 0) {
    throw new RangeError(`${values.length} values is not a whole number of ${exampleLength}-value examples`);
  }
  const count = values.length / exampleLength;
  return {
    kind: 'floats',
    count,
    exampleLength,
    byteLength: values.byteLength,
    write(index, target, offset) {
      checkIndex(index, count);
      target.set(values.subarray(index * exampleLength, (index + 1) * exampleLength), offset);
    },
    select(indices) {
      const out = new Float32Array(indices.length * exampleLength);
      for (let i = 0; i < indices.length; i++) {
        const index = indices[i];
        checkIndex(index, count);
        out.set(values.subarray(index * exampleLength, (index + 1) * exampleLength), i * exampleLength);
      }
      return floatStore(out, exampleLength);
    },
  };
}

/**
 * Examples computed on demand: example `index` is `generate(sources[index], …)`, where `sources` are positions in
 * the generator's own numbering (default 0..count-1). Holds only the position list.
 */
export function generatedStore(
  count: number,
  exampleLength: number,
  generate: (position: number, target: Float32Array, offset: number) => void,
  sources?: Uint32Array,
): ExampleStore {
  return {
    kind: 'generated',
    count,
    exampleLength,
    byteLength: sources?.byteLength ?? 0,
    write(index, target, offset) {
      checkIndex(index, count);
      generate(sources ? sources[index] : index, target, offset);
    },
    select(indices) {
      const picked = new Uint32Array(indices.length);
      for (let i = 0; i < indices.length; i++) {
        checkIndex(indices[i], count);
        picked[i] = sources ? sources[indices[i]] : indices[i];
      }
      return generatedStore(picked.length, exampleLength, generate, picked);
    },
  };
}

function checkIndex(index: number, count: number): void {
  if (!(index >= 0 && index < count)) throw new RangeError(`example index ${index} is outside 0..${count - 1}`);
}
