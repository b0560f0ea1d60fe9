// One tensor's values as bytes: float32, float16, or int8 with a per-tensor scale. Symmetric int8: scale =
// max|v| / 127, q = round(v / scale) clamped to ±127, decoded as q × scale (all-zero values: scale 0).
import { ByteReader, ByteWriter, FederatedDecodeError } from './byte-io.js';
import type { ValueDtype } from './contract.js';
import { fromHalfBits, toHalfBits } from './float16.js';

export const DTYPE_CODES: Readonly<Record<ValueDtype, number>> = { f32: 0, f16: 1, int8: 2 };
const DTYPES: readonly ValueDtype[] = ['f32', 'f16', 'int8'];
const INT8_LIMIT = 127;

export function dtypeOfCode(code: number): ValueDtype {
  const dtype = DTYPES[code];
  if (dtype === undefined) throw new FederatedDecodeError(`unknown value dtype code ${code}`);
  return dtype;
}

/** Bytes `count` values take after the dtype byte and count: the payload, plus the scale for int8. */
export function valueBytes(dtype: ValueDtype, count: number): number {
  switch (dtype) {
    case 'f32':
      return 4 * count;
    case 'f16':
      return 2 * count;
    case 'int8':
      return 4 + count;
  }
}

export function writeValues(writer: ByteWriter, dtype: ValueDtype, values: Float32Array): void {
  switch (dtype) {
    case 'f32':
      for (const value of values) writer.f32(value);
      return;
    case 'f16':
      for (const value of values) writer.u16(toHalfBits(value));
      return;
    case 'int8': {
      const scale = int8Scale(values);
      writer.f32(scale);
      for (const value of values) writer.u8(quantize(value, scale) & 0xff);
      return;
    }
  }
}

export function readValues(reader: ByteReader, dtype: ValueDtype, count: number): Float32Array {
  const values = new Float32Array(count);
  switch (dtype) {
    case 'f32':
      for (let i = 0; i < count; i++) values[i] = reader.f32();
      break;
    case 'f16':
      for (let i = 0; i < count; i++) values[i] = fromHalfBits(reader.u16());
      break;
    case 'int8': {
      const scale = reader.f32();
      if (!Number.isFinite(scale) || scale < 0) throw new FederatedDecodeError(`int8 scale ${scale} is not a finite non-negative number`);
      for (let i = 0; i < count; i++) values[i] = ((reader.u8() << 24) >> 24) * scale;
      break;
    }
  }
  return values;
}

/** The float32 scale int8 encoding uses for these values; throws for a non-finite value (int8 cannot carry it). */
export function int8Scale(values: Float32Array): number {
  let largest = 0;
  for (const value of values) {
    if (!Number.isFinite(value)) throw new RangeError(`int8 cannot carry the value ${value}`);
    largest = Math.max(largest, Math.abs(value));
  }
  return Math.fround(largest / INT8_LIMIT);
}

function quantize(value: number, scale: number): number {
  if (scale === 0) return 0;
  return Math.max(-INT8_LIMIT, Math.min(INT8_LIMIT, Math.round(value / scale)));
}
