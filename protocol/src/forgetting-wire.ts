// Forgetting statistics and removal sets on the wire (proto/sparsefleet/v1/forgetting.proto), browser-safe.
//
// A job's statistics cover the example ids it was shown (an ExampleSet over the tightest id range, bitmap or
// delta-varint, whichever is smaller) and carry three small counts per covered id, each a CountColumn: one
// saturating byte per example, or only the examples that differ from the column's most common value when that is
// smaller. Counts saturate at 255; a sender reports a count of 255 for anything larger.
import {
  CountColumnForm,
  ExampleSetForm,
  type CountColumn,
  type DatasetIdentity,
  type ExampleSet,
  type ForgettingStats,
  type ForgettingStatsChunk,
  type RemovalSet,
} from '../../generated/proto/wire-types.js';
import { cutIntoBodyChunks } from './body-chunks.js';
import { MaskCodecError, crc32, decodeBitmap, decodeIndexList, encodeBitmap, encodeIndexList, indexListBytes } from './mask-codec.js';
import { decodeProto, encodeProto } from './wire.js';

/** The protocol's limit for one ForgettingStatsChunk piece. */
export const MAX_FORGETTING_CHUNK_BYTES = 1024 * 1024;
/** Half the limit, like masks and checkpoints, so a piece and its envelope stay well inside a frame. */
export const DEFAULT_FORGETTING_CHUNK_BYTES = 512 * 1024;
/** The largest value a CountColumn holds. */
export const COUNT_SATURATION = 255;

/** Bytes or fields that do not describe valid statistics or a valid example set. */
export class ForgettingCodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForgettingCodecError';
  }
}

/** Per-example statistics of one job, by strictly ascending example id (parallel arrays). */
export interface ExampleStatistics {
  readonly ids: Uint32Array;
  readonly presentations: Uint32Array;
  readonly forgettingEvents: Uint32Array;
  /** 1 + the epoch the example was first classified correctly; 0 = never. */
  readonly firstLearned: Uint32Array;
}

export interface ForgettingStatsContent {
  readonly dataset: DatasetIdentity;
  readonly epoch: number;
  readonly final: boolean;
  readonly epochsObserved: number;
  readonly stats: ExampleStatistics;
}

export function sameDatasetIdentity(a: DatasetIdentity, b: DatasetIdentity): boolean {
  return a.name === b.name && a.contentHash === b.contentHash && a.size === b.size;
}

// --- example sets -------------------------------------------------------------------------------------------------

/** Strictly ascending `ids`, all in [rangeStart, rangeEnd), as the smaller of bitmap and index list. */
export function encodeExampleSet(ids: ArrayLike<number>, rangeStart: number, rangeEnd: number): ExampleSet {
  checkRange(rangeStart, rangeEnd);
  const relative = new Uint32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || id < rangeStart || id >= rangeEnd) throw new RangeError(`example id ${id} lies outside [${rangeStart}, ${rangeEnd})`);
    if (i > 0 && id <= ids[i - 1]) throw new RangeError(`example ids must increase strictly (${ids[i - 1]} then ${id})`);
    relative[i] = id - rangeStart;
  }
  const bitmap = encodeBitmap(membership(relative, rangeEnd - rangeStart));
  const indexed = indexListBytes(relative) < bitmap.length;
  return {
    form: indexed ? ExampleSetForm.EXAMPLE_SET_FORM_INDICES : ExampleSetForm.EXAMPLE_SET_FORM_BITMAP,
    rangeStart,
    rangeEnd,
    count: ids.length,
    data: indexed ? encodeIndexList(relative) : bitmap,
    checksum: crc32(bitmap),
  };
}

/** The member ids, ascending. Throws ForgettingCodecError when the set is malformed or its checksum differs. */
export function decodeExampleSet(set: ExampleSet): Uint32Array {
  try {
    checkRange(set.rangeStart, set.rangeEnd);
  } catch (error) {
    throw new ForgettingCodecError(error instanceof Error ? error.message : String(error));
  }
  const width = set.rangeEnd - set.rangeStart;
  let relative: Uint32Array;
  try {
    if (set.form === ExampleSetForm.EXAMPLE_SET_FORM_BITMAP) relative = indicesOf(decodeBitmap(set.data, width));
    else if (set.form === ExampleSetForm.EXAMPLE_SET_FORM_INDICES) relative = decodeIndexList(set.data, width);
    else throw new ForgettingCodecError(`unknown example-set form ${String(set.form)}`);
  } catch (error) {
    if (error instanceof MaskCodecError) throw new ForgettingCodecError(`example set: ${error.message}`);
    throw error;
  }
  if (relative.length !== set.count) throw new ForgettingCodecError(`example set holds ${relative.length} ids, count says ${set.count}`);
  const checksum = crc32(encodeBitmap(membership(relative, width)));
  if (checksum !== set.checksum) throw new ForgettingCodecError('example set does not match its checksum');
  return relative.map((id) => id + set.rangeStart);
}

// --- count columns ------------------------------------------------------------------------------------------------

/** One saturated byte per value, or the values that differ from the most common one, whichever is smaller. */
export function encodeCountColumn(values: ArrayLike<number>): CountColumn {
  const bytes = Uint8Array.from(values, (value) => Math.min(COUNT_SATURATION, Math.max(0, Math.floor(value))));
  const common = mostCommon(bytes);
  const positions: number[] = [];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== common) positions.push(i);
  const sparseBytes = indexListBytes(positions) + positions.length;
  if (sparseBytes >= bytes.length) {
    return { form: CountColumnForm.COUNT_COLUMN_FORM_DENSE, defaultValue: 0, values: bytes, positions: new Uint8Array(0) };
  }
  return {
    form: CountColumnForm.COUNT_COLUMN_FORM_SPARSE,
    defaultValue: common,
    values: Uint8Array.from(positions, (position) => bytes[position]),
    positions: encodeIndexList(positions),
  };
}

/** `count` values. Throws ForgettingCodecError when the column does not hold exactly that many. */
export function decodeCountColumn(column: CountColumn | undefined, count: number, name: string): Uint32Array {
  if (column === undefined) throw new ForgettingCodecError(`${name}: missing`);
  if (column.form === CountColumnForm.COUNT_COLUMN_FORM_DENSE) {
    if (column.values.length !== count) throw new ForgettingCodecError(`${name}: ${column.values.length} values for ${count} examples`);
    return Uint32Array.from(column.values);
  }
  if (column.form !== CountColumnForm.COUNT_COLUMN_FORM_SPARSE) throw new ForgettingCodecError(`${name}: unknown form ${String(column.form)}`);
  if (column.defaultValue > COUNT_SATURATION) throw new ForgettingCodecError(`${name}: default ${column.defaultValue} exceeds ${COUNT_SATURATION}`);
  let positions: Uint32Array;
  try {
    positions = decodeIndexList(column.positions, count);
  } catch (error) {
    if (error instanceof MaskCodecError) throw new ForgettingCodecError(`${name}: ${error.message}`);
    throw error;
  }
  if (positions.length !== column.values.length) {
    throw new ForgettingCodecError(`${name}: ${positions.length} positions but ${column.values.length} values`);
  }
  const values = new Uint32Array(count).fill(column.defaultValue);
  positions.forEach((position, i) => (values[position] = column.values[i]));
  return values;
}

// --- ForgettingStats ----------------------------------------------------------------------------------------------

export function forgettingStatsMessage(content: ForgettingStatsContent): ForgettingStats {
  const { dataset, stats } = content;
  const n = stats.ids.length;
  for (const [field, column] of Object.entries({ presentations: stats.presentations, forgettingEvents: stats.forgettingEvents, firstLearned: stats.firstLearned })) {
    if (column.length !== n) throw new RangeError(`${n} ids but ${column.length} ${field}`);
  }
  const rangeStart = n === 0 ? 0 : stats.ids[0];
  const rangeEnd = n === 0 ? 0 : stats.ids[n - 1] + 1;
  if (rangeEnd > dataset.size) throw new RangeError(`example id ${rangeEnd - 1} lies outside the data set's ${dataset.size} examples`);
  return {
    dataset: { ...dataset },
    epoch: content.epoch,
    final: content.final,
    epochsObserved: content.epochsObserved,
    covered: encodeExampleSet(stats.ids, rangeStart, rangeEnd),
    presentations: encodeCountColumn(stats.presentations),
    forgettingEvents: encodeCountColumn(stats.forgettingEvents),
    firstLearned: encodeCountColumn(stats.firstLearned),
  };
}

/**
 * The content of a received ForgettingStats, checked for consistency: covered ids inside the data set, one value
 * per covered id in every column, every covered id presented, no more forgetting events than presentations allow,
 * an example that was forgotten was learned first. Throws ForgettingCodecError naming what is wrong.
 */
export function readForgettingStats(message: ForgettingStats): ForgettingStatsContent {
  const dataset = message.dataset;
  if (dataset === undefined || dataset.name === '' || dataset.contentHash === '') throw new ForgettingCodecError('dataset identity missing');
  const covered = message.covered;
  if (covered === undefined) throw new ForgettingCodecError('covered examples missing');
  const ids = decodeExampleSet(covered);
  if (ids.length > 0 && ids[ids.length - 1] >= dataset.size) {
    throw new ForgettingCodecError(`example id ${ids[ids.length - 1]} lies outside the data set's ${dataset.size} examples`);
  }
  const stats: ExampleStatistics = {
    ids,
    presentations: decodeCountColumn(message.presentations, ids.length, 'presentations'),
    forgettingEvents: decodeCountColumn(message.forgettingEvents, ids.length, 'forgetting_events'),
    firstLearned: decodeCountColumn(message.firstLearned, ids.length, 'first_learned'),
  };
  for (let i = 0; i < ids.length; i++) {
    const presented = stats.presentations[i];
    const events = stats.forgettingEvents[i];
    if (presented === 0) throw new ForgettingCodecError(`example ${ids[i]} is covered but was never presented`);
    if (presented < COUNT_SATURATION && events >= presented) {
      throw new ForgettingCodecError(`example ${ids[i]}: ${events} forgetting events in ${presented} presentations`);
    }
    if (events > 0 && stats.firstLearned[i] === 0) throw new ForgettingCodecError(`example ${ids[i]} was forgotten but never learned`);
  }
  return { dataset: { ...dataset }, epoch: message.epoch, final: message.final, epochsObserved: message.epochsObserved, stats };
}

export function encodeForgettingStats(message: ForgettingStats): Uint8Array {
  return encodeProto('sparsefleet.v1.ForgettingStats', message);
}

/** Copies `bytes` fields out of the input (decoded views may alias it). */
export function decodeForgettingStats(bytes: Uint8Array): ForgettingStats {
  const message = decodeProto('sparsefleet.v1.ForgettingStats', bytes);
  return {
    ...message,
    covered: message.covered && { ...message.covered, data: new Uint8Array(message.covered.data) },
    presentations: copyColumn(message.presentations),
    forgettingEvents: copyColumn(message.forgettingEvents),
    firstLearned: copyColumn(message.firstLearned),
  };
}

/** The chunks that carry one ForgettingStats of (job, attempt), each at most `chunkBytes` of its encoding. */
export function forgettingStatsChunks(
  identity: { readonly jobId: string; readonly attempt: number },
  message: ForgettingStats,
  chunkBytes = DEFAULT_FORGETTING_CHUNK_BYTES,
): ForgettingStatsChunk[] {
  return cutIntoBodyChunks(encodeForgettingStats(message), chunkBytes, MAX_FORGETTING_CHUNK_BYTES).map((piece) => ({
    jobId: identity.jobId,
    attempt: identity.attempt,
    epoch: message.epoch,
    ...piece,
  }));
}

// --- removal sets -------------------------------------------------------------------------------------------------

export interface RemovalSetContent {
  readonly id: string;
  readonly version: number;
  readonly dataset: DatasetIdentity;
  /** Removed example ids, strictly ascending, below dataset.size. */
  readonly removedIds: Uint32Array;
}

export function removalSetMessage(content: RemovalSetContent): RemovalSet {
  return {
    id: content.id,
    version: content.version,
    dataset: { ...content.dataset },
    removed: encodeExampleSet(content.removedIds, 0, content.dataset.size),
  };
}

/** Throws ForgettingCodecError for a set without identity or whose ids are not a set over [0, dataset.size). */
export function readRemovalSet(message: RemovalSet): RemovalSetContent {
  const dataset = message.dataset;
  if (dataset === undefined || dataset.contentHash === '') throw new ForgettingCodecError('removal set without a dataset identity');
  if (message.removed === undefined) throw new ForgettingCodecError('removal set without its examples');
  const removedIds = decodeExampleSet(message.removed);
  if (removedIds.length > 0 && removedIds[removedIds.length - 1] >= dataset.size) {
    throw new ForgettingCodecError(`removed id ${removedIds[removedIds.length - 1]} lies outside the data set's ${dataset.size} examples`);
  }
  return { id: message.id, version: message.version, dataset: { ...dataset }, removedIds };
}

// --- helpers ------------------------------------------------------------------------------------------------------

function checkRange(rangeStart: number, rangeEnd: number): void {
  if (!Number.isInteger(rangeStart) || !Number.isInteger(rangeEnd) || rangeStart < 0 || rangeEnd < rangeStart || rangeEnd > 0xffffffff) {
    throw new RangeError(`[${rangeStart}, ${rangeEnd}) is not an id range`);
  }
}

function membership(relative: Uint32Array, width: number): Uint8Array {
  const bits = new Uint8Array(width);
  for (const id of relative) bits[id] = 1;
  return bits;
}

function indicesOf(bits: Uint8Array): Uint32Array {
  const ids: number[] = [];
  for (let i = 0; i < bits.length; i++) if (bits[i] !== 0) ids.push(i);
  return Uint32Array.from(ids);
}

function mostCommon(bytes: Uint8Array): number {
  const counts = new Uint32Array(COUNT_SATURATION + 1);
  for (const value of bytes) counts[value]++;
  let best = 0;
  for (let value = 1; value <= COUNT_SATURATION; value++) if (counts[value] > counts[best]) best = value;
  return best;
}

function copyColumn(column: CountColumn | undefined): CountColumn | undefined {
  return column && { ...column, values: new Uint8Array(column.values), positions: new Uint8Array(column.positions) };
}
