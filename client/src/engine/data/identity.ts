// Dataset identity: which training split a statistic or a removal set is about. {name, contentHash, size} of the
// *full* training split as the source holds it (before limits and sharding); example ids are positions 0..size-1.
//
// contentHash = lower-case hex SHA-256 of this canonical byte stream:
//   "sparsefleet.dataset-identity.v1\n"          ASCII format tag
//   u32 LE byte length of the name, the name in UTF-8
//   u32 LE count, u32 LE values per example, u8 bytes per value (1: raw 0..255 pixels; 4: float32 LE, generated data)
//   SHA-256 of the labels (count × int32 LE, file order)
//   SHA-256 of each group of examples, in file order: groups of max(1, floor(16 MiB / bytes per example)) examples
//   (the last one shorter), each example's values NHWC in the width above.
// Hashing groups instead of one stream keeps memory to one group (WebCrypto has no incremental digest, and a
// Tiny-ImageNet or ImageNet-shaped split would otherwise be one buffer of 1–2 GB); the group size follows from the
// header, so the stream is still a pure function of the split. Browser-safe: WebCrypto (`globalThis.crypto`, also in
// Node 20), no node: imports.
import type { DatasetIdentity } from '../../../../protocol/src/index.js';
import type { RawSplit } from './source.js';
import type { ByteExampleStore } from './store.js';
import { exampleLength } from './types.js';
import { concatBytes } from '../util/bytes.js';

export type { DatasetIdentity } from '../../../../protocol/src/index.js';

export const DATASET_IDENTITY_TAG = 'sparsefleet.dataset-identity.v1\n';
const GROUP_BYTES = 16 * 1024 * 1024;

/** The loaded data is not the data the job (or its removal set, or its statistics) is about. */
export class DatasetMismatchError extends Error {
  constructor(
    readonly expected: DatasetIdentity,
    readonly actual: DatasetIdentity,
    what = 'the job expects',
  ) {
    super(
      `dataset mismatch: ${what} ${describe(expected)}, the loaded training split is ${describe(actual)} ` +
        '(other files, another order, or synthetic data standing in for missing files)',
    );
    this.name = 'DatasetMismatchError';
  }
}

export function describeDatasetIdentity(identity: DatasetIdentity): string {
  return describe(identity);
}

/** The identity of a raw (unselected) split under `name`. Reads every example once, one group at a time. */
export async function splitIdentity(name: string, split: RawSplit): Promise<DatasetIdentity> {
  const valuesPerExample = exampleLength(split.inputShape);
  const count = split.count;
  const probe = count === 0 ? undefined : await split.select(Uint32Array.of(0));
  const bytesPerValue = probe === undefined || probe.kind === 'bytes' ? 1 : 4;
  const exampleBytes = valuesPerExample * bytesPerValue;
  const groupSize = Math.max(1, Math.floor(GROUP_BYTES / exampleBytes));
  const parts: Uint8Array[] = [header(name, count, valuesPerExample, bytesPerValue), await sha256(int32Le(split.labels))];
  for (let start = 0; start < count; start += groupSize) {
    const positions = new Uint32Array(Math.min(groupSize, count - start));
    for (let i = 0; i < positions.length; i++) positions[i] = start + i;
    parts.push(await sha256(await exampleBytesOf(split, positions, bytesPerValue)));
  }
  const digest = await sha256(concatBytes(parts));
  return { name, contentHash: hex(digest), size: count };
}

async function exampleBytesOf(split: RawSplit, positions: Uint32Array, bytesPerValue: 1 | 4): Promise<Uint8Array> {
  const store = await split.select(positions);
  if (store.kind === 'bytes' && bytesPerValue === 1) return (store as ByteExampleStore).pixels;
  if (bytesPerValue === 1) throw new Error(`split changed its storage kind while hashing (got ${store.kind})`);
  const length = store.exampleLength;
  const values = new Float32Array(positions.length * length);
  for (let i = 0; i < positions.length; i++) store.write(i, values, i * length);
  return float32Le(values);
}

function header(name: string, count: number, valuesPerExample: number, bytesPerValue: number): Uint8Array {
  const encoder = new TextEncoder();
  const tag = encoder.encode(DATASET_IDENTITY_TAG);
  const nameBytes = encoder.encode(name);
  const bytes = new Uint8Array(tag.length + 4 + nameBytes.length + 9);
  const view = new DataView(bytes.buffer);
  bytes.set(tag, 0);
  let at = tag.length;
  view.setUint32(at, nameBytes.length, true);
  bytes.set(nameBytes, at + 4);
  at += 4 + nameBytes.length;
  view.setUint32(at, count, true);
  view.setUint32(at + 4, valuesPerExample, true);
  view.setUint8(at + 8, bytesPerValue);
  return bytes;
}

function int32Le(values: Int32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setInt32(4 * i, values[i], true);
  return bytes;
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

function float32Le(values: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i], true);
  return bytes;
}


async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) throw new Error('dataset identity needs WebCrypto (crypto.subtle), which this runtime lacks');
  // WebCrypto's BufferSource excludes views of a SharedArrayBuffer; these arrays never are.
  return new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

function describe(identity: DatasetIdentity): string {
  return `'${identity.name}' (${identity.size} examples, sha256 ${identity.contentHash.slice(0, 12)}…)`;
}
