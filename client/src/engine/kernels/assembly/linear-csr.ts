// @ts-nocheck -- AssemblyScript source (compiled by asc, see ../build.mjs); the TypeScript checker cannot type it.
// Unstructured sparse linear kernels over CSR, feature-major activations X[K][M] vectorised along the batch M:
// each output row accumulates 16 batch columns in four f32x4 registers, then 4, then scalar tails.
import { dot, dot4 } from './common';

/** Y[r][:] = Σ_j values[j]·X[colIdx[j]][:] for every row r (also backward-data over a transposed index). */
export function csrSpmm(rows: i32, m: i32, rowPtr: usize, colIdx: usize, values: usize, x: usize, y: usize): void {
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
          const p = x + <usize>load<i32>(colIdx + jo) * stride + off;
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
          const p = x + <usize>load<i32>(colIdx + jo) * stride + off;
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
        s += load<f32>(values + jo) * load<f32>(x + <usize>load<i32>(colIdx + jo) * stride + off);
      }
      store<f32>(yRow + off, s);
    }
  }
}

/** SDDMM: out[j] = X[colIdx[j]][:] · dY[r][:] for every stored entry j of row r (dW on the mask only). */
export function csrSddmm(rows: i32, m: i32, rowPtr: usize, colIdx: usize, x: usize, dy: usize, out: usize): void {
  const stride = <usize>m << 2;
  for (let r = 0; r < rows; r++) {
    const start = load<i32>(rowPtr + (<usize>r << 2));
    const end = load<i32>(rowPtr + (<usize>r << 2), 4);
    const dyRow = dy + <usize>r * stride;
    let j = start;
    // Four entries of a row share each dY load.
    for (; j + 4 <= end; j += 4) {
      const jo = <usize>j << 2;
      const x0 = x + <usize>load<i32>(colIdx + jo) * stride;
      const x1 = x + <usize>load<i32>(colIdx + jo, 4) * stride;
      const x2 = x + <usize>load<i32>(colIdx + jo, 8) * stride;
      const x3 = x + <usize>load<i32>(colIdx + jo, 12) * stride;
      dot4(dyRow, x0, x1, x2, x3, m, out + jo, 4);
    }
    for (; j < end; j++) {
      const jo = <usize>j << 2;
      store<f32>(out + jo, dot(dyRow, x + <usize>load<i32>(colIdx + jo) * stride, m));
    }
  }
}
