// IEEE 754 binary16 <-> number, for float16 transport of values. Rounds to nearest, ties to even; overflow gives
// ±Infinity, NaN stays NaN, values below half the smallest subnormal become ±0.
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function toHalfBits(value: number): number {
  f32[0] = value;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    // Subnormal half: the 24-bit significand shifted so that one unit is 2^-24.
    return sign | roundShift(mantissa | 0x800000, 14 - halfExponent);
  }
  // A carry out of the mantissa moves into the exponent, which is what rounding up should do (up to Infinity).
  return sign | (((halfExponent << 10) | (mantissa >>> 13)) + roundBit(mantissa, 13, mantissa >>> 13));
}

export function fromHalfBits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

function roundShift(value: number, shift: number): number {
  const kept = value >>> shift;
  return kept + roundBit(value, shift, kept);
}

/** 1 when the `shift` low bits of `value` round the kept part up (more than half, or exactly half and kept odd). */
function roundBit(value: number, shift: number, kept: number): number {
  const rest = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return rest > half || (rest === half && (kept & 1) === 1) ? 1 : 0;
}
