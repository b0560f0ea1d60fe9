// @ts-nocheck -- AssemblyScript source (compiled by asc, see ../build.mjs); the TypeScript checker cannot type it.
// Shuffled B×B block kernels. Forward: every 4-row slab of a row group shares the activation loads of all the
// group's block columns (4 rows × 8 batch columns in registers, as for 4×1 blocks, but one register tile spans all
// the group's blocks, a two-level walk that tile4x8 does not take). Backward-data scatter-adds
// each dense block into dX, 4 columns at a time, so no transposed index is needed. Rows of B % 4 use 1-row loops.
import { dot, dot4, Packed, tile4x8 } from './common';

/** Y[rows of g][:] = Σ over g's blocks of V_b · X[cols of b][:]; every row of every group is written. */
export function shuffledSpmm(
  groups: i32, bs: i32, m: i32, groupRows: usize, groupPtr: usize, blockCols: usize, values: usize, x: usize, y: usize,
): void {
  const stride = <usize>m << 2;
  const rowBytes = <usize>bs << 2;
  for (let g = 0; g < groups; g++) {
    const start = load<i32>(groupPtr + (<usize>g << 2));
    const end = load<i32>(groupPtr + (<usize>g << 2), 4);
    const rowsOf = groupRows + <usize>(g * bs) * 4;
    let r = 0;
    for (; r + 4 <= bs; r += 4) {
      const y0 = y + <usize>load<i32>(rowsOf + (<usize>r << 2)) * stride;
      const y1 = y + <usize>load<i32>(rowsOf + (<usize>r << 2), 4) * stride;
      const y2 = y + <usize>load<i32>(rowsOf + (<usize>r << 2), 8) * stride;
      const y3 = y + <usize>load<i32>(rowsOf + (<usize>r << 2), 12) * stride;
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
          for (let b = start; b < end; b++) {
            const colsOf = blockCols + <usize>(b * bs) * 4;
            const vals = values + (<usize>(b * bs + r) * <usize>bs) * 4;
            for (let k = 0; k < bs; k++) {
              const p = x + <usize>load<i32>(colsOf + (<usize>k << 2)) * stride + off;
              const v0 = v128.load(p);
              const v1 = v128.load(p, 16);
              const wp = vals + (<usize>k << 2);
              const w0 = v128.load32_splat(wp);
              const w1 = v128.load32_splat(wp + rowBytes);
              const w2 = v128.load32_splat(wp + 2 * rowBytes);
              const w3 = v128.load32_splat(wp + 3 * rowBytes);
              a0 = f32x4.add(a0, f32x4.mul(w0, v0));
              b0 = f32x4.add(b0, f32x4.mul(w0, v1));
              a1 = f32x4.add(a1, f32x4.mul(w1, v0));
              b1 = f32x4.add(b1, f32x4.mul(w1, v1));
              a2 = f32x4.add(a2, f32x4.mul(w2, v0));
              b2 = f32x4.add(b2, f32x4.mul(w2, v1));
              a3 = f32x4.add(a3, f32x4.mul(w3, v0));
              b3 = f32x4.add(b3, f32x4.mul(w3, v1));
            }
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
        shuffledRowTail(c, m, start, end, bs, r + i, blockCols, values, x, y + <usize>load<i32>(rowsOf + (<usize>(r + i) << 2)) * stride);
      }
    }
    for (; r < bs; r++) {
      shuffledRowTail(0, m, start, end, bs, r, blockCols, values, x, y + <usize>load<i32>(rowsOf + (<usize>r << 2)) * stride);
    }
  }
}

/** One row (index r inside its group), batch columns c0..m: 4-wide then scalar. */
function shuffledRowTail(
  c0: i32, m: i32, start: i32, end: i32, bs: i32, r: i32, blockCols: usize, values: usize, x: usize, yRow: usize,
): void {
  const stride = <usize>m << 2;
  let c = c0;
  if (ASC_FEATURE_SIMD) {
    for (; c + 4 <= m; c += 4) {
      const off = <usize>c << 2;
      let a = f32x4.splat(0);
      for (let b = start; b < end; b++) {
        const colsOf = blockCols + <usize>(b * bs) * 4;
        const vals = values + (<usize>(b * bs + r) * <usize>bs) * 4;
        for (let k = 0; k < bs; k++) {
          const p = x + <usize>load<i32>(colsOf + (<usize>k << 2)) * stride + off;
          a = f32x4.add(a, f32x4.mul(v128.load32_splat(vals + (<usize>k << 2)), v128.load(p)));
        }
      }
      v128.store(yRow + off, a);
    }
  }
  for (; c < m; c++) {
    const off = <usize>c << 2;
    let s: f32 = 0;
    for (let b = start; b < end; b++) {
      const colsOf = blockCols + <usize>(b * bs) * 4;
      const vals = values + (<usize>(b * bs + r) * <usize>bs) * 4;
      for (let k = 0; k < bs; k++) {
        s += load<f32>(vals + (<usize>k << 2)) * load<f32>(x + <usize>load<i32>(colsOf + (<usize>k << 2)) * stride + off);
      }
    }
    store<f32>(yRow + off, s);
  }
}

/** dX[cols of b][:] += V_bᵀ · dY[rows of g][:] for every block b; dX must be zeroed by the caller. */
export function shuffledSpmmT(
  groups: i32, bs: i32, m: i32, groupRows: usize, groupPtr: usize, blockCols: usize, values: usize, dy: usize, dx: usize,
): void {
  const stride = <usize>m << 2;
  const rowBytes = <usize>bs << 2;
  for (let g = 0; g < groups; g++) {
    const start = load<i32>(groupPtr + (<usize>g << 2));
    const end = load<i32>(groupPtr + (<usize>g << 2), 4);
    const rowsOf = groupRows + <usize>(g * bs) * 4;
    for (let b = start; b < end; b++) {
      const colsOf = blockCols + <usize>(b * bs) * 4;
      const block = values + <usize>(b * bs) * <usize>bs * 4;
      let k = 0;
      for (; k + 4 <= bs; k += 4) {
        const x0 = dx + <usize>load<i32>(colsOf + (<usize>k << 2)) * stride;
        const x1 = dx + <usize>load<i32>(colsOf + (<usize>k << 2), 4) * stride;
        const x2 = dx + <usize>load<i32>(colsOf + (<usize>k << 2), 8) * stride;
        const x3 = dx + <usize>load<i32>(colsOf + (<usize>k << 2), 12) * stride;
        let c = 0;
        if (ASC_FEATURE_SIMD) {
          for (; c + 8 <= m; c += 8) tile4x8<Packed>(bs, rowsOf, dy, stride, <usize>c << 2, block + (<usize>k << 2), rowBytes, 4, x0, x1, x2, x3, true);
        }
        for (let i = 0; i < 4; i++) {
          scatterColumnTail(c, m, bs, k + i, rowsOf, block, dy, dx + <usize>load<i32>(colsOf + (<usize>(k + i) << 2)) * stride);
        }
      }
      for (; k < bs; k++) {
        scatterColumnTail(0, m, bs, k, rowsOf, block, dy, dx + <usize>load<i32>(colsOf + (<usize>k << 2)) * stride);
      }
    }
  }
}

/** dX row of block column k, batch columns c0..m: += Σ_r V[r][k]·dY[row r]. */
function scatterColumnTail(c0: i32, m: i32, bs: i32, k: i32, rowsOf: usize, block: usize, dy: usize, dxRow: usize): void {
  const stride = <usize>m << 2;
  const rowBytes = <usize>bs << 2;
  let c = c0;
  if (ASC_FEATURE_SIMD) {
    for (; c + 4 <= m; c += 4) {
      const off = <usize>c << 2;
      let a = v128.load(dxRow + off);
      for (let r = 0; r < bs; r++) {
        const p = dy + <usize>load<i32>(rowsOf + (<usize>r << 2)) * stride + off;
        a = f32x4.add(a, f32x4.mul(v128.load32_splat(block + <usize>r * rowBytes + (<usize>k << 2)), v128.load(p)));
      }
      v128.store(dxRow + off, a);
    }
  }
  for (; c < m; c++) {
    const off = <usize>c << 2;
    let s = load<f32>(dxRow + off);
    for (let r = 0; r < bs; r++) {
      s += load<f32>(block + <usize>r * rowBytes + (<usize>k << 2)) * load<f32>(dy + <usize>load<i32>(rowsOf + (<usize>r << 2)) * stride + off);
    }
    store<f32>(dxRow + off, s);
  }
}

/** SDDMM: out[b·B² + r·B + k] = dY[row r of g][:] · X[col k of b][:]; 4 columns share each dY load. */
export function shuffledSddmm(
  groups: i32, bs: i32, m: i32, groupRows: usize, groupPtr: usize, blockCols: usize, x: usize, dy: usize, out: usize,
): void {
  const stride = <usize>m << 2;
  for (let g = 0; g < groups; g++) {
    const start = load<i32>(groupPtr + (<usize>g << 2));
    const end = load<i32>(groupPtr + (<usize>g << 2), 4);
    const rowsOf = groupRows + <usize>(g * bs) * 4;
    for (let b = start; b < end; b++) {
      const colsOf = blockCols + <usize>(b * bs) * 4;
      for (let r = 0; r < bs; r++) {
        const d = dy + <usize>load<i32>(rowsOf + (<usize>r << 2)) * stride;
        const o = out + (<usize>(b * bs + r) * <usize>bs) * 4;
        let k = 0;
        for (; k + 4 <= bs; k += 4) {
          const x0 = x + <usize>load<i32>(colsOf + (<usize>k << 2)) * stride;
          const x1 = x + <usize>load<i32>(colsOf + (<usize>k << 2), 4) * stride;
          const x2 = x + <usize>load<i32>(colsOf + (<usize>k << 2), 8) * stride;
          const x3 = x + <usize>load<i32>(colsOf + (<usize>k << 2), 12) * stride;
          dot4(d, x0, x1, x2, x3, m, o + (<usize>k << 2));
        }
        for (; k < bs; k++) store<f32>(o + (<usize>k << 2), dot(d, x + <usize>load<i32>(colsOf + (<usize>k << 2)) * stride, m));
      }
    }
  }
}
