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

/**
 * Four dot products sharing `a` (one load of a feeds four products): out[t·stride] = a·b_t (stride in bytes),
 * or out[t·stride] += a·b_t when `add` is set.
 */
export function dot4(a: usize, b0: usize, b1: usize, b2: usize, b3: usize, n: i32, out: usize, stride: usize, add: bool = false): void {
  let r0: f32 = 0;
  let r1: f32 = 0;
  let r2: f32 = 0;
  let r3: f32 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let s0 = f32x4.splat(0);
    let s1 = s0;
    let s2 = s0;
    let s3 = s0;
    let t0 = s0;
    let t1 = s0;
    let t2 = s0;
    let t3 = s0;
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
    r0 = hsum(f32x4.add(s0, t0));
    r1 = hsum(f32x4.add(s1, t1));
    r2 = hsum(f32x4.add(s2, t2));
    r3 = hsum(f32x4.add(s3, t3));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const av = load<f32>(a + o);
    r0 += av * load<f32>(b0 + o);
    r1 += av * load<f32>(b1 + o);
    r2 += av * load<f32>(b2 + o);
    r3 += av * load<f32>(b3 + o);
  }
  if (add) {
    r0 += load<f32>(out);
    r1 += load<f32>(out + stride);
    r2 += load<f32>(out + 2 * stride);
    r3 += load<f32>(out + 3 * stride);
  }
  store<f32>(out, r0);
  store<f32>(out + stride, r1);
  store<f32>(out + 2 * stride, r2);
  store<f32>(out + 3 * stride, r3);
}
