// The "sorted importance" record (MEST's .pkl: example ids by ascending forgetting count) and its two portable
// encodings. Both round-trip exactly and reject anything inconsistent with a clear message.
//
// Binary layout, all little-endian:
//   offset 0   4 bytes  magic "SFSI" (0x53 0x46 0x53 0x49)
//   offset 4   uint8    version (1)
//   offset 5   uint8    bytes per count: 2 (uint16, used when every count <= 65535) or 4 (uint32)
//   offset 6   uint16   reserved, 0
//   offset 8   uint32   N, the number of examples
//   offset 12  uint32   unforgettable (examples learned at least once and never forgotten)
//   offset 16  N × uint32 example ids, by ascending count
//   then       N × uint16|uint32 forgetting counts, same order
// The file length must be exactly 16 + 4N + (2|4)N.

export const SORTED_IMPORTANCE_FORMAT = 'sparsefleet.sorted-importance.v1';

export interface SortedImportance {
  /** Example ids sorted by ascending forgetting count (ties by ascending id when produced by the tracker). */
  readonly indices: Uint32Array;
  readonly forgettingCounts: Uint32Array;
  readonly unforgettable: number;
}

export interface SortedImportanceJson {
  readonly format: typeof SORTED_IMPORTANCE_FORMAT;
  readonly indices: number[];
  readonly forgettingCounts: number[];
  readonly unforgettable: number;
}

export class SortedImportanceFormatError extends Error {
  constructor(detail: string) {
    super(`invalid sorted importance: ${detail}`);
    this.name = 'SortedImportanceFormatError';
  }
}

const MAGIC = [0x53, 0x46, 0x53, 0x49] as const;
const VERSION = 1;
const HEADER_BYTES = 16;
const UINT16_MAX = 0xffff;

export function toSortedImportanceJson(record: SortedImportance): SortedImportanceJson {
  validateSortedImportance(record);
  return {
    format: SORTED_IMPORTANCE_FORMAT,
    indices: Array.from(record.indices),
    forgettingCounts: Array.from(record.forgettingCounts),
    unforgettable: record.unforgettable,
  };
}

/** Accepts the parsed JSON value (or its text). */
export function fromSortedImportanceJson(input: unknown): SortedImportance {
  const value = typeof input === 'string' ? parseJson(input) : input;
  if (typeof value !== 'object' || value === null) throw new SortedImportanceFormatError('not a JSON object');
  const { format, indices, forgettingCounts, unforgettable } = value as Record<string, unknown>;
  if (format !== SORTED_IMPORTANCE_FORMAT) {
    throw new SortedImportanceFormatError(`format is ${JSON.stringify(format)}, expected '${SORTED_IMPORTANCE_FORMAT}'`);
  }
  const record: SortedImportance = {
    indices: toUint32Array(indices, 'indices'),
    forgettingCounts: toUint32Array(forgettingCounts, 'forgettingCounts'),
    unforgettable: typeof unforgettable === 'number' ? unforgettable : Number.NaN,
  };
  validateSortedImportance(record);
  return record;
}

export function encodeSortedImportance(record: SortedImportance): Uint8Array {
  validateSortedImportance(record);
  const n = record.indices.length;
  const countBytes = record.forgettingCounts.every((count) => count <= UINT16_MAX) ? 2 : 4;
  const bytes = new Uint8Array(HEADER_BYTES + 4 * n + countBytes * n);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  view.setUint8(4, VERSION);
  view.setUint8(5, countBytes);
  view.setUint32(8, n, true);
  view.setUint32(12, record.unforgettable, true);
  const countsAt = HEADER_BYTES + 4 * n;
  for (let i = 0; i < n; i++) {
    view.setUint32(HEADER_BYTES + 4 * i, record.indices[i], true);
    if (countBytes === 2) view.setUint16(countsAt + 2 * i, record.forgettingCounts[i], true);
    else view.setUint32(countsAt + 4 * i, record.forgettingCounts[i], true);
  }
  return bytes;
}

export function decodeSortedImportance(bytes: Uint8Array): SortedImportance {
  if (bytes.length < HEADER_BYTES) throw new SortedImportanceFormatError(`${bytes.length} bytes is shorter than the 16-byte header`);
  if (MAGIC.some((byte, i) => bytes[i] !== byte)) throw new SortedImportanceFormatError('bad magic (expected "SFSI")');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(4);
  if (version !== VERSION) throw new SortedImportanceFormatError(`unsupported version ${version} (expected ${VERSION})`);
  const countBytes = view.getUint8(5);
  if (countBytes !== 2 && countBytes !== 4) throw new SortedImportanceFormatError(`bytes per count is ${countBytes}, expected 2 or 4`);
  const n = view.getUint32(8, true);
  const expected = HEADER_BYTES + (4 + countBytes) * n;
  if (bytes.length !== expected) {
    throw new SortedImportanceFormatError(`${bytes.length} bytes, but a header for ${n} entries needs exactly ${expected}`);
  }
  const indices = new Uint32Array(n);
  const forgettingCounts = new Uint32Array(n);
  const countsAt = HEADER_BYTES + 4 * n;
  for (let i = 0; i < n; i++) {
    indices[i] = view.getUint32(HEADER_BYTES + 4 * i, true);
    forgettingCounts[i] = countBytes === 2 ? view.getUint16(countsAt + 2 * i, true) : view.getUint32(countsAt + 4 * i, true);
  }
  const record = { indices, forgettingCounts, unforgettable: view.getUint32(12, true) };
  validateSortedImportance(record);
  return record;
}

/**
 * The ids ranked [keepLowest, keepLowest + removeCount) (clipped to the record). This is MEST's intended removal;
 * the reference's `--sorting-file` path slices [-1 : -1 + remove_n], which is empty for remove_n > 1 (spec §2.10).
 */
export function removalSlice(record: Pick<SortedImportance, 'indices'>, removeCount: number, keepLowest = 0): Uint32Array {
  for (const [key, value] of Object.entries({ removeCount, keepLowest })) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`${key} must be a non-negative integer, got ${value}`);
  }
  return record.indices.slice(keepLowest, keepLowest + removeCount);
}

/** Same lengths, counts non-decreasing, ids unique, unforgettable within 0..N. */
export function validateSortedImportance(record: SortedImportance): void {
  const n = record.indices.length;
  if (record.forgettingCounts.length !== n) {
    throw new SortedImportanceFormatError(`${n} indices but ${record.forgettingCounts.length} forgetting counts`);
  }
  if (!Number.isInteger(record.unforgettable) || record.unforgettable < 0 || record.unforgettable > n) {
    throw new SortedImportanceFormatError(`unforgettable must be an integer in 0..${n}, got ${record.unforgettable}`);
  }
  for (let i = 1; i < n; i++) {
    if (record.forgettingCounts[i] < record.forgettingCounts[i - 1]) {
      throw new SortedImportanceFormatError(`forgetting counts are not in ascending order at position ${i}`);
    }
  }
  const seen = new Set<number>();
  for (const id of record.indices) {
    if (seen.has(id)) throw new SortedImportanceFormatError(`example id ${id} appears more than once`);
    seen.add(id);
  }
}

function toUint32Array(value: unknown, field: string): Uint32Array {
  if (!Array.isArray(value)) throw new SortedImportanceFormatError(`${field} is not an array`);
  const out = new Uint32Array(value.length);
  value.forEach((item: unknown, i) => {
    if (typeof item !== 'number' || !Number.isInteger(item) || item < 0 || item > 0xffffffff) {
      throw new SortedImportanceFormatError(`${field}[${i}] is ${JSON.stringify(item)}, expected an integer in 0..2^32-1`);
    }
    out[i] = item;
  });
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SortedImportanceFormatError(`not valid JSON (${(error as Error).message})`);
  }
}
