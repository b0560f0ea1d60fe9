// @ts-nocheck -- AssemblyScript source (compiled by asc, see ../build.mjs); the TypeScript checker cannot type it.
// Shared helpers of the kernels. Conventions for every kernel in this folder: all arrays are passed as byte
// addresses into this module's memory; matrices are row-major with the batch innermost (a row is M floats);
// int32 index arrays; the caller (runtime.ts) owns allocation, this module never allocates.

/** First free byte after the module's static data; the TS arena starts here. */
export function heapBase(): usize {
  return __heap_base;
}

/** gatherF32 with width 1 over a uint16 index (value counts that fit 16 bits). */
export function gatherF32x16(count: i32, idx: usize, src: usize, dst: usize): void {
  for (let e = 0; e < count; e++) {
    const from = <usize>load<u16>(idx + (<usize>e << 1));
    store<f32>(dst + (<usize>e << 2), load<f32>(src + (from << 2)));
  }
}

/** dst[e·width + t] = src[idx[e]·width + t]: gathers values into the order of a transposed index. */
export function gatherF32(count: i32, width: i32, idx: usize, src: usize, dst: usize): void {
  if (width == 1) {
    for (let e = 0; e < count; e++) {
      const from = <usize>load<i32>(idx + (<usize>e << 2));
      store<f32>(dst + (<usize>e << 2), load<f32>(src + (from << 2)));
    }
    return;
  }
  const bytes = <usize>width << 2;
  for (let e = 0; e < count; e++) {
    const from = src + <usize>load<i32>(idx + (<usize>e << 2)) * bytes;
    memory.copy(dst + <usize>e * bytes, from, bytes);
  }
}

@inline export function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** Σ a[i]·b[i] over n contiguous floats. */
export function dot(a: usize, b: usize, n: i32): f32 {
  let sum: f32 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let s0 = f32x4.splat(0);
    let s1 = s0;
    let s2 = s0;
    let s3 = s0;
    for (; i + 16 <= n; i += 16) {
      const o = <usize>i << 2;
      s0 = f32x4.add(s0, f32x4.mul(v128.load(a + o), v128.load(b + o)));
      s1 = f32x4.add(s1, f32x4.mul(v128.load(a + o, 16), v128.load(b + o, 16)));
      s2 = f32x4.add(s2, f32x4.mul(v128.load(a + o, 32), v128.load(b + o, 32)));
      s3 = f32x4.add(s3, f32x4.mul(v128.load(a + o, 48), v128.load(b + o, 48)));
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      s0 = f32x4.add(s0, f32x4.mul(v128.load(a + o), v128.load(b + o)));
    }
    sum = hsum(f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    sum += load<f32>(a + o) * load<f32>(b + o);
  }
  return sum;
}

/** Weight layouts of tile4x8's four rows, as type tags whose size the compiler folds (see tile4x8). */
export type Packed = u8;
export type Strided = u16;

/**
 * The 4-row × 8-column register tile of the row-blocked kernels (4×1 blocks forward, dense compaction forward,
 * shuffled blocks backward-data, 4×1 conv filters forward). For k < n, the input vector at x + idx[k]·xScale + off
 * (idx int32, xScale in bytes) meets the four weights at w + k·wNext + t·wRow (t < 4; byte steps) and
 * y_t[off .. off + 8 floats) accumulates the products. The accumulators start at zero, or at y_t's current values
 * when `accumulate`. Rows is Packed (a block's four weights side by side: wRow is 4 and the loads take immediate
 * offsets) or Strided (any wRow), fixed at compile time so the inner loop carries no test. SIMD builds only.
 * With `epilogue`, row t's sums get bias[t] (bias: four floats, or 0 for none) and, with `relu`, max(·, 0) before
 * they are stored: the operations of a later pass over y (rowEpilogue in conv.ts), so the same bits.
 */
@inline export function tile4x8<Rows>(
  n: i32, idx: usize, x: usize, xScale: usize, off: usize, w: usize, wNext: usize, wRow: usize,
  y0: usize, y1: usize, y2: usize, y3: usize, accumulate: bool, epilogue: bool = false, bias: usize = 0, relu: bool = false,
): void {
  let a0 = f32x4.splat(0);
  let b0 = a0;
  let a1 = a0;
  let b1 = a0;
  let a2 = a0;
  let b2 = a0;
  let a3 = a0;
  let b3 = a0;
  if (accumulate) {
    a0 = v128.load(y0 + off);
    b0 = v128.load(y0 + off, 16);
    a1 = v128.load(y1 + off);
    b1 = v128.load(y1 + off, 16);
    a2 = v128.load(y2 + off);
    b2 = v128.load(y2 + off, 16);
    a3 = v128.load(y3 + off);
    b3 = v128.load(y3 + off, 16);
  }
  for (let k = 0; k < n; k++) {
    const p = x + <usize>load<i32>(idx + (<usize>k << 2)) * xScale + off;
    const v0 = v128.load(p);
    const v1 = v128.load(p, 16);
    const wp = w + <usize>k * wNext;
    let w0: v128;
    let w1: v128;
    let w2: v128;
    let w3: v128;
    if (sizeof<Rows>() == sizeof<Packed>()) {
      w0 = v128.load32_splat(wp);
      w1 = v128.load32_splat(wp, 4);
      w2 = v128.load32_splat(wp, 8);
      w3 = v128.load32_splat(wp, 12);
    } else {
      w0 = v128.load32_splat(wp);
      w1 = v128.load32_splat(wp + wRow);
      w2 = v128.load32_splat(wp + 2 * wRow);
      w3 = v128.load32_splat(wp + 3 * wRow);
    }
    a0 = f32x4.add(a0, f32x4.mul(w0, v0));
    b0 = f32x4.add(b0, f32x4.mul(w0, v1));
    a1 = f32x4.add(a1, f32x4.mul(w1, v0));
    b1 = f32x4.add(b1, f32x4.mul(w1, v1));
    a2 = f32x4.add(a2, f32x4.mul(w2, v0));
    b2 = f32x4.add(b2, f32x4.mul(w2, v1));
    a3 = f32x4.add(a3, f32x4.mul(w3, v0));
    b3 = f32x4.add(b3, f32x4.mul(w3, v1));
  }
  if (epilogue) {
    const c0 = f32x4.splat(bias == 0 ? 0 : load<f32>(bias));
    const c1 = f32x4.splat(bias == 0 ? 0 : load<f32>(bias, 4));
    const c2 = f32x4.splat(bias == 0 ? 0 : load<f32>(bias, 8));
    const c3 = f32x4.splat(bias == 0 ? 0 : load<f32>(bias, 12));
    a0 = f32x4.add(a0, c0);
    b0 = f32x4.add(b0, c0);
    a1 = f32x4.add(a1, c1);
    b1 = f32x4.add(b1, c1);
    a2 = f32x4.add(a2, c2);
    b2 = f32x4.add(b2, c2);
    a3 = f32x4.add(a3, c3);
    b3 = f32x4.add(b3, c3);
    if (relu) {
      const z = f32x4.splat(0);
      a0 = f32x4.max(a0, z);
      b0 = f32x4.max(b0, z);
      a1 = f32x4.max(a1, z);
      b1 = f32x4.max(b1, z);
      a2 = f32x4.max(a2, z);
      b2 = f32x4.max(b2, z);
      a3 = f32x4.max(a3, z);
      b3 = f32x4.max(b3, z);
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

/** [Σ lanes of v0, Σ v1, Σ v2, Σ v3]: four horizontal sums as one vector (shuffles instead of 16 lane extracts). */
@inline export function reduce4(v0: v128, v1: v128, v2: v128, v3: v128): v128 {
  const lo = f32x4.add(v128.shuffle<f32>(v0, v1, 0, 4, 1, 5), v128.shuffle<f32>(v0, v1, 2, 6, 3, 7));
  const hi = f32x4.add(v128.shuffle<f32>(v2, v3, 0, 4, 1, 5), v128.shuffle<f32>(v2, v3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(lo, hi, 0, 1, 4, 5), v128.shuffle<f32>(lo, hi, 2, 3, 6, 7));
}

/** Σ a[i]·b[i] for i in [from, n): the scalar tail of the vector dot products. */
@inline function tailDot(a: usize, b: usize, from: i32, n: i32): f32 {
  let s: f32 = 0;
  for (let i = from; i < n; i++) s += load<f32>(a + (<usize>i << 2)) * load<f32>(b + (<usize>i << 2));
  return s;
}

/** out[k] += tailDot(a, b_k) for the four results of a dot4 / half a dot8 (no-op when the vector loop covered n). */
@inline function addTails4(a: usize, b0: usize, b1: usize, b2: usize, b3: usize, from: i32, n: i32, out: usize): void {
  if (from >= n) return;
  store<f32>(out, load<f32>(out) + tailDot(a, b0, from, n));
  store<f32>(out, load<f32>(out, 4) + tailDot(a, b1, from, n), 4);
  store<f32>(out, load<f32>(out, 8) + tailDot(a, b2, from, n), 8);
  store<f32>(out, load<f32>(out, 12) + tailDot(a, b3, from, n), 12);
}

/**
 * Four dot products sharing `a` (one load of a feeds four products): out[t] = a·b_t for t < 4 (out contiguous),
 * or out[t] += a·b_t when `add` is set.
 */
export function dot4(a: usize, b0: usize, b1: usize, b2: usize, b3: usize, n: i32, out: usize, add: bool = false): void {
  if (ASC_FEATURE_SIMD) {
    let s0 = f32x4.splat(0);
    let s1 = s0;
    let s2 = s0;
    let s3 = s0;
    let t0 = s0;
    let t1 = s0;
    let t2 = s0;
    let t3 = s0;
    let i = 0;
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      const a0 = v128.load(a + o);
      const a1 = v128.load(a + o, 16);
      s0 = f32x4.add(s0, f32x4.mul(a0, v128.load(b0 + o)));
      s1 = f32x4.add(s1, f32x4.mul(a0, v128.load(b1 + o)));
      s2 = f32x4.add(s2, f32x4.mul(a0, v128.load(b2 + o)));
      s3 = f32x4.add(s3, f32x4.mul(a0, v128.load(b3 + o)));
      t0 = f32x4.add(t0, f32x4.mul(a1, v128.load(b0 + o, 16)));
      t1 = f32x4.add(t1, f32x4.mul(a1, v128.load(b1 + o, 16)));
      t2 = f32x4.add(t2, f32x4.mul(a1, v128.load(b2 + o, 16)));
      t3 = f32x4.add(t3, f32x4.mul(a1, v128.load(b3 + o, 16)));
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const a0 = v128.load(a + o);
      s0 = f32x4.add(s0, f32x4.mul(a0, v128.load(b0 + o)));
      s1 = f32x4.add(s1, f32x4.mul(a0, v128.load(b1 + o)));
      s2 = f32x4.add(s2, f32x4.mul(a0, v128.load(b2 + o)));
      s3 = f32x4.add(s3, f32x4.mul(a0, v128.load(b3 + o)));
    }
    let r = reduce4(f32x4.add(s0, t0), f32x4.add(s1, t1), f32x4.add(s2, t2), f32x4.add(s3, t3));
    if (add) r = f32x4.add(v128.load(out), r);
    v128.store(out, r);
    addTails4(a, b0, b1, b2, b3, i, n, out);
  } else {
    store<f32>(out, (add ? load<f32>(out) : 0) + tailDot(a, b0, 0, n));
    store<f32>(out, (add ? load<f32>(out, 4) : 0) + tailDot(a, b1, 0, n), 4);
    store<f32>(out, (add ? load<f32>(out, 8) : 0) + tailDot(a, b2, 0, n), 8);
    store<f32>(out, (add ? load<f32>(out, 12) : 0) + tailDot(a, b3, 0, n), 12);
  }
}

/**
 * Eight dot products sharing `a`: out[t] = a·b_t for t < 8 (out contiguous). One load of `a` feeds eight products
 * and the eight sums leave as two vectors, so it beats two dot4 calls where a row has 8 or more entries (SDDMM).
 * (The scalar build runs it as two dot4.)
 */
export function dot8(
  a: usize, b0: usize, b1: usize, b2: usize, b3: usize, b4: usize, b5: usize, b6: usize, b7: usize, n: i32, out: usize,
): void {
  if (ASC_FEATURE_SIMD) {
    let s0 = f32x4.splat(0);
    let s1 = s0;
    let s2 = s0;
    let s3 = s0;
    let s4 = s0;
    let s5 = s0;
    let s6 = s0;
    let s7 = s0;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const a0 = v128.load(a + o);
      s0 = f32x4.add(s0, f32x4.mul(a0, v128.load(b0 + o)));
      s1 = f32x4.add(s1, f32x4.mul(a0, v128.load(b1 + o)));
      s2 = f32x4.add(s2, f32x4.mul(a0, v128.load(b2 + o)));
      s3 = f32x4.add(s3, f32x4.mul(a0, v128.load(b3 + o)));
      s4 = f32x4.add(s4, f32x4.mul(a0, v128.load(b4 + o)));
      s5 = f32x4.add(s5, f32x4.mul(a0, v128.load(b5 + o)));
      s6 = f32x4.add(s6, f32x4.mul(a0, v128.load(b6 + o)));
      s7 = f32x4.add(s7, f32x4.mul(a0, v128.load(b7 + o)));
    }
    v128.store(out, reduce4(s0, s1, s2, s3));
    v128.store(out, reduce4(s4, s5, s6, s7), 16);
    addTails4(a, b0, b1, b2, b3, i, n, out);
    addTails4(a, b4, b5, b6, b7, i, n, out + 16);
  } else {
    dot4(a, b0, b1, b2, b3, n, out);
    dot4(a, b4, b5, b6, b7, n, out + 16);
  }
}
