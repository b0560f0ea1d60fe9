// @ts-nocheck -- AssemblyScript source (compiled by asc, see ../build.mjs); the TypeScript checker cannot type it.
// Plain dense SIMD kernels for channel compaction (the compacted weight is dense). Weight element (r, j) is read at
// w + 4·(r·rowStride + j·colStride), so the same kernel runs W and Wᵀ without a transpose; row index arrays gather
// the kept input rows of X and scatter the rows of the output.
import { dot, dot4, dot8, Strided, tile4x8 } from './common';

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
      for (; c + 8 <= m; c += 8) tile4x8<Strided>(inner, xIdx, x, stride, <usize>c << 2, wRow, colStep, rowStep, y0, y1, y2, y3, false);
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
