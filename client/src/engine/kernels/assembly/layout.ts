// @ts-nocheck -- AssemblyScript source (compiled by asc, see ../build.mjs); the TypeScript checker cannot type it.
// Layout changes between tfjs's batch-outermost tensors and the kernels' batch-innermost activations, done once at
// the border of a chain of kernel layers instead of per layer:
//   NHWC [B][H·W][C] <-> [C][H·W][B] is one reversal of three axes; a 2-D transpose is the case H·W = 1.
// Tiles of 8×8 keep both the reads and the writes inside a few cache lines (a naive transpose is 5–25× slower).

const TILE: i32 = 8;

/** dst[k][j][i] = src[i][j][k] for an src of shape [d0][d1][d2]. */
export function reverse3(d0: i32, d1: i32, d2: i32, src: usize, dst: usize): void {
  const srcRow = <usize>(d1 * d2) << 2; // bytes between src[i][j][·] and src[i+1][j][·]
  const dstRow = <usize>(d1 * d0) << 2; // bytes between dst[k][j][·] and dst[k+1][j][·]
  for (let j = 0; j < d1; j++) {
    const s0 = src + (<usize>(j * d2) << 2);
    const t0 = dst + (<usize>(j * d0) << 2);
    for (let i0 = 0; i0 < d0; i0 += TILE) {
      const i1 = min(i0 + TILE, d0);
      for (let k0 = 0; k0 < d2; k0 += TILE) {
        const k1 = min(k0 + TILE, d2);
        for (let i = i0; i < i1; i++) {
          const s = s0 + <usize>i * srcRow;
          const t = t0 + (<usize>i << 2);
          for (let k = k0; k < k1; k++) store<f32>(t + <usize>k * dstRow, load<f32>(s + (<usize>k << 2)));
        }
      }
    }
  }
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
