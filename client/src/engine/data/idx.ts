// IDX files (LeCun's MNIST format, also Fashion-MNIST): big-endian header `0x00 0x00 <type> <ndim>`, then ndim
// uint32 dimension sizes, then the data. Only unsigned-byte data (type 0x08) is supported, which is all that
// MNIST-style image and label files use.
import { DatasetFormatError } from './types.js';

export interface IdxArray {
  readonly dims: readonly number[];
  /** A view into the input bytes, `product(dims)` long. */
  readonly data: Uint8Array;
}

const IDX_TYPE_UINT8 = 0x08;

/**
 * Parses an (already decompressed) IDX file. `expectedDims` checks the number of dimensions, i.e. magic
 * 0x00000803 for images and 0x00000801 for labels. Trailing bytes after the data are rejected too: they mean the
 * header and the payload disagree.
 */
export function parseIdx(bytes: Uint8Array, file: string, expectedDims?: number): IdxArray {
  if (bytes.length < 4) throw new DatasetFormatError(file, `too short for an IDX header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const ndim = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== IDX_TYPE_UINT8 || ndim === 0) {
    throw new DatasetFormatError(file, `bad IDX magic 0x${hex8(magic)} (expected 0x000008NN: unsigned bytes, NN dims)`);
  }
  if (expectedDims !== undefined && ndim !== expectedDims) {
    throw new DatasetFormatError(
      file,
      `bad IDX magic 0x${hex8(magic)}: ${ndim} dimension(s), expected 0x${hex8(0x800 + expectedDims)}`,
    );
  }
  const headerLength = 4 + 4 * ndim;
  if (bytes.length < headerLength) {
    throw new DatasetFormatError(file, `truncated IDX header: ${bytes.length} bytes, need ${headerLength}`);
  }
  const dims: number[] = [];
  let expectedLength = 1;
  for (let d = 0; d < ndim; d++) {
    const size = view.getUint32(4 + 4 * d, false);
    dims.push(size);
    expectedLength *= size;
  }
  const payloadLength = bytes.length - headerLength;
  if (payloadLength < expectedLength) {
    throw new DatasetFormatError(
      file,
      `truncated IDX data: header says ${dims.join('×')} = ${expectedLength} bytes, file has ${payloadLength}`,
    );
  }
  if (payloadLength > expectedLength) {
    throw new DatasetFormatError(
      file,
      `IDX data longer than its header says: ${dims.join('×')} = ${expectedLength} bytes, file has ${payloadLength}`,
    );
  }
  return { dims, data: bytes.subarray(headerLength, headerLength + expectedLength) };
}

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}
