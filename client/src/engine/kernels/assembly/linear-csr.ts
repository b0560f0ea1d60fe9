// @ts-nocheck -- AssemblyScript source (compiled by asc, see ../build.mjs); the TypeScript checker cannot type it.
// Unstructured sparse linear kernels over CSR, feature-major activations X[K][M] vectorised along the batch M:
// each output row accumulates 16 batch columns in four f32x4 registers, then 4, then scalar tails.
import { dot, dot4, dot8 } from './common';

/** Column j of a CSR index of int32 or uint16 entries. */
@inline function col<I>(colIdx: usize, j: i32): usize {
  return <usize>load<I>(colIdx + (<usize>j << alignof<I>()));
}

/** Y[r][:] = Σ_j values[j]·X[colIdx[j]][:] for every row r (also backward-data over a transposed index). */
export function csrSpmm(rows: i32, m: i32, rowPtr: usize, colIdx: usize, values: usize, x: usize, y: usize): void {
  spmm<i32>(rows, m, rowPtr, colIdx, values, x, y);
}

/** csrSpmm over a uint16 column index (layers whose column count fits 16 bits: half the index memory). */
export function csrSpmm16(rows: i32, m: i32, rowPtr: usize, colIdx: usize, values: usize, x: usize, y: usize): void {
  spmm<u16>(rows, m, rowPtr, colIdx, values, x, y);
}

/** SDDMM: out[j] = X[colIdx[j]][:] · dY[r][:] for every stored entry j of row r (dW on the mask only). */
export function csrSddmm(rows: i32, m: i32, rowPtr: usize, colIdx: usize, x: usize, dy: usize, out: usize): void {
  sddmm<i32>(rows, m, rowPtr, colIdx, x, dy, out);
}

/** csrSddmm over a uint16 column index. */
export function csrSddmm16(rows: i32, m: i32, rowPtr: usize, colIdx: usize, x: usize, dy: usize, out: usize): void {
  sddmm<u16>(rows, m, rowPtr, colIdx, x, dy, out);
}

function spmm<I>(rows: i32, m: i32, rowPtr: usize, colIdx: usize, values: usize, x: usize, y: usize): void {
  const stride = <usize>m << 2;
  for (let r = 0; r < rows; r++) {
    const start = load<i32>(rowPtr + (<usize>r << 2));
    const end = load<i32>(rowPtr + (<usize>r << 2), 4);
    const yRow = y + <usize>r * stride;
    let c = 0;
    if (ASC_FEATURE_SIMD) {
      for (; c + 16 <= m; c += 16) {
        const off = <usize>c << 2;
        let a0 = f32x4.splat(0);
        let a1 = a0;
        let a2 = a0;
        let a3 = a0;
        for (let j = start; j < end; j++) {
          const jo = <usize>j << 2;
          const w = v128.load32_splat(values + jo);
          const p = x + col<I>(colIdx, j) * stride + off;
          a0 = f32x4.add(a0, f32x4.mul(w, v128.load(p)));
          a1 = f32x4.add(a1, f32x4.mul(w, v128.load(p, 16)));
          a2 = f32x4.add(a2, f32x4.mul(w, v128.load(p, 32)));
          a3 = f32x4.add(a3, f32x4.mul(w, v128.load(p, 48)));
        }
        v128.store(yRow + off, a0);
        v128.store(yRow + off, a1, 16);
        v128.store(yRow + off, a2, 32);
        v128.store(yRow + off, a3, 48);
      }
    }
    if (ASC_FEATURE_SIMD) {
      for (; c + 4 <= m; c += 4) {
        const off = <usize>c << 2;
        let a0 = f32x4.splat(0);
        for (let j = start; j < end; j++) {
          const jo = <usize>j << 2;
          const p = x + col<I>(colIdx, j) * stride + off;
          a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(values + jo), v128.load(p)));
        }
        v128.store(yRow + off, a0);
      }
    }
    for (; c < m; c++) {
      const off = <usize>c << 2;
      let s: f32 = 0;
      for (let j = start; j < end; j++) {
        const jo = <usize>j << 2;
        s += load<f32>(values + jo) * load<f32>(x + col<I>(colIdx, j) * stride + off);
      }
      store<f32>(yRow + off, s);
    }
  }
}

function sddmm<I>(rows: i32, m: i32, rowPtr: usize, colIdx: usize, x: usize, dy: usize, out: usize): void {
  const stride = <usize>m << 2;
  for (let r = 0; r < rows; r++) {
    const start = load<i32>(rowPtr + (<usize>r << 2));
    const end = load<i32>(rowPtr + (<usize>r << 2), 4);
    const dyRow = dy + <usize>r * stride;
    let j = start;
    // Eight (then four) entries of a row share each dY load.
    if (ASC_FEATURE_SIMD) {
      for (; j + 8 <= end; j += 8) {
        dot8(
          dyRow,
          x + col<I>(colIdx, j) * stride, x + col<I>(colIdx, j + 1) * stride, x + col<I>(colIdx, j + 2) * stride, x + col<I>(colIdx, j + 3) * stride,
          x + col<I>(colIdx, j + 4) * stride, x + col<I>(colIdx, j + 5) * stride, x + col<I>(colIdx, j + 6) * stride, x + col<I>(colIdx, j + 7) * stride,
          m, out + (<usize>j << 2),
        );
      }
    }
    for (; j + 4 <= end; j += 4) {
      const jo = <usize>j << 2;
      const x0 = x + col<I>(colIdx, j) * stride;
      const x1 = x + col<I>(colIdx, j + 1) * stride;
      const x2 = x + col<I>(colIdx, j + 2) * stride;
      const x3 = x + col<I>(colIdx, j + 3) * stride;
      dot4(dyRow, x0, x1, x2, x3, m, out + jo);
    }
    for (; j < end; j++) {
      const jo = <usize>j << 2;
      store<f32>(out + jo, dot(dyRow, x + col<I>(colIdx, j) * stride, m));
    }
  }
}
