// One view over every format: its stored entries as (value slot, row, canonical column) of the flattened 2-D view,
// and the conversions built on that (to dense, gather from dense). References and tests use it.
import { forEachBlockEntry } from './block4.js';
import { forEachChannelEntry } from './channel.js';
import { transposeEntries, type CsrMatrix, type CsrTranspose } from './csr.js';
import type { SparseFormat } from './types.js';
import { forEachPatternEntry } from './pattern.js';
import { forEachShuffledEntry } from './shuffled-block.js';

export type EntryVisitor = (slot: number, row: number, col: number) => void;

export function forEachCsrEntry(m: CsrMatrix, visit: EntryVisitor): void {
  for (let r = 0; r < m.rows; r++) {
    for (let j = m.rowPtr[r]; j < m.rowPtr[r + 1]; j++) visit(j, r, m.colIdx[j]);
  }
}

export function forEachEntry(format: SparseFormat, visit: EntryVisitor): void {
  switch (format.kind) {
    case 'csr':
      return forEachCsrEntry(format.matrix, visit);
    case 'block4':
      return forEachBlockEntry(format.matrix, visit);
    case 'shuffled-block':
      return forEachShuffledEntry(format.matrix, visit);
    case 'channel':
      return forEachChannelEntry(format.matrix, visit);
    case 'pattern':
      return forEachPatternEntry(format.matrix, visit);
  }
}

export function formatValues(format: SparseFormat): Float32Array {
  return format.matrix.values;
}

/** Rows × columns of the flattened 2-D view the format covers. */
export function formatDims(format: SparseFormat): { rows: number; cols: number } {
  switch (format.kind) {
    case 'channel':
      return { rows: format.matrix.rows, cols: format.matrix.inChannels * format.matrix.kernelSize };
    case 'pattern':
      return { rows: format.matrix.out, cols: format.matrix.in * 9 };
    default:
      return { rows: format.matrix.rows, cols: format.matrix.cols };
  }
}

export function formatToDense(format: SparseFormat, values: Float32Array = format.matrix.values): Float32Array {
  const { rows, cols } = formatDims(format);
  const dense = new Float32Array(rows * cols);
  forEachEntry(format, (slot, row, col) => (dense[row * cols + col] = values[slot]));
  return dense;
}

/** Values of a dense canonical array at the format's stored positions, in value order. */
export function formatGather(format: SparseFormat, dense: Float32Array): Float32Array {
  const { rows, cols } = formatDims(format);
  if (dense.length !== rows * cols) throw new RangeError(`formatGather: expected ${rows * cols} elements, got ${dense.length}`);
  const out = new Float32Array(format.matrix.values.length);
  forEachEntry(format, (slot, row, col) => (out[slot] = dense[row * cols + col]));
  return out;
}

/** The stored entries regrouped by row (CSR shape, columns in value order within a row) with their value slots. */
export interface RowEntries {
  readonly rows: number;
  readonly cols: number;
  readonly rowPtr: Int32Array;
  readonly colIdx: Int32Array;
  /** Value slot of each entry; identity for formats whose value order is already row-major. */
  readonly slot: Int32Array;
  readonly identity: boolean;
}

export function rowEntries(format: SparseFormat): RowEntries {
  const { rows, cols } = formatDims(format);
  const n = format.matrix.values.length;
  const rowPtr = new Int32Array(rows + 1);
  forEachEntry(format, (_slot, row) => rowPtr[row + 1]++);
  for (let r = 0; r < rows; r++) rowPtr[r + 1] += rowPtr[r];
  const next = rowPtr.slice(0, rows);
  const colIdx = new Int32Array(n);
  const slot = new Int32Array(n);
  let identity = true;
  forEachEntry(format, (s, row, col) => {
    const j = next[row]++;
    colIdx[j] = col;
    slot[j] = s;
    if (j !== s) identity = false;
  });
  return { rows, cols, rowPtr, colIdx, slot, identity };
}

/** Transposed index (CSR over columns) of any format; `perm` points into the format's `values`. */
export function transposeFormat(format: SparseFormat): CsrTranspose {
  const entries = rowEntries(format);
  const t = transposeEntries(entries.rows, entries.cols, entries.rowPtr, entries.colIdx);
  if (entries.identity) return t;
  const perm = new Int32Array(t.perm.length);
  for (let i = 0; i < perm.length; i++) perm[i] = entries.slot[t.perm[i]];
  return { ...t, perm };
}
