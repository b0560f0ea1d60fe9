// Compressed sparse rows over the output rows of a weight's flattened 2-D view W2[row, col] (canonical layout:
// row = output channel, col = i*kh*kw + r*kw + q). The order of `values` is row-major over the active positions and
// depends only on the mask, so an optimizer can update the compressed values in place with no rebuild.
import type { Mask } from '../../sparse/types.js';

export interface CsrMatrix {
  readonly rows: number;
  readonly cols: number;
  /** rows + 1 offsets into colIdx/values. */
  readonly rowPtr: Int32Array;
  /** Column of every stored value, ascending within a row. */
  readonly colIdx: Int32Array;
  readonly values: Float32Array;
}

/**
 * The transposed index used by backward-data (dX = Wᵀ·dY): CSR over the columns of W2. It holds no values:
 * `perm[t]` is the slot in the forward `values` array of transposed entry t, so the values are gathered per call
 * and the index is rebuilt only when the mask changes.
 */
export interface CsrTranspose {
  /** = cols of the forward matrix. */
  readonly rows: number;
  /** = rows of the forward matrix. */
  readonly cols: number;
  readonly rowPtr: Int32Array;
  /** Forward row of every transposed entry, ascending within a transposed row. */
  readonly colIdx: Int32Array;
  readonly perm: Int32Array;
}

export function assertDenseSize(name: string, length: number, rows: number, cols: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new RangeError(`${name}: invalid matrix size ${rows}×${cols}`);
  }
  if (length !== rows * cols) throw new RangeError(`${name}: expected ${rows}×${cols} = ${rows * cols} elements, got ${length}`);
}

/** CSR of the active positions of `weights` (values copied; the mask, not `w != 0`, decides what is stored). */
export function buildCsr(weights: Float32Array, mask: Mask, rows: number, cols: number): CsrMatrix {
  assertDenseSize('buildCsr weights', weights.length, rows, cols);
  assertDenseSize('buildCsr mask', mask.length, rows, cols);
  const rowPtr = new Int32Array(rows + 1);
  for (let r = 0; r < rows; r++) {
    let count = 0;
    const base = r * cols;
    for (let c = 0; c < cols; c++) count += mask[base + c] !== 0 ? 1 : 0;
    rowPtr[r + 1] = rowPtr[r] + count;
  }
  const nnz = rowPtr[rows];
  const colIdx = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let slot = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) {
      if (mask[base + c] === 0) continue;
      colIdx[slot] = c;
      values[slot++] = weights[base + c];
    }
  }
  return { rows, cols, rowPtr, colIdx, values };
}

/** Values of a dense canonical array (weights, gradients, momenta) at the CSR's stored positions, in value order. */
export function csrGather(csr: CsrMatrix, dense: Float32Array): Float32Array {
  assertDenseSize('csrGather', dense.length, csr.rows, csr.cols);
  const out = new Float32Array(csr.colIdx.length);
  for (let r = 0; r < csr.rows; r++) {
    for (let j = csr.rowPtr[r]; j < csr.rowPtr[r + 1]; j++) out[j] = dense[r * csr.cols + csr.colIdx[j]];
  }
  return out;
}

/** Dense canonical matrix with the stored values in place and zeros elsewhere. */
export function csrToDense(csr: CsrMatrix, values: Float32Array = csr.values): Float32Array {
  const dense = new Float32Array(csr.rows * csr.cols);
  for (let r = 0; r < csr.rows; r++) {
    for (let j = csr.rowPtr[r]; j < csr.rowPtr[r + 1]; j++) dense[r * csr.cols + csr.colIdx[j]] = values[j];
  }
  return dense;
}

/** Transposed index of a CSR; `perm` maps each transposed entry to its forward value slot. */
export function transposeCsr(csr: CsrMatrix): CsrTranspose {
  return transposeEntries(csr.rows, csr.cols, csr.rowPtr, csr.colIdx);
}

/**
 * Transposed index for any list of (row, col) entries grouped by row via `rowPtr` (slot j belongs to the row r
 * with rowPtr[r] <= j < rowPtr[r+1]). Within a transposed row the entries are ordered by forward row, which
 * a counting sort over the forward order gives for free.
 */
export function transposeEntries(rows: number, cols: number, rowPtr: Int32Array, colIdx: Int32Array): CsrTranspose {
  const nnz = colIdx.length;
  const tPtr = new Int32Array(cols + 1);
  for (let j = 0; j < nnz; j++) tPtr[colIdx[j] + 1]++;
  for (let c = 0; c < cols; c++) tPtr[c + 1] += tPtr[c];
  const next = tPtr.slice(0, cols);
  const tCol = new Int32Array(nnz);
  const perm = new Int32Array(nnz);
  for (let r = 0; r < rows; r++) {
    for (let j = rowPtr[r]; j < rowPtr[r + 1]; j++) {
      const t = next[colIdx[j]]++;
      tCol[t] = r;
      perm[t] = j;
    }
  }
  return { rows: cols, cols: rows, rowPtr: tPtr, colIdx: tCol, perm };
}

/** values[perm[t]] for every transposed entry t: the per-call gather backward-data needs. */
export function gatherByPerm(values: Float32Array, perm: Int32Array): Float32Array {
  const out = new Float32Array(perm.length);
  for (let t = 0; t < perm.length; t++) out[t] = values[perm[t]];
  return out;
}
