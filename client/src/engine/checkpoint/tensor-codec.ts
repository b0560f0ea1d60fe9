// Dense float32 tensors as little-endian bytes. Conversions copy bytes, never element values: reading a float32
// into a JS number can canonicalise a NaN payload, and method state packs other bit patterns into Float32Arrays
// (see sparse/methods/method-state.ts), so every bit must survive.
import { TensorEncoding, type Tensor } from '../../../../protocol/src/index.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export class TensorDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TensorDecodeError';
  }
}

export function float32ToBytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.byteLength);
  bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  if (!LITTLE_ENDIAN) swapWords(bytes);
  return bytes;
}

export function bytesToFloat32(bytes: Uint8Array): Float32Array {
  if (bytes.length % 4 !== 0) throw new TensorDecodeError(`float32 data of ${bytes.length} bytes is not a multiple of 4`);
  // Copy first: decoded protobuf bytes may sit at an unaligned offset.
  const copy = bytes.slice();
  if (!LITTLE_ENDIAN) swapWords(copy);
  return new Float32Array(copy.buffer, copy.byteOffset, copy.length / 4);
}

export function denseTensor(name: string, shape: readonly number[], values: Float32Array): Tensor {
  const size = shape.reduce((product, dim) => product * dim, 1);
  if (size !== values.length) throw new RangeError(`${name}: ${values.length} values for shape [${shape.join(', ')}]`);
  return { name, shape: [...shape], encoding: TensorEncoding.TENSOR_ENCODING_DENSE_F32, data: float32ToBytes(values) };
}

/** The values of a DENSE_F32 tensor, checked against its shape. */
export function readDenseTensor(tensor: Tensor): Float32Array {
  if (tensor.encoding !== TensorEncoding.TENSOR_ENCODING_DENSE_F32) {
    throw new TensorDecodeError(`${tensor.name}: expected dense float32, got encoding ${tensor.encoding}`);
  }
  const values = bytesToFloat32(tensor.data);
  const size = tensor.shape.reduce((product, dim) => product * dim, 1);
  if (values.length !== size) {
    throw new TensorDecodeError(`${tensor.name}: ${values.length} values for shape [${tensor.shape.join(', ')}]`);
  }
  return values;
}

/**
 * A copy with every -0 turned into +0. Masking multiplies by 0 and leaves -0 where a weight was negative, while a
 * restored layer writes +0 there; both compute the same, and canonical zeros make equal states encode to equal
 * bytes (so equal checkpoints get equal content ids). Only for numeric tensors, never for packed method state.
 */
export function withPositiveZeros(values: Float32Array): Float32Array {
  const copy = values.slice();
  for (let i = 0; i < copy.length; i++) if (copy[i] === 0) copy[i] = 0;
  return copy;
}

function swapWords(bytes: Uint8Array): void {
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const a = bytes[i];
    const b = bytes[i + 1];
    bytes[i] = bytes[i + 3];
    bytes[i + 1] = bytes[i + 2];
    bytes[i + 2] = b;
    bytes[i + 3] = a;
  }
}
