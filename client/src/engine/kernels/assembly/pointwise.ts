// @ts-nocheck -- AssemblyScript source (compiled by asc, see ../build.mjs); the TypeScript checker cannot type it.
// The cheap layers between sparse kernels, on batch-innermost activations: a row is one output feature or channel
// (len = H·W·batch floats). Bias, output gate and ReLU are fused into one pass over the layer output; 2×2 max-pool
// works on [C][H][W][M] with the batch in the SIMD lanes. Pointer arguments of 0 mean "absent" (the arena never
// hands out address 0).
import { hsum } from './common';

/** y[r][:] = act(y[r][:]·scale[r] + bias[r]), in place; act is ReLU when `relu` is set. */
export function rowAffine(rows: i32, len: i32, scale: usize, bias: usize, relu: bool, y: usize): void {
  for (let r = 0; r < rows; r++) {
    const s: f32 = scale == 0 ? 1 : load<f32>(scale + (<usize>r << 2));
    const b: f32 = bias == 0 ? 0 : load<f32>(bias + (<usize>r << 2));
    const row = y + (<usize>r * <usize>len << 2);
    let c = 0;
    if (ASC_FEATURE_SIMD) {
      const zero = f32x4.splat(0);
      const sv = f32x4.splat(s);
      const bv = f32x4.splat(b);
      for (; c + 4 <= len; c += 4) {
        const p = row + (<usize>c << 2);
        let v = f32x4.add(f32x4.mul(v128.load(p), sv), bv);
        if (relu) v = f32x4.max(v, zero);
        v128.store(p, v);
      }
    }
    for (; c < len; c++) {
      const p = row + (<usize>c << 2);
      let v = load<f32>(p) * s + b;
      if (relu && v < 0) v = 0;
      store<f32>(p, v);
    }
  }
}

/** dy[i] = y[i] > 0 ? dy[i] : 0 (ReLU backward from the ReLU's output), in place. */
export function reluBackward(n: i32, y: usize, dy: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const zero = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(dy + o, v128.and(v128.load(dy + o), f32x4.gt(v128.load(y + o), zero)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    if (!(load<f32>(y + o) > 0)) store<f32>(dy + o, 0);
  }
}

/** out[r] = Σ src[r][:] (the bias gradient). */
export function rowSums(rows: i32, len: i32, src: usize, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = src + (<usize>r * <usize>len << 2);
    let c = 0;
    let s: f32 = 0;
    if (ASC_FEATURE_SIMD) {
      let a0 = f32x4.splat(0);
      let a1 = a0;
      for (; c + 8 <= len; c += 8) {
        const p = row + (<usize>c << 2);
        a0 = f32x4.add(a0, v128.load(p));
        a1 = f32x4.add(a1, v128.load(p, 16));
      }
      for (; c + 4 <= len; c += 4) a0 = f32x4.add(a0, v128.load(row + (<usize>c << 2)));
      s = hsum(f32x4.add(a0, a1));
    }
    for (; c < len; c++) s += load<f32>(row + (<usize>c << 2));
    store<f32>(out + (<usize>r << 2), s);
  }
}

/** y[r][:] *= scale[r], in place (output gates on the gradient). */
export function scaleRows(rows: i32, len: i32, scale: usize, y: usize): void {
  for (let r = 0; r < rows; r++) {
    const s = load<f32>(scale + (<usize>r << 2));
    const row = y + (<usize>r * <usize>len << 2);
    let c = 0;
    if (ASC_FEATURE_SIMD) {
      const sv = f32x4.splat(s);
      for (; c + 4 <= len; c += 4) {
        const p = row + (<usize>c << 2);
        v128.store(p, f32x4.mul(v128.load(p), sv));
      }
    }
    for (; c < len; c++) {
      const p = row + (<usize>c << 2);
      store<f32>(p, load<f32>(p) * s);
    }
  }
}

/** 2×2 max-pool, stride 2, 'valid': y[c][py][px][:] over x[c][2py..2py+1][2px..2px+1][:]; y is c × h/2 × w/2 × m. */
export function maxPool2x2(channels: i32, h: i32, w: i32, m: i32, x: usize, y: usize): void {
  const oh = h >> 1;
  const ow = w >> 1;
  const pixel = <usize>m << 2;
  const inRow = <usize>w * pixel;
  for (let c = 0; c < channels; c++) {
    for (let py = 0; py < oh; py++) {
      const top = x + (<usize>(c * h + 2 * py) * <usize>w) * pixel;
      const out = y + (<usize>(c * oh + py) * <usize>ow) * pixel;
      for (let px = 0; px < ow; px++) {
        const p00 = top + <usize>(2 * px) * pixel;
        const p01 = p00 + pixel;
        const p10 = p00 + inRow;
        const p11 = p10 + pixel;
        const q = out + <usize>px * pixel;
        let b = 0;
        if (ASC_FEATURE_SIMD) {
          for (; b + 4 <= m; b += 4) {
            const o = <usize>b << 2;
            const top2 = f32x4.max(v128.load(p00 + o), v128.load(p01 + o));
            const bottom2 = f32x4.max(v128.load(p10 + o), v128.load(p11 + o));
            v128.store(q + o, f32x4.max(top2, bottom2));
          }
        }
        for (; b < m; b++) {
          const o = <usize>b << 2;
          store<f32>(q + o, max(max(load<f32>(p00 + o), load<f32>(p01 + o)), max(load<f32>(p10 + o), load<f32>(p11 + o))));
        }
      }
    }
  }
}

/**
 * Max-pool backward: dx (c × h × w × m, fully overwritten) gets dy at the first position of each window, in row
 * order, that equals the window's maximum y (PyTorch's choice on ties); uncovered rows/columns get 0. With `relu`
 * (x is a ReLU's output), the ReLU's backward is applied too: dy passes only where the maximum is > 0, which is
 * reluBackward over dx bit for bit (the other positions are 0 either way), without its pass over c·h·w·m floats.
 * With `sums` (≠ 0), sums[c] = Σ dx[c] (the bias gradient of the layer before, which rowSums would read dx for),
 * added up window by window from the routed values (float rounding differs from rowSums' order).
 */
export function maxPool2x2Backward(channels: i32, h: i32, w: i32, m: i32, x: usize, y: usize, dy: usize, dx: usize, relu: bool, sums: usize): void {
  // The vector loop stores all four positions of every window: zero first only where something is left uncovered.
  if (!ASC_FEATURE_SIMD || (m & 3) != 0 || (h & 1) != 0 || (w & 1) != 0) memory.fill(dx, 0, <usize>(channels * h * w * m) << 2);
  const oh = h >> 1;
  const ow = w >> 1;
  const pixel = <usize>m << 2;
  const inRow = <usize>w * pixel;
  const vectorEnd = ASC_FEATURE_SIMD ? m & ~3 : 0;
  for (let c = 0; c < channels; c++) {
    let sum: f32 = 0;
    for (let py = 0; py < oh; py++) {
      const rowOffset = (<usize>(c * h + 2 * py) * <usize>w) * pixel;
      const outOffset = (<usize>(c * oh + py) * <usize>ow) * pixel;
      if (ASC_FEATURE_SIMD) {
        let acc = f32x4.splat(0);
        for (let px = 0; px < ow; px++) {
          const o00 = rowOffset + <usize>(2 * px) * pixel;
          const o01 = o00 + pixel;
          const o10 = o00 + inRow;
          const o11 = o10 + pixel;
          const q = outOffset + <usize>px * pixel;
          for (let b = 0; b < vectorEnd; b += 4) {
            const o = <usize>b << 2;
            const top = load<v128>(y + q + o);
            let g = load<v128>(dy + q + o);
            if (relu) g = v128.and(g, f32x4.gt(top, f32x4.splat(0)));
            const e00 = f32x4.eq(v128.load(x + o00 + o), top);
            let taken = e00;
            const e01 = v128.andnot(f32x4.eq(v128.load(x + o01 + o), top), taken);
            taken = v128.or(taken, e01);
            const e10 = v128.andnot(f32x4.eq(v128.load(x + o10 + o), top), taken);
            taken = v128.or(taken, e10);
            const e11 = v128.andnot(f32x4.eq(v128.load(x + o11 + o), top), taken);
            if (sums != 0) acc = f32x4.add(acc, v128.and(g, v128.or(taken, e11)));
            v128.store(dx + o00 + o, v128.and(g, e00));
            v128.store(dx + o01 + o, v128.and(g, e01));
            v128.store(dx + o10 + o, v128.and(g, e10));
            v128.store(dx + o11 + o, v128.and(g, e11));
          }
        }
        sum += hsum(acc);
      }
      if (vectorEnd == m) continue;
      for (let px = 0; px < ow; px++) {
        const o00 = rowOffset + <usize>(2 * px) * pixel;
        const o01 = o00 + pixel;
        const o10 = o00 + inRow;
        const o11 = o10 + pixel;
        const q = outOffset + <usize>px * pixel;
        for (let b = vectorEnd; b < m; b++) {
          const o = <usize>b << 2;
          const top = load<f32>(y + q + o);
          const g: f32 = relu && !(top > 0) ? 0 : load<f32>(dy + q + o);
          let at: usize = 0;
          if (load<f32>(x + o00 + o) == top) at = o00;
          else if (load<f32>(x + o01 + o) == top) at = o01;
          else if (load<f32>(x + o10 + o) == top) at = o10;
          else if (load<f32>(x + o11 + o) == top) at = o11;
          else continue;
          store<f32>(dx + at + o, g);
          sum += g;
        }
      }
    }
    if (sums != 0) store<f32>(sums + (<usize>c << 2), sum);
  }
}

/** A max-pool window's position code: no position equals the maximum (NaN). */
const NO_POSITION: u8 = 8;
/** Added to a position code when the window's maximum is > 0 (what a ReLU before the pool lets through). */
const POSITIVE: u8 = 4;

/**
 * Stores the maximum of four vectors of a window (rows p00 p01 / p10 p11) at q and returns its position codes as
 * i32 lanes: 3 + 2·[top row holds it] + [left of that row holds it] (masks are −1), i.e. the first position in
 * row order; + POSITIVE when it is > 0; + NO_POSITION when it is NaN. SIMD only.
 */
@inline function poolCode(p00: usize, p01: usize, p10: usize, p11: usize, q: usize): v128 {
  const v00 = v128.load(p00);
  const v10 = v128.load(p10);
  const t = f32x4.max(v00, v128.load(p01));
  const b = f32x4.max(v10, v128.load(p11));
  const mx = f32x4.max(t, b);
  v128.store(q, mx);
  const top = f32x4.eq(t, mx);
  const left = v128.bitselect(f32x4.eq(v00, t), f32x4.eq(v10, b), top);
  let code = i32x4.add(i32x4.add(i32x4.splat(3), i32x4.add(top, top)), left);
  code = v128.or(code, v128.and(f32x4.gt(mx, f32x4.splat(0)), i32x4.splat(POSITIVE)));
  return v128.or(code, v128.andnot(i32x4.splat(NO_POSITION), f32x4.eq(mx, mx)));
}

/**
 * maxPool2x2 that also records, per output value, which window position the backward routes to: at[c][py][px][b]
 * (one byte) = 0..3 for the first position in row order equal to the maximum (as maxPool2x2Backward picks it),
 * NO_POSITION when none does, plus POSITIVE when the maximum is > 0. The backward (maxPool2x2BackwardAt) then reads
 * one byte and dy per output value instead of the pool's input and output.
 */
export function maxPool2x2Argmax(channels: i32, h: i32, w: i32, m: i32, x: usize, y: usize, at: usize): void {
  const oh = h >> 1;
  const ow = w >> 1;
  const pixel = <usize>m << 2;
  const inRow = <usize>w * pixel;
  const vectorEnd = ASC_FEATURE_SIMD ? m & ~3 : 0;
  for (let c = 0; c < channels; c++) {
    for (let py = 0; py < oh; py++) {
      const top = x + (<usize>(c * h + 2 * py) * <usize>w) * pixel;
      const outIndex = <usize>(c * oh + py) * <usize>ow;
      for (let px = 0; px < ow; px++) {
        const p00 = top + <usize>(2 * px) * pixel;
        const p01 = p00 + pixel;
        const p10 = p00 + inRow;
        const p11 = p10 + pixel;
        const q = y + (outIndex + <usize>px) * pixel;
        const a = at + (outIndex + <usize>px) * <usize>m;
        if (ASC_FEATURE_SIMD) {
          let b = 0;
          // Sixteen values at a time: their codes narrow into one 16-byte store.
          for (; b + 16 <= vectorEnd; b += 16) {
            const o = <usize>b << 2;
            const c0 = poolCode(p00 + o, p01 + o, p10 + o, p11 + o, q + o);
            const c1 = poolCode(p00 + o + 16, p01 + o + 16, p10 + o + 16, p11 + o + 16, q + o + 16);
            const c2 = poolCode(p00 + o + 32, p01 + o + 32, p10 + o + 32, p11 + o + 32, q + o + 32);
            const c3 = poolCode(p00 + o + 48, p01 + o + 48, p10 + o + 48, p11 + o + 48, q + o + 48);
            v128.store(a + <usize>b, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(c0, c1), i16x8.narrow_i32x4_u(c2, c3)));
          }
          for (; b < vectorEnd; b += 4) {
            const o = <usize>b << 2;
            const code = poolCode(p00 + o, p01 + o, p10 + o, p11 + o, q + o);
            const narrow = i16x8.narrow_i32x4_u(code, code);
            v128.store32_lane(a + <usize>b, i8x16.narrow_i16x8_u(narrow, narrow), 0);
          }
        }
        for (let b = vectorEnd; b < m; b++) {
          const o = <usize>b << 2;
          const v00 = load<f32>(p00 + o);
          const v01 = load<f32>(p01 + o);
          const v10 = load<f32>(p10 + o);
          const v11 = load<f32>(p11 + o);
          const mx = max(max(v00, v01), max(v10, v11));
          store<f32>(q + o, mx);
          let code: u8 = v00 == mx ? 0 : v01 == mx ? 1 : v10 == mx ? 2 : v11 == mx ? 3 : NO_POSITION;
          if (mx > 0) code |= POSITIVE;
          store<u8>(a + <usize>b, code);
        }
      }
    }
  }
}

/**
 * maxPool2x2Backward from maxPool2x2Argmax's position codes instead of the pool's input and output: the same dx
 * (bit for bit), `relu` and `sums` as there.
 */
export function maxPool2x2BackwardAt(channels: i32, h: i32, w: i32, m: i32, at: usize, dy: usize, dx: usize, relu: bool, sums: usize): void {
  if (!ASC_FEATURE_SIMD || (m & 3) != 0 || (h & 1) != 0 || (w & 1) != 0) memory.fill(dx, 0, <usize>(channels * h * w * m) << 2);
  const oh = h >> 1;
  const ow = w >> 1;
  const pixel = <usize>m << 2;
  const inRow = <usize>w * pixel;
  const vectorEnd = ASC_FEATURE_SIMD ? m & ~3 : 0;
  const keep: i32 = relu ? POSITIVE : 0;
  for (let c = 0; c < channels; c++) {
    let sum: f32 = 0;
    for (let py = 0; py < oh; py++) {
      const rowOffset = (<usize>(c * h + 2 * py) * <usize>w) * pixel;
      const outIndex = <usize>(c * oh + py) * <usize>ow;
      if (ASC_FEATURE_SIMD) {
        let acc = f32x4.splat(0);
        const position = i32x4.splat(3);
        const need = i32x4.splat(keep);
        for (let px = 0; px < ow; px++) {
          const o00 = dx + rowOffset + <usize>(2 * px) * pixel;
          const o01 = o00 + pixel;
          const o10 = o00 + inRow;
          const o11 = o10 + pixel;
          const q = dy + (outIndex + <usize>px) * pixel;
          const a = at + (outIndex + <usize>px) * <usize>m;
          for (let b = 0; b < vectorEnd; b += 4) {
            const o = <usize>b << 2;
            const code = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(a + <usize>b)));
            let g = load<v128>(q + o);
            if (relu) g = v128.and(g, i32x4.eq(v128.and(code, need), need));
            // Codes ≥ 8 (no position) match none of 0..3.
            const k = v128.and(code, position);
            const routed = v128.and(g, i32x4.lt_u(code, i32x4.splat(NO_POSITION)));
            if (sums != 0) acc = f32x4.add(acc, routed);
            v128.store(o00 + o, v128.and(routed, i32x4.eq(k, i32x4.splat(0))));
            v128.store(o01 + o, v128.and(routed, i32x4.eq(k, i32x4.splat(1))));
            v128.store(o10 + o, v128.and(routed, i32x4.eq(k, i32x4.splat(2))));
            v128.store(o11 + o, v128.and(routed, i32x4.eq(k, position)));
          }
        }
        sum += hsum(acc);
      }
      if (vectorEnd == m) continue;
      for (let px = 0; px < ow; px++) {
        const o00 = dx + rowOffset + <usize>(2 * px) * pixel;
        const q = dy + (outIndex + <usize>px) * pixel;
        const a = at + (outIndex + <usize>px) * <usize>m;
        for (let b = vectorEnd; b < m; b++) {
          const code = load<u8>(a + <usize>b);
          if (code >= NO_POSITION) continue;
          const o = <usize>b << 2;
          const g: f32 = relu && (code & POSITIVE) == 0 ? 0 : load<f32>(q + o);
          const k = code & 3;
          store<f32>(o00 + ((k & 2) != 0 ? inRow : 0) + ((k & 1) != 0 ? pixel : 0) + o, g);
          sum += g;
        }
      }
    }
    if (sums != 0) store<f32>(sums + (<usize>c << 2), sum);
  }
}
