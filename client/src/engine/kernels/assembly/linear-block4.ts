// @ts-nocheck -- AssemblyScript source (compiled by asc, see ../build.mjs); the TypeScript checker cannot type it.
// 4×1 output-row block kernels: the four rows of a block share every activation load, with a register tile of
// 4 rows × 8 batch columns (8 f32x4 accumulators). Backward-data runs csrSpmm over the expanded transposed index.
import { dot4, Packed, tile4x8 } from './common';

/** Y[4g + r][:] = Σ_b values[4b + r]·X[blockCol[b]][:] over the blocks b of group g. */
export function block4Spmm(groups: i32, m: i32, groupPtr: usize, blockCol: usize, values: usize, x: usize, y: usize): void {
  const stride = <usize>m << 2;
  for (let g = 0; g < groups; g++) {
    const start = load<i32>(groupPtr + (<usize>g << 2));
    const end = load<i32>(groupPtr + (<usize>g << 2), 4);
    const y0 = y + <usize>(g << 2) * stride;
    const y1 = y0 + stride;
    const y2 = y1 + stride;
    const y3 = y2 + stride;
    let c = 0;
    if (ASC_FEATURE_SIMD) {
      for (; c + 8 <= m; c += 8) {
        tile4x8<Packed>(end - start, blockCol + (<usize>start << 2), x, stride, <usize>c << 2, values + (<usize>start << 4), 16, 4, y0, y1, y2, y3, false);
      }
    }
    if (ASC_FEATURE_SIMD) {
      for (; c + 4 <= m; c += 4) {
        const off = <usize>c << 2;
        let a0 = f32x4.splat(0);
        let a1 = a0;
        let a2 = a0;
        let a3 = a0;
        for (let b = start; b < end; b++) {
          const v0 = v128.load(x + <usize>load<i32>(blockCol + (<usize>b << 2)) * stride + off);
          const wp = values + (<usize>b << 4);
          a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(wp), v0));
          a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(wp, 4), v0));
          a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(wp, 8), v0));
          a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(wp, 12), v0));
        }
        v128.store(y0 + off, a0);
        v128.store(y1 + off, a1);
        v128.store(y2 + off, a2);
        v128.store(y3 + off, a3);
      }
    }
    for (; c < m; c++) {
      const off = <usize>c << 2;
      let s0: f32 = 0;
      let s1: f32 = 0;
      let s2: f32 = 0;
      let s3: f32 = 0;
      for (let b = start; b < end; b++) {
        const v = load<f32>(x + <usize>load<i32>(blockCol + (<usize>b << 2)) * stride + off);
        const wp = values + (<usize>b << 4);
        s0 += load<f32>(wp) * v;
        s1 += load<f32>(wp, 4) * v;
        s2 += load<f32>(wp, 8) * v;
        s3 += load<f32>(wp, 12) * v;
      }
      store<f32>(y0 + off, s0);
      store<f32>(y1 + off, s1);
      store<f32>(y2 + off, s2);
      store<f32>(y3 + off, s3);
    }
  }
}

/** SDDMM: out[4b + r] = X[blockCol[b]][:] · dY[4g + r][:]; the X row is loaded once for the four rows. */
export function block4Sddmm(groups: i32, m: i32, groupPtr: usize, blockCol: usize, x: usize, dy: usize, out: usize): void {
  const stride = <usize>m << 2;
  for (let g = 0; g < groups; g++) {
    const start = load<i32>(groupPtr + (<usize>g << 2));
    const end = load<i32>(groupPtr + (<usize>g << 2), 4);
    const d0 = dy + <usize>(g << 2) * stride;
    for (let b = start; b < end; b++) {
      const xr = x + <usize>load<i32>(blockCol + (<usize>b << 2)) * stride;
      dot4(xr, d0, d0 + stride, d0 + 2 * stride, d0 + 3 * stride, m, out + (<usize>b << 4));
    }
  }
}
