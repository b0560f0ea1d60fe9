// Sparse 2-D convolutions (stride 1, 'same' padding as TensorFlow) on the WASM SIMD kernels, activations
// batch-innermost in kernel memory: X[in][H][W][batch], Y[out][H][W][batch]. Each call zero-pads its input into
// scratch so the kernels have no border cases; backward-data pads dY with the mirrored pads and runs the CSR conv
// kernel over the transposed index with flipped taps. 1×1 kernels are plain linear layers over H·W·batch columns.
import { formatDims, rowEntries, transposeFormat } from './formats/entries.js';
import type { SparseFormat, SparseFormatKind } from './formats/types.js';
import { checkBuffer, createLinearKernel, gatherTask, type SparseLinearKernel } from './linear.js';
import type { ConvGeometry, ConvKernelSize } from './reference/conv.js';
import type { KernelRuntime, KernelTask, WasmF32, WasmI32 } from './runtime.js';
import { balancedRanges, evenRanges, runRanges, type RowRange } from './threads/partition.js';

export type { ConvGeometry, ConvKernelSize } from './reference/conv.js';

export interface SparseConvKernel {
  readonly kind: SparseFormatKind;
  readonly outChannels: number;
  readonly inChannels: number;
  readonly kernel: ConvKernelSize;
  /** Compressed weights in kernel memory, in the format's value order. */
  readonly values: WasmF32;
  /**
   * Y = conv(X); with `epilogue`, kernels that can fuse it add the bias per filter and apply the ReLU to each output
   * row while it is in cache, and return true (false: the caller applies it, as rowAffine).
   */
  forward(x: WasmF32, y: WasmF32, g: ConvGeometry, epilogue?: ConvEpilogue, padded?: WasmF32): boolean;
  backwardData(dy: WasmF32, dx: WasmF32, g: ConvGeometry): void;
  /** dW at the stored entries only (SDDMM), in value order. */
  backwardWeight(x: WasmF32, dy: WasmF32, dValues: WasmF32, g: ConvGeometry, padded?: WasmF32): void;
  /**
   * The zero-padded copy of x that forward and backwardWeight read (allocated here, in the caller's region), or
   * undefined when this kernel reads x as it is. Passed as `padded` to both, it spares each its own copy: a
   * training pass pads a layer's input once instead of twice. The caller keeps it matching x.
   */
  padInput(x: WasmF32, g: ConvGeometry): WasmF32 | undefined;
  /** Bytes of index structures kept in JS memory (outside kernel memory), offset caches included. */
  readonly hostBytes: number;
  /** The mask is full and forward runs the dense tile (no per-entry index reads). */
  readonly dense: boolean;
}

/** Bias per output channel (none: 0) and ReLU, applied to the conv's output. */
export interface ConvEpilogue {
  readonly bias: WasmF32 | undefined;
  readonly relu: boolean;
}

export function createConvKernel(rt: KernelRuntime, format: SparseFormat, kernel: ConvKernelSize): SparseConvKernel {
  const { rows, cols } = formatDims(format);
  const taps = kernel.kh * kernel.kw;
  if (!Number.isInteger(kernel.kh) || !Number.isInteger(kernel.kw) || kernel.kh < 1 || kernel.kw < 1) {
    throw new RangeError(`invalid kernel size ${kernel.kh}×${kernel.kw}`);
  }
  if (cols % taps !== 0) throw new RangeError(`format has ${cols} columns, not a multiple of ${taps} taps`);
  if (taps === 1 && format.kind !== 'pattern') return new PointwiseConv(createLinearKernel(rt, format), kernel);
  return new DirectConv(rt, format, kernel, rows, cols / taps);
}

/** Layout of the zero-padded copy of an input: pads, padded sizes and the float offset of tap (r, q). */
interface Padding {
  readonly top: number;
  readonly left: number;
  readonly hp: number;
  readonly wp: number;
  readonly plane: number;
}

function padding(kernel: ConvKernelSize, g: ConvGeometry, mirrored: boolean): Padding {
  const top = Math.floor((kernel.kh - 1) / 2);
  const left = Math.floor((kernel.kw - 1) / 2);
  const hp = g.height + kernel.kh - 1;
  const wp = g.width + kernel.kw - 1;
  return mirrored
    ? { top: kernel.kh - 1 - top, left: kernel.kw - 1 - left, hp, wp, plane: hp * wp * g.batch }
    : { top, left, hp, wp, plane: hp * wp * g.batch };
}

function checkGeometry(g: ConvGeometry): void {
  for (const [name, v] of Object.entries(g)) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`geometry ${name} must be a positive integer, got ${v}`);
  }
}

class PointwiseConv implements SparseConvKernel {
  readonly kind: SparseFormatKind;
  readonly outChannels: number;
  readonly inChannels: number;
  readonly values: WasmF32;

  readonly hostBytes = 0;
  readonly dense = false;

  constructor(private readonly linear: SparseLinearKernel, readonly kernel: ConvKernelSize) {
    this.kind = linear.kind;
    this.outChannels = linear.rows;
    this.inChannels = linear.cols;
    this.values = linear.values;
  }

  forward(x: WasmF32, y: WasmF32, g: ConvGeometry): boolean {
    checkGeometry(g);
    this.linear.forward(x, y, g.height * g.width * g.batch);
    return false;
  }

  backwardData(dy: WasmF32, dx: WasmF32, g: ConvGeometry): void {
    checkGeometry(g);
    this.linear.backwardData(dy, dx, g.height * g.width * g.batch);
  }

  backwardWeight(x: WasmF32, dy: WasmF32, dValues: WasmF32, g: ConvGeometry): void {
    checkGeometry(g);
    this.linear.backwardWeight(x, dy, dValues, g.height * g.width * g.batch);
  }

  padInput(): undefined {
    return undefined;
  }
}

/**
 * Host-side structure of a format for the direct kernels: only the canonical columns the offsets are derived from
 * (per geometry, cached for the latest geometry of each kind) stay in JS memory after construction.
 */
class DirectConv implements SparseConvKernel {
  readonly kind: SparseFormatKind;
  readonly values: WasmF32;
  private readonly taps: number;
  /** Canonical column per forward entry (generic), per block (block4), or input channel per kernel (pattern). */
  private readonly forwardCols: Int32Array;
  private readonly patterns: Int32Array | undefined;
  private readonly forwardRowPtr: WasmI32;
  private readonly forwardSlots: WasmI32 | undefined;
  private readonly entryRows: WasmI32;
  private readonly entryCols: Int32Array;
  private readonly backRowPtr: WasmI32;
  private readonly backPerm: WasmI32;
  private readonly backEntries: { readonly row: Int32Array; readonly col: Int32Array };
  private readonly patternIds: WasmI32 | undefined;
  private readonly offsetCache = new Map<string, { readonly geometry: string; readonly offsets: Int32Array }>();
  /** Per-thread slices: forward rows (filters, or 4-filter groups for block4), backward-data input channels, SDDMM entries. */
  private readonly forwardRanges: readonly RowRange[];
  private readonly backRanges: readonly RowRange[];
  private readonly entryRanges: readonly RowRange[];
  private readonly gatherRanges: readonly RowRange[];
  /**
   * Every weight is stored (a full mask, e.g. a first layer kept dense), values in canonical order: forward runs the
   * dense tile (convDense) instead of the CSR kernel, with the same sums in the same order. A mask change rebuilds
   * the kernel (LayerBinding.stale), so a layer that loses weights goes back to the CSR path. The weight gradient
   * runs convDenseDw (a 4×2 register tile; its sums are grouped differently from the SDDMM's, float rounding apart).
   */
  readonly dense: boolean;

  constructor(
    private readonly rt: KernelRuntime,
    format: SparseFormat,
    readonly kernel: ConvKernelSize,
    readonly outChannels: number,
    readonly inChannels: number,
  ) {
    this.kind = format.kind;
    this.taps = kernel.kh * kernel.kw;
    this.values = rt.uploadF32(format.matrix.values);
    const entries = rowEntries(format);
    const structural = structuralRows(format);
    this.forwardRowPtr = rt.uploadI32(structural ?? entries.rowPtr);
    this.forwardSlots = structural || entries.identity ? undefined : rt.uploadI32(entries.slot);
    this.patternIds = format.kind === 'pattern' ? rt.uploadI32(format.matrix.kernelPattern) : undefined;
    this.patterns = format.kind === 'pattern' ? format.matrix.patterns : undefined;
    if (format.kind === 'block4') this.forwardCols = format.matrix.blockCol;
    else if (format.kind === 'pattern') this.forwardCols = format.matrix.kernelChannel;
    else this.forwardCols = entries.colIdx;
    // Entries in value order (for the SDDMM, which writes dW straight into value slots).
    const rowsBySlot = new Int32Array(format.matrix.values.length);
    this.entryCols = entries.identity ? entries.colIdx : new Int32Array(format.matrix.values.length);
    if (!entries.identity) for (let j = 0; j < rowsBySlot.length; j++) this.entryCols[entries.slot[j]] = entries.colIdx[j];
    for (let r = 0; r < entries.rows; r++) {
      for (let j = entries.rowPtr[r]; j < entries.rowPtr[r + 1]; j++) rowsBySlot[entries.slot[j]] = r;
    }
    this.entryRows = rt.uploadI32(rowsBySlot);
    this.dense = format.kind === 'csr' && entries.identity && format.matrix.values.length === outChannels * inChannels * this.taps;
    this.forwardRanges = this.dense ? evenRanges(outChannels, rt.parts, 4) : balancedRanges(structural ?? entries.rowPtr, rt.parts);
    this.entryRanges = runRanges(rowsBySlot, rt.parts);
    this.gatherRanges = evenRanges(rowsBySlot.length, rt.parts, 4);
    // Backward-data: transposed index over canonical columns, whose rows i·taps..(i+1)·taps-1 merge per channel.
    const t = transposeFormat(format);
    const channelPtr = new Int32Array(inChannels + 1);
    for (let i = 0; i <= inChannels; i++) channelPtr[i] = t.rowPtr[i * this.taps];
    const col = new Int32Array(t.colIdx.length);
    for (let c = 0; c < t.rows; c++) col.fill(c, t.rowPtr[c], t.rowPtr[c + 1]);
    this.backEntries = { row: t.colIdx, col };
    this.backRowPtr = rt.uploadI32(channelPtr);
    this.backRanges = balancedRanges(channelPtr, rt.parts);
    this.backPerm = rt.uploadI32(t.perm);
  }

  get hostBytes(): number {
    const arrays = new Set<Int32Array>([this.forwardCols, this.entryCols, this.backEntries.row, this.backEntries.col]);
    if (this.patterns !== undefined) arrays.add(this.patterns);
    for (const cached of this.offsetCache.values()) arrays.add(cached.offsets);
    let bytes = 0;
    for (const array of arrays) bytes += array.byteLength;
    return bytes;
  }

  padInput(x: WasmF32, g: ConvGeometry): WasmF32 {
    this.checkIo(x, this.inChannels, undefined, this.outChannels, g);
    const before: KernelTask[] = [];
    const xp = this.padded(x, this.inChannels, g, padding(this.kernel, g, false), before);
    this.rt.phased([before]);
    return xp;
  }

  forward(x: WasmF32, y: WasmF32, g: ConvGeometry, epilogue?: ConvEpilogue, padded?: WasmF32): boolean {
    this.checkIo(x, this.inChannels, y, this.outChannels, g);
    if (epilogue?.bias !== undefined) checkBuffer('conv bias', epilogue.bias, this.outChannels);
    const fused = epilogue !== undefined && this.kind === 'csr';
    const bias = epilogue?.bias?.ptr ?? 0;
    const relu = epilogue?.relu === true ? 1 : 0;
    const tail = (o0: number): number[] => (fused ? [1, bias === 0 ? 0 : bias + 4 * o0, relu] : [0, 0, 0]);
    const pad = padding(this.kernel, g, false);
    const len = g.width * g.batch;
    const inRow = pad.wp * g.batch;
    const plane = 4 * g.height * len; // bytes of one output channel
    const work = this.values.length * g.height * len;
    const rowPtr = this.forwardRowPtr.ptr;
    if (padded !== undefined) checkBuffer('padded conv input', padded, this.inChannels * pad.plane);
    this.rt.scratch(() => {
      const before: KernelTask[] = [];
      const xp = padded ?? this.padded(x, this.inChannels, g, pad, before);
      const offs = this.rt.uploadI32(this.offsets('forward', g, pad));
      const v = this.values.ptr;
      const slices = this.rt.slices(this.forwardRanges, work);
      let main: KernelTask;
      if (this.kind === 'block4') {
        main = { fn: 'convBlock4', slices: slices.map(([g0, g1]) => [g1 - g0, g.height, len, inRow, rowPtr + 4 * g0, offs.ptr, v, xp.ptr, y.ptr + 4 * g0 * plane]) };
      } else if (this.kind === 'pattern') {
        const patOff = this.rt.uploadI32(this.patternOffsets(g, pad));
        const ids = this.patternIds as WasmI32;
        main = { fn: 'convPattern', slices: slices.map(([o0, o1]) => [o1 - o0, g.height, len, inRow, rowPtr + 4 * o0, offs.ptr, ids.ptr, patOff.ptr, v, xp.ptr, y.ptr + o0 * plane]) };
      } else if (this.dense) {
        // A full CSR row lists every column in order, so the first row's offsets are every row's.
        const inner = this.inChannels * this.taps;
        main = { fn: 'convDense', slices: slices.map(([o0, o1]) => [o1 - o0, g.height, len, inRow, inner, offs.ptr, v + 4 * o0 * inner, xp.ptr, y.ptr + o0 * plane, ...tail(o0)]) };
      } else {
        const values = this.forwardSlots ? this.gathered(this.forwardSlots, before) : this.values;
        main = { fn: 'convCsr', slices: slices.map(([o0, o1]) => [o1 - o0, g.height, len, inRow, rowPtr + 4 * o0, offs.ptr, values.ptr, xp.ptr, y.ptr + o0 * plane, ...tail(o0)]) };
      }
      this.rt.phased([before, [main]]);
    });
    return fused;
  }

  backwardData(dy: WasmF32, dx: WasmF32, g: ConvGeometry): void {
    this.checkIo(dx, this.inChannels, dy, this.outChannels, g);
    const pad = padding(this.kernel, g, true);
    this.rt.scratch(() => {
      const before: KernelTask[] = [];
      const dyp = this.padded(dy, this.outChannels, g, pad, before);
      const values = this.gathered(this.backPerm, before);
      const offs = this.rt.uploadI32(this.offsets('backward', g, pad));
      const len = g.width * g.batch;
      const plane = 4 * g.height * len;
      const work = this.values.length * g.height * len;
      const slices = this.rt.slices(this.backRanges, work).map(([c0, c1]) => [c1 - c0, g.height, len, pad.wp * g.batch, this.backRowPtr.ptr + 4 * c0, offs.ptr, values.ptr, dyp.ptr, dx.ptr + c0 * plane, 0, 0, 0]);
      this.rt.phased([before, [{ fn: 'convCsr', slices }]]);
    });
  }

  backwardWeight(x: WasmF32, dy: WasmF32, dValues: WasmF32, g: ConvGeometry, padded?: WasmF32): void {
    this.checkIo(x, this.inChannels, dy, this.outChannels, g);
    checkBuffer('backwardWeight dValues', dValues, this.values.length);
    const pad = padding(this.kernel, g, false);
    const len = g.width * g.batch;
    const inRow = pad.wp * g.batch;
    const plane = 4 * g.height * len;
    const work = this.values.length * g.height * len;
    if (padded !== undefined) checkBuffer('padded conv input', padded, this.inChannels * pad.plane);
    this.rt.scratch(() => {
      const before: KernelTask[] = [];
      const xp = padded ?? this.padded(x, this.inChannels, g, pad, before);
      if (this.kind === 'block4') {
        const offs = this.rt.uploadI32(this.offsets('forward', g, pad));
        const slices = this.rt.slices(this.forwardRanges, work).map(([g0, g1]) => [g1 - g0, g.height, len, inRow, this.forwardRowPtr.ptr + 4 * g0, offs.ptr, xp.ptr, dy.ptr + 4 * g0 * plane, dValues.ptr]);
        this.rt.phased([before, [{ fn: 'convSddmmBlock4', slices }]]);
        return;
      }
      if (this.dense) {
        // Value order is canonical, so the first `inner` slot offsets are the column offsets of every filter.
        const offs = this.rt.uploadI32(this.offsets('slots', g, pad).subarray(0, this.inChannels * this.taps));
        const inner = this.inChannels * this.taps;
        const slices = this.rt.slices(this.forwardRanges, work);
        const accBytes = 64 * inner; // convDenseDw's vector sums: 128 bytes per column pair (64 for an odd last column), one block per slice
        const acc = this.rt.allocF32((slices.length * accBytes) / 4);
        const dw = slices.map(([o0, o1], i) => [o1 - o0, g.height, len, inRow, inner, offs.ptr, xp.ptr, dy.ptr + o0 * plane, dValues.ptr + 4 * o0 * inner, acc.ptr + i * accBytes]);
        this.rt.phased([before, [{ fn: 'convDenseDw', slices: dw }]]);
        return;
      }
      const offs = this.rt.uploadI32(this.offsets('slots', g, pad));
      const slices = this.rt.slices(this.entryRanges, work).map(([j0, j1]) => [j1 - j0, g.height, len, inRow, this.entryRows.ptr + 4 * j0, offs.ptr + 4 * j0, xp.ptr, dy.ptr, dValues.ptr + 4 * j0]);
      this.rt.phased([before, [{ fn: 'convSddmm', slices }]]);
    });
  }

  private checkIo(a: WasmF32, aChannels: number, b: WasmF32 | undefined, bChannels: number, g: ConvGeometry): void {
    checkGeometry(g);
    const plane = g.height * g.width * g.batch;
    checkBuffer(`conv input (${aChannels} channels)`, a, aChannels * plane);
    if (b !== undefined) checkBuffer(`conv input (${bChannels} channels)`, b, bChannels * plane);
  }

  /** A scratch buffer for the zero-padded copy of `src`, and the task that fills it (added to `tasks`). */
  private padded(src: WasmF32, channels: number, g: ConvGeometry, pad: Padding, tasks: KernelTask[]): WasmF32 {
    const dst = this.rt.allocF32(channels * pad.plane);
    const inPlane = 4 * g.height * g.width * g.batch;
    tasks.push({
      fn: 'padPlanes',
      slices: this.rt.slices(evenRanges(channels, this.rt.parts), channels * pad.plane).map(([c0, c1]) => [c1 - c0, g.height, g.width, g.batch, pad.top, pad.left, pad.hp, pad.wp, src.ptr + c0 * inPlane, dst.ptr + 4 * c0 * pad.plane]),
    });
    return dst;
  }

  /** A scratch buffer for the values gathered in `idx` order, and the task that fills it (added to `tasks`). */
  private gathered(idx: WasmI32, tasks: KernelTask[]): WasmF32 {
    const out = this.rt.allocF32(idx.length);
    tasks.push(gatherTask(this.rt.slices(this.gatherRanges, idx.length), idx, this.values, out));
    return out;
  }

  /** Float offsets into the padded input: per forward entry / block / kernel, per transposed entry, per value slot. */
  private offsets(kind: 'forward' | 'backward' | 'slots', g: ConvGeometry, pad: Padding): Int32Array {
    const geometry = `${g.height}x${g.width}x${g.batch}`;
    const cached = this.offsetCache.get(kind);
    if (cached?.geometry === geometry) return cached.offsets;
    const { kh, kw } = this.kernel;
    const M = g.batch;
    const shift = (tap: number, flip: boolean): number => {
      const r = Math.floor(tap / kw);
      const q = tap % kw;
      return flip ? ((kh - 1 - r) * pad.wp + (kw - 1 - q)) * M : (r * pad.wp + q) * M;
    };
    const forColumn = (plane: number, c: number, flip: boolean): number => plane * pad.plane + shift(c % this.taps, flip);
    let out: Int32Array;
    if (kind === 'backward') {
      const { row, col } = this.backEntries;
      out = row.map((o, e) => forColumn(o, col[e], true));
    } else if (kind === 'slots') {
      out = this.entryCols.map((c) => forColumn(Math.floor(c / this.taps), c, false));
    } else if (this.kind === 'pattern') {
      out = this.forwardCols.map((i) => i * pad.plane);
    } else {
      out = this.forwardCols.map((c) => forColumn(Math.floor(c / this.taps), c, false));
    }
    this.offsetCache.set(kind, { geometry, offsets: out });
    return out;
  }

  private patternOffsets(g: ConvGeometry, pad: Padding): Int32Array {
    if (this.patterns === undefined) throw new Error('pattern offsets of a non-pattern format');
    const kw = this.kernel.kw;
    return this.patterns.map((tap) => (Math.floor(tap / kw) * pad.wp + (tap % kw)) * g.batch);
  }
}

/** Row structure the specialised forward kernels take directly (blocks per group, kernels per filter). */
function structuralRows(format: SparseFormat): Int32Array | undefined {
  if (format.kind === 'block4') return format.matrix.groupPtr;
  if (format.kind === 'pattern') return format.matrix.kernelPtr;
  return undefined;
}
