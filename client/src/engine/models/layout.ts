// Conversions between the canonical weight layout of the sparse engine (row-major [out, in, kh, kw]) and the
// tfjs layouts: conv filters [kh, kw, in, out], linear kernels [in, out] (= the conv formula with kh = kw = 1).
import { layerSize, type LayerShape } from '../sparse/types.js';

/** The tfjs tensor shape of a layer's weight. */
export function tfWeightShape(shape: LayerShape): number[] {
  return shape.kind === 'linear' ? [shape.in, shape.out] : [shape.kh, shape.kw, shape.in, shape.out];
}

export function tfToCanonical(shape: LayerShape, tfValues: ArrayLike<number>): Float32Array {
  return convert(shape, tfValues, true);
}

export function canonicalToTf(shape: LayerShape, canonical: ArrayLike<number>): Float32Array {
  return convert(shape, canonical, false);
}

function convert(shape: LayerShape, source: ArrayLike<number>, toCanonical: boolean): Float32Array {
  const size = layerSize(shape);
  if (source.length !== size) {
    throw new RangeError(`expected ${size} values for a ${describeShape(shape)} layer, got ${source.length}`);
  }
  const { out, in: inputs, kh, kw } = shape;
  const result = new Float32Array(size);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inputs; i++) {
      for (let r = 0; r < kh; r++) {
        for (let q = 0; q < kw; q++) {
          const canonicalIndex = ((o * inputs + i) * kh + r) * kw + q;
          const tfIndex = ((r * kw + q) * inputs + i) * out + o;
          if (toCanonical) result[canonicalIndex] = source[tfIndex];
          else result[tfIndex] = source[canonicalIndex];
        }
      }
    }
  }
  return result;
}

export function describeShape(shape: LayerShape): string {
  return shape.kind === 'linear' ? `linear ${shape.out}x${shape.in}` : `conv ${shape.out}x${shape.in}x${shape.kh}x${shape.kw}`;
}
