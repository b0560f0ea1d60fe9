// Sparse linear layers on the WASM SIMD kernels. Activations are feature-major in kernel memory: X[in][batch],
// Y[out][batch]. A kernel object uploads one format's structure and values once (rebuild it when the mask changes);
// the optimizer may update `values` in place between steps, since every index keeps the value order fixed.
import type { ChannelCompaction } from './formats/channel.js';
import { transposeFormat } from './formats/entries.js';
import type { ShuffledBlockMatrix } from './formats/shuffled-block.js';
import type { SparseFormat, SparseFormatKind } from './formats/types.js';
import type { KernelRuntime, WasmF32, WasmI32 } from './runtime.js';

export interface SparseLinearKernel {
  readonly kind: SparseFormatKind;
  /** Output features (rows of the flattened weight view). */
  readonly rows: number;
  /** Input features (columns of the flattened weight view). */
  readonly cols: number;
  /** Compressed weights in kernel memory, in the format's value order. */
  readonly values: WasmF32;
  /** Y = W·X. */
  forward(x: WasmF32, y: WasmF32, batch: number): void;
  /** dX = Wᵀ·dY. */
  backwardData(dy: WasmF32, dx: WasmF32, batch: number): void;
  /** dW at the stored entries only (SDDMM), written in value order. */
  backwardWeight(x: WasmF32, dy: WasmF32, dValues: WasmF32, batch: number): void;
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

  forward(x: WasmF32, y: WasmF32, batch: number): void {
    checkBatch(batch);
    checkBuffer('forward x', x, this.cols * batch);
    checkBuffer('forward y', y, this.rows * batch);
    this.runForward(x, y, batch);
  }

  backwardData(dy: WasmF32, dx: WasmF32, batch: number): void {
    checkBatch(batch);
    checkBuffer('backwardData dy', dy, this.rows * batch);
    checkBuffer('backwardData dx', dx, this.cols * batch);
    this.runBackwardData(dy, dx, batch);
  }

  backwardWeight(x: WasmF32, dy: WasmF32, dValues: WasmF32, batch: number): void {
    checkBatch(batch);
    checkBuffer('backwardWeight x', x, this.cols * batch);
    checkBuffer('backwardWeight dy', dy, this.rows * batch);
    checkBuffer('backwardWeight dValues', dValues, this.values.length);
    this.runBackwardWeight(x, dy, dValues, batch);
  }

  protected abstract runForward(x: WasmF32, y: WasmF32, batch: number): void;
  protected abstract runBackwardData(dy: WasmF32, dx: WasmF32, batch: number): void;
  protected abstract runBackwardWeight(x: WasmF32, dy: WasmF32, dValues: WasmF32, batch: number): void;
}

/** The transposed CSR index plus its value permutation, and the per-call gather of values into it. */
export class TransposedIndex {
  readonly rowPtr: WasmI32;
  readonly colIdx: WasmI32;
  readonly perm: WasmI32;
  readonly rows: number;

  constructor(private readonly rt: KernelRuntime, format: SparseFormat) {
    const t = transposeFormat(format);
    this.rows = t.rows;
    this.rowPtr = rt.uploadI32(t.rowPtr);
    this.colIdx = rt.uploadI32(t.colIdx);
    this.perm = rt.uploadI32(t.perm);
  }

  /** Scratch copy of `values` in transposed order (allocate inside a scratch scope). */
  gather(values: WasmF32): WasmF32 {
    const gathered = this.rt.allocF32(this.perm.length);
    this.rt.raw.gatherF32(this.perm.length, 1, this.perm.ptr, values.ptr, gathered.ptr);
    return gathered;
  }
}

/** CSR and 4×1 blocks: both are row-structured; backward-data runs csrSpmm over the transposed index. */
class RowSparseLinear extends LinearBase {
  readonly kind: 'csr' | 'block4';
  readonly values: WasmF32;
  private readonly rowPtr: WasmI32;
  private readonly colIdx: WasmI32;
  private readonly transposed: TransposedIndex;

  constructor(rt: KernelRuntime, format: Extract<SparseFormat, { kind: 'csr' | 'block4' }>) {
    super(rt, format.matrix.rows, format.matrix.cols);
    this.kind = format.kind;
    if (format.kind === 'csr') {
      this.rowPtr = rt.uploadI32(format.matrix.rowPtr);
      this.colIdx = rt.uploadI32(format.matrix.colIdx);
    } else {
      this.rowPtr = rt.uploadI32(format.matrix.groupPtr);
      this.colIdx = rt.uploadI32(format.matrix.blockCol);
    }
    this.values = rt.uploadF32(format.matrix.values);
    this.transposed = new TransposedIndex(rt, format);
  }

  protected runForward(x: WasmF32, y: WasmF32, batch: number): void {
    const raw = this.rt.raw;
    if (this.kind === 'csr') raw.csrSpmm(this.rows, batch, this.rowPtr.ptr, this.colIdx.ptr, this.values.ptr, x.ptr, y.ptr);
    else raw.block4Spmm(this.rows / 4, batch, this.rowPtr.ptr, this.colIdx.ptr, this.values.ptr, x.ptr, y.ptr);
  }

  protected runBackwardData(dy: WasmF32, dx: WasmF32, batch: number): void {
    const t = this.transposed;
    this.rt.scratch(() => {
      const gathered = t.gather(this.values);
      this.rt.raw.csrSpmm(t.rows, batch, t.rowPtr.ptr, t.colIdx.ptr, gathered.ptr, dy.ptr, dx.ptr);
    });
  }

  protected runBackwardWeight(x: WasmF32, dy: WasmF32, dValues: WasmF32, batch: number): void {
    const raw = this.rt.raw;
    if (this.kind === 'csr') raw.csrSddmm(this.rows, batch, this.rowPtr.ptr, this.colIdx.ptr, x.ptr, dy.ptr, dValues.ptr);
    else raw.block4Sddmm(this.rows / 4, batch, this.rowPtr.ptr, this.colIdx.ptr, x.ptr, dy.ptr, dValues.ptr);
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

  constructor(rt: KernelRuntime, m: ShuffledBlockMatrix) {
    super(rt, m.rows, m.cols);
    this.groups = m.groupPtr.length - 1;
    this.blockSize = m.blockSize;
    this.groupRows = rt.uploadI32(m.groupRows);
    this.groupPtr = rt.uploadI32(m.groupPtr);
    this.blockCols = rt.uploadI32(m.blockCols);
    this.values = rt.uploadF32(m.values);
  }

  protected runForward(x: WasmF32, y: WasmF32, batch: number): void {
    this.rt.zero(y); // rows outside every group stay 0
    this.rt.raw.shuffledSpmm(this.groups, this.blockSize, batch, this.groupRows.ptr, this.groupPtr.ptr, this.blockCols.ptr, this.values.ptr, x.ptr, y.ptr);
  }

  protected runBackwardData(dy: WasmF32, dx: WasmF32, batch: number): void {
    this.rt.zero(dx);
    this.rt.raw.shuffledSpmmT(this.groups, this.blockSize, batch, this.groupRows.ptr, this.groupPtr.ptr, this.blockCols.ptr, this.values.ptr, dy.ptr, dx.ptr);
  }

  protected runBackwardWeight(x: WasmF32, dy: WasmF32, dValues: WasmF32, batch: number): void {
    this.rt.raw.shuffledSddmm(this.groups, this.blockSize, batch, this.groupRows.ptr, this.groupPtr.ptr, this.blockCols.ptr, x.ptr, dy.ptr, dValues.ptr);
  }
}

/** Channel compaction: a dense SIMD GEMM on the compacted weight, gathering the kept input rows of X. */
class ChannelLinear extends LinearBase {
  readonly kind = 'channel' as const;
  readonly values: WasmF32;
  private readonly width: number;
  private readonly keptCols: WasmI32;
  private readonly outRows: WasmI32;

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
  }

  protected runForward(x: WasmF32, y: WasmF32, batch: number): void {
    this.rt.raw.denseGemm(this.rows, this.width, batch, this.values.ptr, this.width, 1, this.keptCols.ptr, x.ptr, this.outRows.ptr, y.ptr);
  }

  protected runBackwardData(dy: WasmF32, dx: WasmF32, batch: number): void {
    this.rt.zero(dx); // dropped input channels get no gradient
    this.rt.raw.denseGemm(this.width, this.rows, batch, this.values.ptr, 1, this.width, this.outRows.ptr, dy.ptr, this.keptCols.ptr, dx.ptr);
  }

  protected runBackwardWeight(x: WasmF32, dy: WasmF32, dValues: WasmF32, batch: number): void {
    this.rt.raw.denseDots(this.rows, this.width, batch, dy.ptr, this.outRows.ptr, x.ptr, this.keptCols.ptr, dValues.ptr);
  }
}
