// @ts-nocheck -- AssemblyScript source (compiled by asc, see ../build.mjs); the TypeScript checker cannot type it.
// Layout changes between tfjs's batch-outermost tensors and the kernels' batch-innermost activations, done once at
// the border of a chain of kernel layers instead of per layer:
//   NHWC [B][H·W][C] <-> [C][H·W][B] is one reversal of three axes; a 2-D transpose is the case H·W = 1.
// Tiles of 8×8 keep both the reads and the writes inside a few cache lines (a naive transpose is 5–25× slower).

const TILE: i32 = 8;

/** dst[k][j][i] = src[i][j][k] for an src of shape [d0][d1][d2]. */
export function reverse3(d0: i32, d1: i32, d2: i32, src: usize, dst: usize): void {
  reverse3Part(d0, d1, d2, 0, d2, src, dst);
}

/**
 * reverse3 restricted to k0 <= k < k1: writes only dst[k0..k1-1], so threads can split the transpose by k.
 * With SIMD, 4×4 blocks are transposed in registers (four loads, eight shuffles, four stores).
 */
export function reverse3Part(d0: i32, d1: i32, d2: i32, k0: i32, k1: i32, src: usize, dst: usize): void {
  const srcRow = <usize>(d1 * d2) << 2; // bytes between src[i][j][·] and src[i+1][j][·]
  const dstRow = <usize>(d1 * d0) << 2; // bytes between dst[k][j][·] and dst[k+1][j][·]
  for (let j = 0; j < d1; j++) {
    const s0 = src + (<usize>(j * d2) << 2);
    const t0 = dst + (<usize>(j * d0) << 2);
    for (let i0 = 0; i0 < d0; i0 += TILE) {
      const i1 = min(i0 + TILE, d0);
      for (let kt = k0; kt < k1; kt += TILE) {
        const kEnd = min(kt + TILE, k1);
        let i = i0;
        if (ASC_FEATURE_SIMD) {
          for (; i + 4 <= i1; i += 4) {
            let k = kt;
            for (; k + 4 <= kEnd; k += 4) transpose4x4(s0 + <usize>i * srcRow + (<usize>k << 2), srcRow, t0 + <usize>k * dstRow + (<usize>i << 2), dstRow);
            for (; k < kEnd; k++) {
              const s = s0 + <usize>i * srcRow + (<usize>k << 2);
              const t = t0 + <usize>k * dstRow + (<usize>i << 2);
              store<f32>(t, load<f32>(s));
              store<f32>(t, load<f32>(s + srcRow), 4);
              store<f32>(t, load<f32>(s + 2 * srcRow), 8);
              store<f32>(t, load<f32>(s + 3 * srcRow), 12);
            }
          }
        }
        for (; i < i1; i++) {
          const s = s0 + <usize>i * srcRow;
          const t = t0 + (<usize>i << 2);
          for (let k = kt; k < kEnd; k++) store<f32>(t + <usize>k * dstRow, load<f32>(s + (<usize>k << 2)));
        }
      }
    }
  }
}

/** The 4×4 block at s (rows `sStride` bytes apart) written transposed at t (rows `tStride` bytes apart). */
@inline function transpose4x4(s: usize, sStride: usize, t: usize, tStride: usize): void {
  const a0 = v128.load(s);
  const a1 = v128.load(s + sStride);
  const a2 = v128.load(s + 2 * sStride);
  const a3 = v128.load(s + 3 * sStride);
  const b0 = v128.shuffle<f32>(a0, a1, 0, 4, 1, 5);
  const b1 = v128.shuffle<f32>(a0, a1, 2, 6, 3, 7);
  const b2 = v128.shuffle<f32>(a2, a3, 0, 4, 1, 5);
  const b3 = v128.shuffle<f32>(a2, a3, 2, 6, 3, 7);
  v128.store(t, v128.shuffle<f32>(b0, b2, 0, 1, 4, 5));
  v128.store(t + tStride, v128.shuffle<f32>(b0, b2, 2, 3, 6, 7));
  v128.store(t + 2 * tStride, v128.shuffle<f32>(b1, b3, 0, 1, 4, 5));
  v128.store(t + 3 * tStride, v128.shuffle<f32>(b1, b3, 2, 3, 6, 7));
}

/** dst[j][i][:] = src[i][j][:] for an src of shape [d0][d1][m]: swaps the two outer axes, moving runs of m floats. */
export function swapOuterAxes(d0: i32, d1: i32, m: i32, src: usize, dst: usize): void {
  const run = <usize>m << 2;
  for (let i = 0; i < d0; i++) {
    for (let j = 0; j < d1; j++) {
      memory.copy(dst + <usize>(j * d0 + i) * run, src + <usize>(i * d1 + j) * run, run);
    }
  }
}
