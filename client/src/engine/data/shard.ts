// A job's dataset shard as one self-describing file: exactly the train and test examples a device trains and tests
// on (after the job's seeded limits and its fleet shard, see subset.ts), with their ids in the source files, so a
// device without the files (a browser) trains on the same examples, in the same order, as one that has them. The
// coordinator derives it from its own copy of the files (deriveDatasetShard) and serves it addressed by the SHA-256
// of these bytes; the device decodes it (decodeDatasetShard) and checks it is the selection its job asked for.
//
// Layout (little-endian): "SFSHARD1", u32 header length, the header as UTF-8 JSON (ShardHeader), then per split
// (train, then test): ids u32[count], labels i32[count], pixels u8[count × height × width × channels] (NHWC).
// Browser-safe: no node: imports (the coordinator reads its files through the engine's default Node source).
import type { DatasetIdentity } from '../../../../protocol/src/index.js';
import type { InputShape } from '../models/catalog.js';
import { concatBytes } from '../util/bytes.js';
import { loadDatasets } from './load.js';
import { byteDecodeTable, byteStore, type ByteExampleStore } from './store.js';
import { exampleLength, type Dataset, type DatasetName, type LoadDatasetsSpec, type LoadedDatasets, type PixelNormalization } from './types.js';

const MAGIC = 'SFSHARD1';

/** What decides a shard's examples: the job's data set, seed, limits and fleet shard. */
export interface ShardSelection {
  readonly name: DatasetName;
  readonly seed: number;
  /** 0 = no limit. */
  readonly trainLimit: number;
  readonly testLimit: number;
  readonly shardIndex: number;
  /** 0 or 1 = no sharding. */
  readonly shardCount: number;
}

interface ShardHeader {
  readonly selection: ShardSelection;
  readonly inputShape: InputShape;
  readonly numClasses: number;
  readonly normalization?: PixelNormalization;
  readonly trainCount: number;
  readonly testCount: number;
  /** The full training split's identity (statistics and removal sets are about it). */
  readonly trainIdentity: DatasetIdentity;
}

export class DatasetShardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetShardError';
  }
}

/** The selection a load spec makes (limits and shards normalised: 0 = none). */
export function shardSelectionOf(spec: LoadDatasetsSpec): ShardSelection {
  const shardCount = spec.shardCount ?? 0;
  return {
    name: spec.name,
    seed: spec.seed,
    trainLimit: spec.trainLimit ?? 0,
    testLimit: spec.testLimit ?? 0,
    shardIndex: shardCount > 1 ? (spec.shardIndex ?? 0) : 0,
    shardCount: shardCount > 1 ? shardCount : 0,
  };
}

export function sameShardSelection(a: ShardSelection, b: ShardSelection): boolean {
  return a.name === b.name && a.seed === b.seed && a.trainLimit === b.trainLimit && a.testLimit === b.testLimit &&
    a.shardIndex === b.shardIndex && a.shardCount === b.shardCount;
}

/**
 * Loads `spec` from the files (the same loadDatasets a Node agent runs) and encodes what it keeps. A per-device
 * partition is `spec.shardIndex`/`shardCount`. Rejects synthetic data (requested, or standing in for missing files):
 * a device generates that itself.
 */
export async function deriveDatasetShard(spec: LoadDatasetsSpec): Promise<Uint8Array> {
  const data = await loadDatasets(spec, { identity: true });
  if (data.train.synthetic) {
    throw new DatasetShardError(data.fallbackReason ?? `${spec.name} is generated on the device; it has no shard`);
  }
  return encodeDatasetShard(shardSelectionOf(spec), data);
}

export function encodeDatasetShard(selection: ShardSelection, data: LoadedDatasets): Uint8Array {
  if (data.trainIdentity === undefined) throw new DatasetShardError('a shard needs the training split\'s identity (load with identity: true)');
  const train = byteExamples(data.train);
  const test = byteExamples(data.test);
  const header: ShardHeader = {
    selection,
    inputShape: data.train.inputShape,
    numClasses: data.train.numClasses,
    ...(data.train.normalization ? { normalization: data.train.normalization } : {}),
    trainCount: data.train.size,
    testCount: data.test.size,
    trainIdentity: data.trainIdentity,
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const parts = [new TextEncoder().encode(MAGIC), u32(headerBytes.length), headerBytes];
  for (const [split, pixels] of [[data.train, train], [data.test, test]] as const) {
    parts.push(bytesOf(split.ids), bytesOf(split.labels), pixels);
  }
  return concatBytes(parts);
}

/** The shard's data sets, after checking they are the selection `expected` asks for. */
export function decodeDatasetShard(bytes: Uint8Array, expected: ShardSelection): LoadedDatasets {
  const reader = new ShardReader(bytes);
  const header = readHeader(reader);
  if (!sameShardSelection(header.selection, expected)) {
    throw new DatasetShardError(`the shard holds ${JSON.stringify(header.selection)}, the job asks for ${JSON.stringify(expected)}`);
  }
  const train = readSplit(reader, header, header.trainCount);
  const test = readSplit(reader, header, header.testCount);
  if (!reader.done()) throw new DatasetShardError(`${bytes.length - reader.offset} bytes after the test split`);
  return { train, test, trainIdentity: header.trainIdentity };
}

/** What a shard holds, from its header alone. */
export function datasetShardSummary(bytes: Uint8Array): { selection: ShardSelection; trainExamples: number; testExamples: number } {
  const header = readHeader(new ShardReader(bytes));
  return { selection: header.selection, trainExamples: header.trainCount, testExamples: header.testCount };
}

function readHeader(reader: ShardReader): ShardHeader {
  if (new TextDecoder().decode(reader.take(MAGIC.length)) !== MAGIC) throw new DatasetShardError('not a dataset shard (bad magic)');
  const headerLength = reader.u32();
  try {
    return JSON.parse(new TextDecoder().decode(reader.take(headerLength))) as ShardHeader;
  } catch (error) {
    throw new DatasetShardError(`unreadable shard header (${(error as Error).message})`);
  }
}

function readSplit(reader: ShardReader, header: ShardHeader, count: number): Dataset {
  const length = exampleLength(header.inputShape);
  const ids = new Uint32Array(reader.copy(count * 4).buffer);
  const labels = new Int32Array(reader.copy(count * 4).buffer);
  const pixels = reader.copy(count * length);
  const { channels } = header.inputShape;
  return {
    name: header.selection.name,
    synthetic: false,
    inputShape: header.inputShape,
    numClasses: header.numClasses,
    size: count,
    examples: byteStore(pixels, length, channels, byteDecodeTable(channels, header.normalization)),
    labels,
    ids,
    ...(header.normalization ? { normalization: header.normalization } : {}),
  };
}

function byteExamples(split: Dataset): Uint8Array {
  if (split.examples.kind !== 'bytes') throw new DatasetShardError(`${split.name}: only byte-valued examples go into a shard (got ${split.examples.kind})`);
  return (split.examples as ByteExampleStore).pixels;
}

/** A typed array's bytes as they lie in memory (host order: little-endian on every platform the engine runs on). */
function bytesOf(values: Uint32Array | Int32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, true);
  return out;
}

class ShardReader {
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  take(length: number): Uint8Array {
    if (this.offset + length > this.bytes.length) throw new DatasetShardError(`shard truncated at byte ${this.bytes.length} (needs ${this.offset + length})`);
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  /** A fresh, aligned copy (typed arrays over it need 4-byte alignment). */
  copy(length: number): Uint8Array {
    return this.take(length).slice();
  }

  u32(): number {
    const bytes = this.take(4);
    return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  }

  done(): boolean {
    return this.offset === this.bytes.length;
  }
}
