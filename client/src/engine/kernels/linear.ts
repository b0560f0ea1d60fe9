// Sparse linear layers on the WASM SIMD kernels. Activations are feature-major in kernel memory: X[in][batch],
// Y[out][batch]. A kernel object uploads one format's structure and values once (rebuild it when the mask changes);
// the optimizer may update `values` in place between steps, since every index keeps the value order fixed.
import type { ChannelCompaction } from './formats/channel.js';
import { transposeFormat } from './formats/entries.js';
import type { ShuffledBlockMatrix } from './formats/shuffled-block.js';
import type { SparseFormat, SparseFormatKind } from './formats/types.js';
import type { KernelRuntime, KernelTask, WasmF32, WasmI32, WasmIndex } from './runtime.js';
import { balancedRanges, evenRanges, type RowRange } from './threads/partition.js';

export interface SparseLinearKernel {
  readonly kind: SparseFormatKind;
  /** Output features (rows of the flattened weight view). */
  readonly rows: number;
  /** Input features (columns of the flattened weight view). */
  readonly cols: number;
  /** Compressed weights in kernel memory, in the format's value order. */
  readonly values: WasmF32;
  /**
   * Y = W·X. `live` (optional, ascending) lists the rows whose outputs are used — an output gate closes the others,
   * so their dY rows are zero too; a kernel may then skip the other rows, leaving their Y, dW entries 0 (the
   * channel-compaction kernel does; the others compute every row).
   */
  forward(x: WasmF32, y: WasmF32, batch: number, live?: WasmI32): void;
  /** dX = Wᵀ·dY. */
  backwardData(dy: WasmF32, dx: WasmF32, batch: number, live?: WasmI32): void;
  /** dW at the stored entries only (SDDMM), written in value order. */
  backwardWeight(x: WasmF32, dy: WasmF32, dValues: WasmF32, batch: number, live?: WasmI32): void;
}

export function createLinearKernel(rt: KernelRuntime, format: SparseFormat): SparseLinearKernel {
  switch (format.kind) {
    case 'csr':
    case 'block4':
      return new RowSparseLinear(rt, format);
    case 'shuffled-block':
      return new ShuffledLinear(rt, format.matrix);
    case 'channel':
      return new ChannelLinear(rt, format.matrix);
    case 'pattern':
      throw new Error('pattern sparsity applies to 3×3 convolutions only; use createConvKernel');
  }
}

export function checkBuffer(name: string, buffer: WasmF32, expected: number): void {
  if (buffer.length !== expected) throw new RangeError(`${name}: expected ${expected} floats, got ${buffer.length}`);
}

function checkBatch(batch: number): void {
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`batch must be a positive integer, got ${batch}`);
}

abstract class LinearBase implements SparseLinearKernel {
  abstract readonly kind: SparseFormatKind;
  abstract readonly values: WasmF32;
  protected constructor(protected readonly rt: KernelRuntime, readonly rows: number, readonly cols: number) {}

  forward(x: WasmF32, y: WasmF32, batch: number, live?: WasmI32): void {
    checkBatch(batch);
    checkBuffer('forward x', x, this.cols * batch);
    checkBuffer('forward y', y, this.rows * batch);
    this.runForward(x, y, batch, this.checkLive(live));
  }

  backwardData(dy: WasmF32, dx: WasmF32, batch: number, live?: WasmI32): void {
    checkBatch(batch);
    checkBuffer('backwardData dy', dy, this.rows * batch);
    checkBuffer('backwardData dx', dx, this.cols * batch);
    this.runBackwardData(dy, dx, batch, this.checkLive(live));
  }

  backwardWeight(x: WasmF32, dy: WasmF32, dValues: WasmF32, batch: number, live?: WasmI32): void {
    checkBatch(batch);
    checkBuffer('backwardWeight x', x, this.cols * batch);
    checkBuffer('backwardWeight dy', dy, this.rows * batch);
    checkBuffer('backwardWeight dValues', dValues, this.values.length);
    this.runBackwardWeight(x, dy, dValues, batch, this.checkLive(live));
  }

  private checkLive(live: WasmI32 | undefined): WasmI32 | undefined {
    if (live === undefined) return undefined;
    if (live.length > this.rows) throw new RangeError(`live rows: ${live.length} of ${this.rows}`);
    const rows = this.rt.i32(live);
    for (let i = 0; i < rows.length; i++) {
      if (rows[i] < 0 || rows[i] >= this.rows || (i > 0 && rows[i] <= rows[i - 1])) throw new RangeError(`live rows must ascend within 0..${this.rows - 1}`);
    }
    return live;
  }

  protected abstract runForward(x: WasmF32, y: WasmF32, batch: number, live: WasmI32 | undefined): void;
  protected abstract runBackwardData(dy: WasmF32, dx: WasmF32, batch: number, live: WasmI32 | undefined): void;
  protected abstract runBackwardWeight(x: WasmF32, dy: WasmF32, dValues: WasmF32, batch: number, live: WasmI32 | undefined): void;
}

/** The transposed CSR index plus its value permutation: backward-data gathers values into it, then multiplies. */
export class TransposedIndex {
  readonly rowPtr: WasmI32;
  readonly colIdx: WasmIndex;
  readonly perm: WasmIndex;
  readonly rows: number;
  /** Per-thread row ranges of the transposed index. */
  readonly ranges: readonly RowRange[];
  private readonly gatherRanges: readonly RowRange[];

  constructor(private readonly rt: KernelRuntime, format: SparseFormat) {
    const t = transposeFormat(format);
    this.rows = t.rows;
    this.rowPtr = rt.uploadI32(t.rowPtr);
    this.colIdx = rt.uploadIndex(t.colIdx, t.cols - 1);
    this.perm = rt.uploadIndex(t.perm, t.perm.length - 1);
    this.ranges = balancedRanges(t.rowPtr, rt.parts);
    this.gatherRanges = evenRanges(t.perm.length, rt.parts, 4);
  }

  /** dX = Wᵀ·dY: `values` (in the format's order) gathered into transposed order, then multiplied, in one pool call. */
  backwardData(values: WasmF32, dy: WasmF32, dx: WasmF32, batch: number): void {
    const rt = this.rt;
    rt.scratch(() => {
      const gathered = rt.allocF32(this.perm.length);
      rt.phased([
        [gatherTask(rt.slices(this.gatherRanges, this.perm.length), this.perm, values, gathered)],
        [
          {
            fn: this.colIdx.type === 'u16' ? 'csrSpmm16' : 'csrSpmm',
            slices: rt.slices(this.ranges, this.perm.length * batch).map(([r0, r1]) => [r1 - r0, batch, this.rowPtr.ptr + 4 * r0, this.colIdx.ptr, gathered.ptr, dy.ptr, dx.ptr + 4 * r0 * batch]),
          },
        ],
      ]);
    });
  }
}

/** The slices of out[e] = src[idx[e]] for e < idx.length, split by `ranges` of e. */
export function gatherTask(ranges: readonly RowRange[], idx: WasmIndex, src: WasmF32, out: WasmF32): KernelTask {
  return idx.type === 'u16'
    ? { fn: 'gatherF32x16', slices: ranges.map(([e0, e1]) => [e1 - e0, idx.ptr + 2 * e0, src.ptr, out.ptr + 4 * e0]) }
    : { fn: 'gatherF32', slices: ranges.map(([e0, e1]) => [e1 - e0, 1, idx.ptr + 4 * e0, src.ptr, out.ptr + 4 * e0]) };
}

/** CSR and 4×1 blocks: both are row-structured; backward-data runs csrSpmm over the transposed index. */
class RowSparseLinear extends LinearBase {
  readonly kind: 'csr' | 'block4';
  readonly values: WasmF32;
  private readonly rowPtr: WasmI32;
  private readonly colIdx: WasmIndex;
  private readonly transposed: TransposedIndex;
  /** Per-thread ranges of rows (csr) or 4-row groups (block4). */
  private readonly ranges: readonly RowRange[];

  constructor(rt: KernelRuntime, format: Extract<SparseFormat, { kind: 'csr' | 'block4' }>) {
    super(rt, format.matrix.rows, format.matrix.cols);
    this.kind = format.kind;
    const ptr = format.kind === 'csr' ? format.matrix.rowPtr : format.matrix.groupPtr;
    this.rowPtr = rt.uploadI32(ptr);
    // 4×1 block kernels read int32 block columns; CSR columns go 16-bit where the layer's width allows.
    this.colIdx = format.kind === 'csr' ? rt.uploadIndex(format.matrix.colIdx, this.cols - 1) : rt.uploadI32(format.matrix.blockCol);
    this.values = rt.uploadF32(format.matrix.values);
    this.transposed = new TransposedIndex(rt, format);
    this.ranges = balancedRanges(ptr, rt.parts);
  }

  /** Rows of one unit of `ranges`: 1 for csr, 4 for a block4 group. */
  private get unitRows(): number {
    return this.kind === 'csr' ? 1 : 4;
  }

  protected runForward(x: WasmF32, y: WasmF32, batch: number): void {
    const fn = this.kind === 'block4' ? 'block4Spmm' : this.colIdx.type === 'u16' ? 'csrSpmm16' : 'csrSpmm';
    const unit = this.unitRows;
    this.rt.parallel(
      fn,
      this.rt.slices(this.ranges, this.values.length * batch).map(([u0, u1]) => [u1 - u0, batch, this.rowPtr.ptr + 4 * u0, this.colIdx.ptr, this.values.ptr, x.ptr, y.ptr + 4 * u0 * unit * batch]),
    );
  }

  protected runBackwardData(dy: WasmF32, dx: WasmF32, batch: number): void {
    this.transposed.backwardData(this.values, dy, dx, batch);
  }

  protected runBackwardWeight(x: WasmF32, dy: WasmF32, dValues: WasmF32, batch: number): void {
    const fn = this.kind === 'block4' ? 'block4Sddmm' : this.colIdx.type === 'u16' ? 'csrSddmm16' : 'csrSddmm';
    const unit = this.unitRows;
    this.rt.parallel(
      fn,
      this.rt.slices(this.ranges, this.values.length * batch).map(([u0, u1]) => [u1 - u0, batch, this.rowPtr.ptr + 4 * u0, this.colIdx.ptr, x.ptr, dy.ptr + 4 * u0 * unit * batch, dValues.ptr]),
    );
  }
}

class ShuffledLinear extends LinearBase {
  readonly kind = 'shuffled-block' as const;
  readonly values: WasmF32;
  private readonly groups: number;
  private readonly blockSize: number;
  private readonly groupRows: WasmI32;
  private readonly groupPtr: WasmI32;
  private readonly blockCols: WasmI32;
  /** Per-thread ranges of row groups (forward and SDDMM; backward-data scatters across groups, so it runs whole). */
  private readonly ranges: readonly RowRange[];

  constructor(rt: KernelRuntime, m: ShuffledBlockMatrix) {
    super(rt, m.rows, m.cols);
    this.groups = m.groupPtr.length - 1;
    this.blockSize = m.blockSize;
    this.groupRows = rt.uploadI32(m.groupRows);
    this.groupPtr = rt.uploadI32(m.groupPtr);
    this.blockCols = rt.uploadI32(m.blockCols);
    this.values = rt.uploadF32(m.values);
    this.ranges = balancedRanges(m.groupPtr, rt.parts);
  }

  /** Arguments of a per-group kernel for groups g0..g1 (group arrays offset; block and row indices stay absolute). */
  private groupSlices(batch: number, last: (g0: number) => number[]): number[][] {
    const bs = this.blockSize;
    return this.rt.slices(this.ranges, this.values.length * batch).map(([g0, g1]) => [g1 - g0, bs, batch, this.groupRows.ptr + 4 * g0 * bs, this.groupPtr.ptr + 4 * g0, this.blockCols.ptr, ...last(g0)]);
  }

  protected runForward(x: WasmF32, y: WasmF32, batch: number): void {
    this.rt.zero(y); // rows outside every group stay 0
    this.rt.parallel('shuffledSpmm', this.groupSlices(batch, () => [this.values.ptr, x.ptr, y.ptr]));
  }

  protected runBackwardData(dy: WasmF32, dx: WasmF32, batch: number): void {
    this.rt.zero(dx);
    this.rt.raw.shuffledSpmmT(this.groups, this.blockSize, batch, this.groupRows.ptr, this.groupPtr.ptr, this.blockCols.ptr, this.values.ptr, dy.ptr, dx.ptr);
  }

  protected runBackwardWeight(x: WasmF32, dy: WasmF32, dValues: WasmF32, batch: number): void {
    this.rt.parallel('shuffledSddmm', this.groupSlices(batch, () => [x.ptr, dy.ptr, dValues.ptr]));
  }
}

/** Channel compaction: a dense SIMD GEMM on the compacted weight, gathering the kept input rows of X. */
class ChannelLinear extends LinearBase {
  readonly kind = 'channel' as const;
  readonly values: WasmF32;
  private readonly width: number;
  private readonly keptCols: WasmI32;
  private readonly outRows: WasmI32;
  private readonly rowRanges: readonly RowRange[];
  private readonly colRanges: readonly RowRange[];

  constructor(rt: KernelRuntime, m: ChannelCompaction) {
    super(rt, m.rows, m.inChannels * m.kernelSize);
    this.width = m.kept.length * m.kernelSize;
    const cols = new Int32Array(this.width);
    for (let j = 0; j < m.kept.length; j++) {
      for (let t = 0; t < m.kernelSize; t++) cols[j * m.kernelSize + t] = m.kept[j] * m.kernelSize + t;
    }
    this.keptCols = rt.uploadI32(cols);
    this.outRows = rt.uploadI32(Int32Array.from({ length: m.rows }, (_, r) => r));
    this.values = rt.uploadF32(m.values);
    this.rowRanges = evenRanges(m.rows, rt.parts, 4);
    this.colRanges = evenRanges(this.width, rt.parts, 4);
  }

  protected runForward(x: WasmF32, y: WasmF32, batch: number, live: WasmI32 | undefined): void {
    const w = this.width;
    if (live !== undefined) {
      this.rt.zero(y); // closed rows
      this.rt.scratch(() => {
        const weights = this.liveWeights(live);
        this.rt.parallel(
          'denseGemm',
          this.rt.slices(evenRanges(live.length, this.rt.parts, 4), weights.length * batch).map(([r0, r1]) => [r1 - r0, w, batch, weights.ptr + 4 * r0 * w, w, 1, this.keptCols.ptr, x.ptr, live.ptr + 4 * r0, y.ptr]),
        );
      });
      return;
    }
    this.rt.parallel(
      'denseGemm',
      this.rt.slices(this.rowRanges, this.values.length * batch).map(([r0, r1]) => [r1 - r0, w, batch, this.values.ptr + 4 * r0 * w, w, 1, this.keptCols.ptr, x.ptr, this.outRows.ptr + 4 * r0, y.ptr]),
    );
  }

  protected runBackwardData(dy: WasmF32, dx: WasmF32, batch: number, live: WasmI32 | undefined): void {
    this.rt.zero(dx); // dropped input channels get no gradient
    this.rt.scratch(() => {
      // Closed rows' dY is zero, so the sum runs over the live rows' weights only.
      const weights = live === undefined ? this.values : this.liveWeights(live);
      const rows = live ?? this.outRows;
      this.rt.parallel(
        'denseGemm',
        this.rt.slices(this.colRanges, weights.length * batch).map(([c0, c1]) => [c1 - c0, rows.length, batch, weights.ptr + 4 * c0, 1, this.width, rows.ptr, dy.ptr, this.keptCols.ptr + 4 * c0, dx.ptr]),
      );
    });
  }

  protected runBackwardWeight(x: WasmF32, dy: WasmF32, dValues: WasmF32, batch: number, live: WasmI32 | undefined): void {
    const w = this.width;
    const rows = live ?? this.outRows;
    this.rt.scratch(() => {
      const out = live === undefined ? dValues : this.rt.allocF32(live.length * w);
      this.rt.parallel(
        'denseDots',
        this.rt.slices(live === undefined ? this.rowRanges : evenRanges(rows.length, this.rt.parts, 4), out.length * batch).map(([r0, r1]) => [r1 - r0, w, batch, dy.ptr, rows.ptr + 4 * r0, x.ptr, this.keptCols.ptr, out.ptr + 4 * r0 * w]),
      );
      if (live === undefined) return;
      // Closed rows get dW = 0 (their dY is zero); the live rows' dots go to their value rows.
      const target = this.rt.f32(dValues);
      const source = this.rt.f32(out);
      const liveRows = this.rt.i32(live);
      target.fill(0);
      for (let i = 0; i < liveRows.length; i++) target.set(source.subarray(i * w, (i + 1) * w), liveRows[i] * w);
    });
  }

  /** The live rows of the compacted weight, gathered into a scratch [live][width] matrix. */
  private liveWeights(live: WasmI32): WasmF32 {
    const weights = this.rt.allocF32(live.length * this.width);
    this.rt.raw.gatherF32(live.length, this.width, live.ptr, this.values.ptr, weights.ptr);
    return weights;
  }
}
