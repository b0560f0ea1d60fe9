// Which canonical positions of a compressed layer are active, kept in whichever form is smaller: one bit per weight,
// or the sorted active indices (uint32) when the layer is sparser than 1/32. The value order of the compressed
// values is derived from it on demand (it is a function of the mask and the format preference), so the storage keeps
// no per-value position list beside the kernels' own index structures.
import type { Mask } from '../../sparse/types.js';

const BITS = 8;
const INDEX_BYTES = 4;

export class ActiveSet {
  private constructor(
    readonly size: number,
    readonly count: number,
    /** One bit per position (LSB first), or undefined when `indices` holds the set. */
    private readonly bits: Uint8Array | undefined,
    private readonly indices: Uint32Array | undefined,
  ) {}

  static fromPositions(size: number, positions: ArrayLike<number>): ActiveSet {
    const count = positions.length;
    if (count * INDEX_BYTES < Math.ceil(size / BITS)) {
      return new ActiveSet(size, count, undefined, Uint32Array.from(positions).sort());
    }
    const bits = new Uint8Array(Math.ceil(size / BITS));
    for (let j = 0; j < count; j++) bits[positions[j] >>> 3] |= 1 << (positions[j] & 7);
    return new ActiveSet(size, count, bits, undefined);
  }

  /** The canonical 0/1 mask (a new array). */
  toMask(): Mask {
    const mask = new Uint8Array(this.size);
    if (this.indices !== undefined) {
      for (const index of this.indices) mask[index] = 1;
      return mask;
    }
    const bits = this.bits as Uint8Array;
    for (let i = 0; i < this.size; i++) mask[i] = (bits[i >>> 3] >>> (i & 7)) & 1;
    return mask;
  }

  /** Bytes this set occupies. */
  get bytes(): number {
    return this.indices !== undefined ? this.indices.byteLength : (this.bits as Uint8Array).byteLength;
  }
}
