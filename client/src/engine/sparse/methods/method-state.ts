// Helpers for SparseTrainingMethod.exportState/importState. State travels as named Float32Arrays; float64 arrays
// are packed bit-exactly as pairs of 32-bit words (a view over the same bytes), so a resumed run continues with
// exactly the values it stopped with. Packed arrays must only be copied as bytes, never read element by element
// (a float32 read can canonicalise NaN bit patterns); the checkpoint codec copies bytes.
import type { MethodState } from './types.js';

export class MethodStateError extends Error {
  constructor(method: string, message: string) {
    super(`${method}: cannot restore method state: ${message}`);
    this.name = 'MethodStateError';
  }
}

export function packFloat64(values: Float64Array): Float32Array<ArrayBuffer> {
  const packed = new Float32Array(values.length * 2);
  new Uint8Array(packed.buffer).set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  return packed;
}

export function unpackFloat64(packed: Float32Array): Float64Array<ArrayBuffer> {
  if (packed.length % 2 !== 0) throw new RangeError(`packed float64 data has an odd length ${packed.length}`);
  const values = new Float64Array(packed.length / 2);
  new Uint8Array(values.buffer).set(new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength));
  return values;
}

/** The entry `key` of `state`, or a MethodStateError naming what is missing. */
export function requireEntry(state: MethodState, key: string, method: string): Float32Array {
  const entry = state[key];
  if (entry === undefined) throw new MethodStateError(method, `missing '${key}'`);
  return entry;
}

/** Unpacks a float64 entry and checks its length. */
export function requireFloat64(state: MethodState, key: string, length: number, method: string): Float64Array<ArrayBuffer> {
  const values = unpackFloat64(requireEntry(state, key, method));
  if (values.length !== length) throw new MethodStateError(method, `'${key}' has ${values.length} values, this run needs ${length}`);
  return values;
}
