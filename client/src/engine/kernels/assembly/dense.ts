// @ts-nocheck -- AssemblyScript source (compiled by asc, see ../build.mjs); the TypeScript checker cannot type it.
// Plain dense SIMD kernels for channel compaction (the compacted weight is dense). Weight element (r, j) is read at
// w + 4·(r·rowStride + j·colStride), so the same kernel runs W and Wᵀ without a transpose; row index arrays gather
// the kept input rows of X and scatter the rows of the output.
import { dot, dot4, dot8 } from './common';

/** Y[yIdx[r]][:] = Σ_j W(r, j)·X[xIdx[j]][:] for r < rows, j < inner. */
export function denseGemm(
  rows: i32, inner: i32, m: i32, w: usize, rowStride: i32, colStride: i32, xIdx: usize, x: usize, yIdx: usize, y: usize,
): void {
  const stride = <usize>m << 2;
  const rowStep = <usize>rowStride << 2;
  const colStep = <usize>colStride << 2;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const y0 = y + <usize>load<i32>(yIdx + (<usize>r << 2)) * stride;
    const y1 = y + <usize>load<i32>(yIdx + (<usize>r << 2), 4) * stride;
    const y2 = y + <usize>load<i32>(yIdx + (<usize>r << 2), 8) * stride;
    const y3 = y + <usize>load<i32>(yIdx + (<usize>r << 2), 12) * stride;
    const wRow = w + <usize>r * rowStep;
    let c = 0;
    if (ASC_FEATURE_SIMD) {
      for (; c + 8 <= m; c += 8) {
        const off = <usize>c << 2;
        let a0 = f32x4.splat(0);
        let b0 = a0;
        let a1 = a0;
        let b1 = a0;
        let a2 = a0;
        let b2 = a0;
        let a3 = a0;
        let b3 = a0;
        for (let j = 0; j < inner; j++) {
          const p = x + <usize>load<i32>(xIdx + (<usize>j << 2)) * stride + off;
          const v0 = v128.load(p);
          const v1 = v128.load(p, 16);
          const wp = wRow + <usize>j * colStep;
          const w0 = v128.load32_splat(wp);
          const w1 = v128.load32_splat(wp + rowStep);
          const w2 = v128.load32_splat(wp + 2 * rowStep);
          const w3 = v128.load32_splat(wp + 3 * rowStep);
          a0 = f32x4.add(a0, f32x4.mul(w0, v0));
          b0 = f32x4.add(b0, f32x4.mul(w0, v1));
          a1 = f32x4.add(a1, f32x4.mul(w1, v0));
          b1 = f32x4.add(b1, f32x4.mul(w1, v1));
          a2 = f32x4.add(a2, f32x4.mul(w2, v0));
          b2 = f32x4.add(b2, f32x4.mul(w2, v1));
          a3 = f32x4.add(a3, f32x4.mul(w3, v0));
          b3 = f32x4.add(b3, f32x4.mul(w3, v1));
        }
        v128.store(y0 + off, a0);
        v128.store(y0 + off, b0, 16);
        v128.store(y1 + off, a1);
        v128.store(y1 + off, b1, 16);
        v128.store(y2 + off, a2);
        v128.store(y2 + off, b2, 16);
        v128.store(y3 + off, a3);
        v128.store(y3 + off, b3, 16);
      }
    }
    for (let i = 0; i < 4; i++) {
      denseRowTail(c, m, inner, wRow + <usize>i * rowStep, colStep, xIdx, x, y + <usize>load<i32>(yIdx + (<usize>(r + i) << 2)) * stride);
    }
  }
  for (; r < rows; r++) {
    denseRowTail(0, m, inner, w + <usize>r * rowStep, colStep, xIdx, x, y + <usize>load<i32>(yIdx + (<usize>r << 2)) * stride);
  }
}

function denseRowTail(c0: i32, m: i32, inner: i32, wRow: usize, colStep: usize, xIdx: usize, x: usize, yRow: usize): void {
  const stride = <usize>m << 2;
  let c = c0;
  if (ASC_FEATURE_SIMD) {
    for (; c + 4 <= m; c += 4) {
      const off = <usize>c << 2;
      let a = f32x4.splat(0);
      for (let j = 0; j < inner; j++) {
        const p = x + <usize>load<i32>(xIdx + (<usize>j << 2)) * stride + off;
        a = f32x4.add(a, f32x4.mul(v128.load32_splat(wRow + <usize>j * colStep), v128.load(p)));
      }
      v128.store(yRow + off, a);
    }
  }
  for (; c < m; c++) {
    const off = <usize>c << 2;
    let s: f32 = 0;
    for (let j = 0; j < inner; j++) {
      s += load<f32>(wRow + <usize>j * colStep) * load<f32>(x + <usize>load<i32>(xIdx + (<usize>j << 2)) * stride + off);
    }
    store<f32>(yRow + off, s);
  }
}

/** out[r·cols + c] = A[aIdx[r]][:] · B[bIdx[c]][:] (the dense weight gradient dY·Xᵀ over gathered rows). */
export function denseDots(rows: i32, cols: i32, m: i32, a: usize, aIdx: usize, b: usize, bIdx: usize, out: usize): void {
  const stride = <usize>m << 2;
  for (let r = 0; r < rows; r++) {
    const ar = a + <usize>load<i32>(aIdx + (<usize>r << 2)) * stride;
    const o = out + <usize>(r * cols) * 4;
    let c = 0;
    if (ASC_FEATURE_SIMD) {
      for (; c + 8 <= cols; c += 8) {
        const ip = bIdx + (<usize>c << 2);
        dot8(
          ar,
          b + <usize>load<i32>(ip) * stride, b + <usize>load<i32>(ip, 4) * stride, b + <usize>load<i32>(ip, 8) * stride, b + <usize>load<i32>(ip, 12) * stride,
          b + <usize>load<i32>(ip, 16) * stride, b + <usize>load<i32>(ip, 20) * stride, b + <usize>load<i32>(ip, 24) * stride, b + <usize>load<i32>(ip, 28) * stride,
          m, o + (<usize>c << 2),
        );
      }
    }
    for (; c + 4 <= cols; c += 4) {
      const b0 = b + <usize>load<i32>(bIdx + (<usize>c << 2)) * stride;
      const b1 = b + <usize>load<i32>(bIdx + (<usize>c << 2), 4) * stride;
      const b2 = b + <usize>load<i32>(bIdx + (<usize>c << 2), 8) * stride;
      const b3 = b + <usize>load<i32>(bIdx + (<usize>c << 2), 12) * stride;
      dot4(ar, b0, b1, b2, b3, m, o + (<usize>c << 2));
    }
    for (; c < cols; c++) store<f32>(o + (<usize>c << 2), dot(ar, b + <usize>load<i32>(bIdx + (<usize>c << 2)) * stride, m));
  }
}
