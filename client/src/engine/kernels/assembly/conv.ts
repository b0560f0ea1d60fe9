// @ts-nocheck -- AssemblyScript source (compiled by asc, see ../build.mjs); the TypeScript checker cannot type it.
// Direct sparse convolution, stride 1, batch-innermost activations [C][H][W][M]. The caller zero-pads the input
// (padPlanes) so that every tap of every output pixel is valid. Then one output row (W·M floats) is contiguous,
// and so is the input run each tap reads, at a fixed offset from the row: an output row is one SpMM row of length
// L = W·M, vectorised 16 floats at a time with no border cases. `offs[j]` is the float offset of entry j inside the
// padded input (channel plane + tap shift), set up by the TS side, which also flips taps for backward-data.
import { dot, dot4, Packed, reduce4, Strided, tile4x8 } from './common';

/** dst[c][top + y][left + x][:] = src[c][y][x][:], zeros elsewhere; dst is channels × hp × wp × m. */
export function padPlanes(channels: i32, h: i32, w: i32, m: i32, top: i32, left: i32, hp: i32, wp: i32, src: usize, dst: usize): void {
  // Only the border is zeroed: filling the whole plane first would write the copied part twice.
  const run = <usize>(w * m) << 2;
  const pixel = <usize>m << 2;
  const padRow = <usize>wp * pixel;
  const leftBytes = <usize>left * pixel;
  const rightBytes = <usize>(wp - left - w) * pixel;
  const bottom = hp - top - h;
  for (let c = 0; c < channels; c++) {
    const plane = dst + <usize>(c * hp) * padRow;
    memory.fill(plane, 0, <usize>top * padRow);
    for (let y = 0; y < h; y++) {
      const row = plane + <usize>(y + top) * padRow;
      memory.fill(row, 0, leftBytes);
      memory.copy(row + leftBytes, src + (<usize>((c * h + y) * w * m) << 2), run);
      memory.fill(row + leftBytes + run, 0, rightBytes);
    }
    memory.fill(plane + <usize>(top + h) * padRow, 0, <usize>bottom * padRow);
  }
}

/**
 * Y[o][py][:] = Σ_j values[j]·Xpad[py·inRow + offs[j] + :] over output rows py < oh, L floats per row;
 * output planes are oh·L floats, inRow is the padded input row length in floats. With `epilogue`, the sums get
 * bias[o] (0 when bias is 0) and the ReLU before they are stored (rowEpilogue's operations, so the same bits).
 */
export function convCsr(
  rows: i32, oh: i32, len: i32, inRow: i32, rowPtr: usize, offs: usize, values: usize, x: usize, y: usize, epilogue: bool, bias: usize, relu: bool,
): void {
  const planeBytes = <usize>(oh * len) << 2;
  const rowBytes = <usize>len << 2;
  for (let py = 0; py < oh; py++) {
    const xRow = x + (<usize>(py * inRow) << 2);
    for (let o = 0; o < rows; o++) {
      const start = load<i32>(rowPtr + (<usize>o << 2));
      const end = load<i32>(rowPtr + (<usize>o << 2), 4);
      const yRow = y + <usize>o * planeBytes + <usize>py * rowBytes;
      convCsrRow(start, end, len, offs, values, xRow, yRow, epilogue, bias == 0 ? 0 : load<f32>(bias + (<usize>o << 2)), relu);
    }
  }
}

/** One output row of convCsr: yRow[:] = Σ_{start ≤ j < end} values[j]·xRow[offs[j] + :], len floats. */
@inline function convCsrRow(start: i32, end: i32, len: i32, offs: usize, values: usize, xRow: usize, yRow: usize, epilogue: bool, b: f32, relu: bool): void {
  let c = 0;
  if (ASC_FEATURE_SIMD) {
    const bv = f32x4.splat(b);
    for (; c + 32 <= len; c += 32) {
      const off = <usize>c << 2;
      let a0 = f32x4.splat(0);
      let a1 = a0;
      let a2 = a0;
      let a3 = a0;
      let a4 = a0;
      let a5 = a0;
      let a6 = a0;
      let a7 = a0;
      for (let j = start; j < end; j++) {
        const jo = <usize>j << 2;
        const w = v128.load32_splat(values + jo);
        const p = xRow + (<usize>load<i32>(offs + jo) << 2) + off;
        a0 = f32x4.add(a0, f32x4.mul(w, v128.load(p)));
        a1 = f32x4.add(a1, f32x4.mul(w, v128.load(p, 16)));
        a2 = f32x4.add(a2, f32x4.mul(w, v128.load(p, 32)));
        a3 = f32x4.add(a3, f32x4.mul(w, v128.load(p, 48)));
        a4 = f32x4.add(a4, f32x4.mul(w, v128.load(p, 64)));
        a5 = f32x4.add(a5, f32x4.mul(w, v128.load(p, 80)));
        a6 = f32x4.add(a6, f32x4.mul(w, v128.load(p, 96)));
        a7 = f32x4.add(a7, f32x4.mul(w, v128.load(p, 112)));
      }
      v128.store(yRow + off, post(a0, epilogue, bv, relu));
      v128.store(yRow + off, post(a1, epilogue, bv, relu), 16);
      v128.store(yRow + off, post(a2, epilogue, bv, relu), 32);
      v128.store(yRow + off, post(a3, epilogue, bv, relu), 48);
      v128.store(yRow + off, post(a4, epilogue, bv, relu), 64);
      v128.store(yRow + off, post(a5, epilogue, bv, relu), 80);
      v128.store(yRow + off, post(a6, epilogue, bv, relu), 96);
      v128.store(yRow + off, post(a7, epilogue, bv, relu), 112);
    }
    for (; c + 16 <= len; c += 16) {
      const off = <usize>c << 2;
      let a0 = f32x4.splat(0);
      let a1 = a0;
      let a2 = a0;
      let a3 = a0;
      for (let j = start; j < end; j++) {
        const jo = <usize>j << 2;
        const w = v128.load32_splat(values + jo);
        const p = xRow + (<usize>load<i32>(offs + jo) << 2) + off;
        a0 = f32x4.add(a0, f32x4.mul(w, v128.load(p)));
        a1 = f32x4.add(a1, f32x4.mul(w, v128.load(p, 16)));
        a2 = f32x4.add(a2, f32x4.mul(w, v128.load(p, 32)));
        a3 = f32x4.add(a3, f32x4.mul(w, v128.load(p, 48)));
      }
      v128.store(yRow + off, post(a0, epilogue, bv, relu));
      v128.store(yRow + off, post(a1, epilogue, bv, relu), 16);
      v128.store(yRow + off, post(a2, epilogue, bv, relu), 32);
      v128.store(yRow + off, post(a3, epilogue, bv, relu), 48);
    }
    for (; c + 4 <= len; c += 4) {
      const off = <usize>c << 2;
      let a0 = f32x4.splat(0);
      for (let j = start; j < end; j++) {
        const jo = <usize>j << 2;
        const p = xRow + (<usize>load<i32>(offs + jo) << 2) + off;
        a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(values + jo), v128.load(p)));
      }
      v128.store(yRow + off, post(a0, epilogue, bv, relu));
    }
  }
  for (; c < len; c++) {
    const off = <usize>c << 2;
    let s: f32 = 0;
    for (let j = start; j < end; j++) {
      const jo = <usize>j << 2;
      s += load<f32>(values + jo) * load<f32>(xRow + (<usize>load<i32>(offs + jo) << 2) + off);
    }
    if (epilogue) {
      s += b;
      if (relu && s < 0) s = 0;
    }
    store<f32>(yRow + off, s);
  }
}

/** rowEpilogue's operations on a vector of sums (identity without `epilogue`). SIMD only. */
@inline function post(a: v128, epilogue: bool, bv: v128, relu: bool): v128 {
  if (!epilogue) return a;
  const v = f32x4.add(a, bv);
  return relu ? f32x4.max(v, f32x4.splat(0)) : v;
}

/**
 * y[:] = max(y[:] + b, 0) (without the max when !relu), len floats: rowAffine's operations with no scale (its
 * ·1 is exact), so fusing it into a conv's row loop leaves the results bit for bit as they were.
 */
@inline function rowEpilogue(row: usize, len: i32, b: f32, relu: bool): void {
  let c = 0;
  if (ASC_FEATURE_SIMD) {
    const zero = f32x4.splat(0);
    const bv = f32x4.splat(b);
    for (; c + 4 <= len; c += 4) {
      const p = row + (<usize>c << 2);
      let v = f32x4.add(v128.load(p), bv);
      if (relu) v = f32x4.max(v, zero);
      v128.store(p, v);
    }
  }
  for (; c < len; c++) {
    const p = row + (<usize>c << 2);
    let v = load<f32>(p) + b;
    if (relu && v < 0) v = 0;
    store<f32>(p, v);
  }
}

/**
 * Pattern kernels: kernel k of filter o reads input plane base kOff[k] at the four tap offsets of its pattern
 * (patOff[4p + t]) with values[4k + t]; one index lookup serves four taps.
 */
export function convPattern(
  rows: i32, oh: i32, len: i32, inRow: i32, kernelPtr: usize, kOff: usize, kPat: usize, patOff: usize, values: usize, x: usize, y: usize,
): void {
  const planeBytes = <usize>(oh * len) << 2;
  const rowBytes = <usize>len << 2;
  for (let o = 0; o < rows; o++) {
    const start = load<i32>(kernelPtr + (<usize>o << 2));
    const end = load<i32>(kernelPtr + (<usize>o << 2), 4);
    for (let py = 0; py < oh; py++) {
      const xRow = x + (<usize>(py * inRow) << 2);
      const yRow = y + <usize>o * planeBytes + <usize>py * rowBytes;
      let c = 0;
      if (ASC_FEATURE_SIMD) {
        for (; c + 16 <= len; c += 16) {
          const off = <usize>c << 2;
          let a0 = f32x4.splat(0);
          let a1 = a0;
          let a2 = a0;
          let a3 = a0;
          for (let k = start; k < end; k++) {
            const base = xRow + (<usize>load<i32>(kOff + (<usize>k << 2)) << 2) + off;
            const taps = patOff + (<usize>load<i32>(kPat + (<usize>k << 2)) << 4);
            const wk = values + (<usize>k << 4);
            for (let t: usize = 0; t < 16; t += 4) {
              const w = v128.load32_splat(wk + t);
              const p = base + (<usize>load<i32>(taps + t) << 2);
              a0 = f32x4.add(a0, f32x4.mul(w, v128.load(p)));
              a1 = f32x4.add(a1, f32x4.mul(w, v128.load(p, 16)));
              a2 = f32x4.add(a2, f32x4.mul(w, v128.load(p, 32)));
              a3 = f32x4.add(a3, f32x4.mul(w, v128.load(p, 48)));
            }
          }
          v128.store(yRow + off, a0);
          v128.store(yRow + off, a1, 16);
          v128.store(yRow + off, a2, 32);
          v128.store(yRow + off, a3, 48);
        }
      }
      for (; c < len; c++) {
        const off = <usize>c << 2;
        let s: f32 = 0;
        for (let k = start; k < end; k++) {
          const base = xRow + (<usize>load<i32>(kOff + (<usize>k << 2)) << 2) + off;
          const taps = patOff + (<usize>load<i32>(kPat + (<usize>k << 2)) << 4);
          const wk = values + (<usize>k << 4);
          for (let t: usize = 0; t < 16; t += 4) s += load<f32>(wk + t) * load<f32>(base + (<usize>load<i32>(taps + t) << 2));
        }
        store<f32>(yRow + off, s);
      }
    }
  }
}

/** 4×1 blocks over filters: output channels 4g..4g+3 share every input load (4 channels × 8 floats in registers). */
export function convBlock4(groups: i32, oh: i32, len: i32, inRow: i32, groupPtr: usize, offs: usize, values: usize, x: usize, y: usize): void {
  const planeBytes = <usize>(oh * len) << 2;
  const rowBytes = <usize>len << 2;
  for (let g = 0; g < groups; g++) {
    const start = load<i32>(groupPtr + (<usize>g << 2));
    const end = load<i32>(groupPtr + (<usize>g << 2), 4);
    for (let py = 0; py < oh; py++) {
      const xRow = x + (<usize>(py * inRow) << 2);
      const y0 = y + <usize>(g << 2) * planeBytes + <usize>py * rowBytes;
      const y1 = y0 + planeBytes;
      const y2 = y1 + planeBytes;
      const y3 = y2 + planeBytes;
      let c = 0;
      if (ASC_FEATURE_SIMD) {
        for (; c + 8 <= len; c += 8) {
          tile4x8<Packed>(end - start, offs + (<usize>start << 2), xRow, 4, <usize>c << 2, values + (<usize>start << 4), 16, 4, y0, y1, y2, y3, false);
        }
      }
      for (; c < len; c++) {
        const off = <usize>c << 2;
        let s0: f32 = 0;
        let s1: f32 = 0;
        let s2: f32 = 0;
        let s3: f32 = 0;
        for (let b = start; b < end; b++) {
          const v = load<f32>(xRow + (<usize>load<i32>(offs + (<usize>b << 2)) << 2) + off);
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
}

/**
 * Weight gradient at the stored entries (SDDMM): out[j] = Σ_py dY[row[j]][py][:] · Xpad[py·inRow + offs[j] + :].
 * Runs of four consecutive entries of the same row share the dY loads.
 */
export function convSddmm(n: i32, oh: i32, len: i32, inRow: i32, entryRow: usize, offs: usize, x: usize, dy: usize, out: usize): void {
  const planeBytes = <usize>(oh * len) << 2;
  const rowBytes = <usize>len << 2;
  const inRowBytes = <usize>inRow << 2;
  let j = 0;
  while (j < n) {
    const jo = <usize>j << 2;
    const o = load<i32>(entryRow + jo);
    const dyPlane = dy + <usize>o * planeBytes;
    if (j + 4 <= n && load<i32>(entryRow + jo, 12) == o && load<i32>(entryRow + jo, 4) == o && load<i32>(entryRow + jo, 8) == o) {
      const x0 = x + (<usize>load<i32>(offs + jo) << 2);
      const x1 = x + (<usize>load<i32>(offs + jo, 4) << 2);
      const x2 = x + (<usize>load<i32>(offs + jo, 8) << 2);
      const x3 = x + (<usize>load<i32>(offs + jo, 12) << 2);
      memory.fill(out + jo, 0, 16);
      for (let py = 0; py < oh; py++) {
        const shift = <usize>py * inRowBytes;
        dot4(dyPlane + <usize>py * rowBytes, x0 + shift, x1 + shift, x2 + shift, x3 + shift, len, out + jo, true);
      }
      j += 4;
      continue;
    }
    const xj = x + (<usize>load<i32>(offs + jo) << 2);
    let s: f32 = 0;
    for (let py = 0; py < oh; py++) s += dot(dyPlane + <usize>py * rowBytes, xj + <usize>py * inRowBytes, len);
    store<f32>(out + jo, s);
    j++;
  }
}

/** 4×1-block weight gradient: out[4b + r] = Σ_py dY[4g + r][py][:] · Xpad[py·inRow + offs[b] + :]; X loaded once. */
export function convSddmmBlock4(groups: i32, oh: i32, len: i32, inRow: i32, groupPtr: usize, offs: usize, x: usize, dy: usize, out: usize): void {
  const planeBytes = <usize>(oh * len) << 2;
  const rowBytes = <usize>len << 2;
  const inRowBytes = <usize>inRow << 2;
  for (let g = 0; g < groups; g++) {
    const start = load<i32>(groupPtr + (<usize>g << 2));
    const end = load<i32>(groupPtr + (<usize>g << 2), 4);
    const d0 = dy + <usize>(g << 2) * planeBytes;
    for (let b = start; b < end; b++) {
      const xb = x + (<usize>load<i32>(offs + (<usize>b << 2)) << 2);
      const o = out + (<usize>b << 4);
      memory.fill(o, 0, 16);
      for (let py = 0; py < oh; py++) {
        const d = d0 + <usize>py * rowBytes;
        dot4(xb + <usize>py * inRowBytes, d, d + planeBytes, d + 2 * planeBytes, d + 3 * planeBytes, len, o, true);
      }
    }
  }
}

/**
 * A conv whose every weight is stored (a full mask), row-major [out][inner] with inner = in·taps: the same sums as
 * convCsr with a dense rowPtr, in the same order, but four filters share each input load (tile4x8) and the column
 * offsets `offs` (inner of them) are shared by every filter instead of read per entry. `epilogue` as in convCsr.
 */
export function convDense(
  rows: i32, oh: i32, len: i32, inRow: i32, inner: i32, offs: usize, values: usize, x: usize, y: usize, epilogue: bool, bias: usize, relu: bool,
): void {
  const planeBytes = <usize>(oh * len) << 2;
  const rowBytes = <usize>len << 2;
  const wRow = <usize>inner << 2;
  let o = 0;
  if (ASC_FEATURE_SIMD) {
    for (; o + 4 <= rows; o += 4) {
      const w = values + <usize>o * wRow;
      for (let py = 0; py < oh; py++) {
        const xRow = x + (<usize>(py * inRow) << 2);
        const y0 = y + <usize>o * planeBytes + <usize>py * rowBytes;
        let c = 0;
        const b4 = bias == 0 ? 0 : bias + (<usize>o << 2);
        for (; c + 8 <= len; c += 8) {
          tile4x8<Strided>(inner, offs, xRow, 4, <usize>c << 2, w, 4, wRow, y0, y0 + planeBytes, y0 + 2 * planeBytes, y0 + 3 * planeBytes, false, epilogue, b4, relu);
        }
        for (let t = 0; t < 4; t++) {
          const yRow = y0 + <usize>t * planeBytes;
          denseConvRowTail(c, len, inner, offs, w + <usize>t * wRow, xRow, yRow);
          if (epilogue) rowEpilogue(yRow + (<usize>c << 2), len - c, bias == 0 ? 0 : load<f32>(bias + (<usize>(o + t) << 2)), relu);
        }
      }
    }
  }
  for (; o < rows; o++) {
    for (let py = 0; py < oh; py++) {
      const yRow = y + <usize>o * planeBytes + <usize>py * rowBytes;
      denseConvRowTail(0, len, inner, offs, values + <usize>o * wRow, x + (<usize>(py * inRow) << 2), yRow);
      if (epilogue) rowEpilogue(yRow, len, bias == 0 ? 0 : load<f32>(bias + (<usize>o << 2)), relu);
    }
  }
}

/** Columns c0 ≤ c < len of one output row of convDense, four floats at a time and then one (convCsr's order). */
function denseConvRowTail(c0: i32, len: i32, inner: i32, offs: usize, wRow: usize, xRow: usize, yRow: usize): void {
  let c = c0;
  if (ASC_FEATURE_SIMD) {
    for (; c + 4 <= len; c += 4) {
      const off = <usize>c << 2;
      let a0 = f32x4.splat(0);
      for (let j = 0; j < inner; j++) {
        const jo = <usize>j << 2;
        a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(wRow + jo), v128.load(xRow + (<usize>load<i32>(offs + jo) << 2) + off)));
      }
      v128.store(yRow + off, a0);
    }
  }
  for (; c < len; c++) {
    const off = <usize>c << 2;
    let s: f32 = 0;
    for (let j = 0; j < inner; j++) {
      const jo = <usize>j << 2;
      s += load<f32>(wRow + jo) * load<f32>(xRow + (<usize>load<i32>(offs + jo) << 2) + off);
    }
    store<f32>(yRow + off, s);
  }
}

/**
 * Weight gradient of a full-mask conv (every entry, row-major [out][inner]): out[o·inner + k] = Σ_py
 * dY[o][py][:] · Xpad[py·inRow + offs[k] + :]. The register tile is four filters × two columns: each step loads
 * four dY and two X vectors for eight products (the SDDMM's dot4 loads five for four). Rows py run outermost so
 * the four dY rows stay in cache while every column pair reads them; the pairs' vector sums wait in `acc`
 * (inner·64 bytes, the caller's per-call scratch) between rows and are reduced once at the end.
 */
export function convDenseDw(rows: i32, oh: i32, len: i32, inRow: i32, inner: i32, offs: usize, x: usize, dy: usize, out: usize, acc: usize): void {
  const planeBytes = <usize>(oh * len) << 2;
  const rowBytes = <usize>len << 2;
  const inRowBytes = <usize>inRow << 2;
  const pairs = inner >> 1;
  let o = 0;
  if (ASC_FEATURE_SIMD) {
    for (; o + 4 <= rows; o += 4) {
      const d0 = dy + <usize>o * planeBytes;
      const o0 = out + (<usize>(o * inner) << 2);
      const odd = (inner & 1) != 0;
      memory.fill(acc, 0, (<usize>pairs << 7) + (odd ? 64 : 0));
      for (let py = 0; py < oh; py++) {
        const d = d0 + <usize>py * rowBytes;
        if (odd) denseDwColumn(x + (<usize>load<i32>(offs + (<usize>(inner - 1) << 2)) << 2) + <usize>py * inRowBytes, d, planeBytes, len, acc + (<usize>pairs << 7));
        for (let pr = 0; pr < pairs; pr++) {
          const k = pr << 1;
          const pa = x + (<usize>load<i32>(offs + (<usize>k << 2)) << 2) + <usize>py * inRowBytes;
          const pb = x + (<usize>load<i32>(offs + (<usize>k << 2), 4) << 2) + <usize>py * inRowBytes;
          const ap = acc + (<usize>pr << 7);
          let a0 = v128.load(ap);
          let a1 = v128.load(ap, 16);
          let a2 = v128.load(ap, 32);
          let a3 = v128.load(ap, 48);
          let b0 = v128.load(ap, 64);
          let b1 = v128.load(ap, 80);
          let b2 = v128.load(ap, 96);
          let b3 = v128.load(ap, 112);
          for (let c = 0; c + 4 <= len; c += 4) {
            const off = <usize>c << 2;
            const va = v128.load(pa + off);
            const vb = v128.load(pb + off);
            const e0 = v128.load(d + off);
            const e1 = v128.load(d + planeBytes + off);
            const e2 = v128.load(d + 2 * planeBytes + off);
            const e3 = v128.load(d + 3 * planeBytes + off);
            a0 = f32x4.add(a0, f32x4.mul(e0, va));
            b0 = f32x4.add(b0, f32x4.mul(e0, vb));
            a1 = f32x4.add(a1, f32x4.mul(e1, va));
            b1 = f32x4.add(b1, f32x4.mul(e1, vb));
            a2 = f32x4.add(a2, f32x4.mul(e2, va));
            b2 = f32x4.add(b2, f32x4.mul(e2, vb));
            a3 = f32x4.add(a3, f32x4.mul(e3, va));
            b3 = f32x4.add(b3, f32x4.mul(e3, vb));
          }
          v128.store(ap, a0);
          v128.store(ap, a1, 16);
          v128.store(ap, a2, 32);
          v128.store(ap, a3, 48);
          v128.store(ap, b0, 64);
          v128.store(ap, b1, 80);
          v128.store(ap, b2, 96);
          v128.store(ap, b3, 112);
        }
      }
      const step = <usize>inner << 2;
      for (let pr = 0; pr < pairs; pr++) {
        const k = pr << 1;
        const ap = acc + (<usize>pr << 7);
        const xa = x + (<usize>load<i32>(offs + (<usize>k << 2)) << 2);
        const xb = x + (<usize>load<i32>(offs + (<usize>k << 2), 4) << 2);
        const ra = reduce4(v128.load(ap), v128.load(ap, 16), v128.load(ap, 32), v128.load(ap, 48));
        const rb = reduce4(v128.load(ap, 64), v128.load(ap, 80), v128.load(ap, 96), v128.load(ap, 112));
        const kb = <usize>k << 2;
        store<f32>(o0 + kb, f32x4.extract_lane(ra, 0) + denseDwTail(d0, xa, oh, len, rowBytes, inRowBytes));
        store<f32>(o0 + step + kb, f32x4.extract_lane(ra, 1) + denseDwTail(d0 + planeBytes, xa, oh, len, rowBytes, inRowBytes));
        store<f32>(o0 + 2 * step + kb, f32x4.extract_lane(ra, 2) + denseDwTail(d0 + 2 * planeBytes, xa, oh, len, rowBytes, inRowBytes));
        store<f32>(o0 + 3 * step + kb, f32x4.extract_lane(ra, 3) + denseDwTail(d0 + 3 * planeBytes, xa, oh, len, rowBytes, inRowBytes));
        store<f32>(o0 + kb + 4, f32x4.extract_lane(rb, 0) + denseDwTail(d0, xb, oh, len, rowBytes, inRowBytes));
        store<f32>(o0 + step + kb + 4, f32x4.extract_lane(rb, 1) + denseDwTail(d0 + planeBytes, xb, oh, len, rowBytes, inRowBytes));
        store<f32>(o0 + 2 * step + kb + 4, f32x4.extract_lane(rb, 2) + denseDwTail(d0 + 2 * planeBytes, xb, oh, len, rowBytes, inRowBytes));
        store<f32>(o0 + 3 * step + kb + 4, f32x4.extract_lane(rb, 3) + denseDwTail(d0 + 3 * planeBytes, xb, oh, len, rowBytes, inRowBytes));
      }
      if (odd) {
        const k = inner - 1;
        const ap = acc + (<usize>pairs << 7);
        const xk = x + (<usize>load<i32>(offs + (<usize>k << 2)) << 2);
        const r = reduce4(v128.load(ap), v128.load(ap, 16), v128.load(ap, 32), v128.load(ap, 48));
        const kb = <usize>k << 2;
        store<f32>(o0 + kb, f32x4.extract_lane(r, 0) + denseDwTail(d0, xk, oh, len, rowBytes, inRowBytes));
        store<f32>(o0 + step + kb, f32x4.extract_lane(r, 1) + denseDwTail(d0 + planeBytes, xk, oh, len, rowBytes, inRowBytes));
        store<f32>(o0 + 2 * step + kb, f32x4.extract_lane(r, 2) + denseDwTail(d0 + 2 * planeBytes, xk, oh, len, rowBytes, inRowBytes));
        store<f32>(o0 + 3 * step + kb, f32x4.extract_lane(r, 3) + denseDwTail(d0 + 3 * planeBytes, xk, oh, len, rowBytes, inRowBytes));
      }
    }
  }
  for (; o < rows; o++) {
    for (let k = 0; k < inner; k++) {
      const xk = x + (<usize>load<i32>(offs + (<usize>k << 2)) << 2);
      store<f32>(out + (<usize>(o * inner + k) << 2), denseDwEntry(dy + <usize>o * planeBytes, xk, oh, len, rowBytes, inRowBytes));
    }
  }
}

/**
 * The last column of an odd `inner` in convDenseDw: four filters × one column, the four dY rows (planes
 * `planeBytes` apart from d) against X row xRow, vector sums accumulated at acc (64 bytes, one vector per filter).
 */
@inline function denseDwColumn(xRow: usize, d: usize, planeBytes: usize, len: i32, acc: usize): void {
  let a0 = v128.load(acc);
  let a1 = v128.load(acc, 16);
  let a2 = v128.load(acc, 32);
  let a3 = v128.load(acc, 48);
  for (let c = 0; c + 4 <= len; c += 4) {
    const off = <usize>c << 2;
    const v = v128.load(xRow + off);
    a0 = f32x4.add(a0, f32x4.mul(v128.load(d + off), v));
    a1 = f32x4.add(a1, f32x4.mul(v128.load(d + planeBytes + off), v));
    a2 = f32x4.add(a2, f32x4.mul(v128.load(d + 2 * planeBytes + off), v));
    a3 = f32x4.add(a3, f32x4.mul(v128.load(d + 3 * planeBytes + off), v));
  }
  v128.store(acc, a0);
  v128.store(acc, a1, 16);
  v128.store(acc, a2, 32);
  v128.store(acc, a3, 48);
}

/** Σ_py dY-plane row py · X row py at column offsets ≥ len rounded down to 4 (what convDenseDw's vector loop left). */
function denseDwTail(dPlane: usize, xk: usize, oh: i32, len: i32, rowBytes: usize, inRowBytes: usize): f32 {
  const from = len & ~3;
  if (from == len) return 0;
  let s: f32 = 0;
  for (let py = 0; py < oh; py++) {
    const d = dPlane + <usize>py * rowBytes;
    const p = xk + <usize>py * inRowBytes;
    for (let c = from; c < len; c++) s += load<f32>(d + (<usize>c << 2)) * load<f32>(p + (<usize>c << 2));
  }
  return s;
}

/** One weight gradient entry: Σ_py dY-plane row py · X row py, len floats each. */
function denseDwEntry(dPlane: usize, xk: usize, oh: i32, len: i32, rowBytes: usize, inRowBytes: usize): f32 {
  let s: f32 = 0;
  for (let py = 0; py < oh; py++) s += dot(dPlane + <usize>py * rowBytes, xk + <usize>py * inRowBytes, len);
  return s;
}
