// The raw exports of the kernel module (assembly/index.ts): byte addresses and counts only. Use runtime.ts and the
// typed kernel objects (linear.ts, conv.ts) instead of calling these directly.
type Ptr = number;

export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  gatherF32(count: number, width: number, idx: Ptr, src: Ptr, dst: Ptr): void;
  gatherF32x16(count: number, idx: Ptr, src: Ptr, dst: Ptr): void;
  csrSpmm(rows: number, m: number, rowPtr: Ptr, colIdx: Ptr, values: Ptr, x: Ptr, y: Ptr): void;
  csrSddmm(rows: number, m: number, rowPtr: Ptr, colIdx: Ptr, x: Ptr, dy: Ptr, out: Ptr): void;
  csrSpmm16(rows: number, m: number, rowPtr: Ptr, colIdx: Ptr, values: Ptr, x: Ptr, y: Ptr): void;
  csrSddmm16(rows: number, m: number, rowPtr: Ptr, colIdx: Ptr, x: Ptr, dy: Ptr, out: Ptr): void;
  block4Spmm(groups: number, m: number, groupPtr: Ptr, blockCol: Ptr, values: Ptr, x: Ptr, y: Ptr): void;
  block4Sddmm(groups: number, m: number, groupPtr: Ptr, blockCol: Ptr, x: Ptr, dy: Ptr, out: Ptr): void;
  shuffledSpmm(groups: number, bs: number, m: number, groupRows: Ptr, groupPtr: Ptr, blockCols: Ptr, values: Ptr, x: Ptr, y: Ptr): void;
  shuffledSpmmT(groups: number, bs: number, m: number, groupRows: Ptr, groupPtr: Ptr, blockCols: Ptr, values: Ptr, dy: Ptr, dx: Ptr): void;
  shuffledSddmm(groups: number, bs: number, m: number, groupRows: Ptr, groupPtr: Ptr, blockCols: Ptr, x: Ptr, dy: Ptr, out: Ptr): void;
  denseGemm(rows: number, inner: number, m: number, w: Ptr, rowStride: number, colStride: number, xIdx: Ptr, x: Ptr, yIdx: Ptr, y: Ptr): void;
  denseDots(rows: number, cols: number, m: number, a: Ptr, aIdx: Ptr, b: Ptr, bIdx: Ptr, out: Ptr): void;
  padPlanes(channels: number, h: number, w: number, m: number, top: number, left: number, hp: number, wp: number, src: Ptr, dst: Ptr): void;
  convCsr(rows: number, oh: number, len: number, inRow: number, rowPtr: Ptr, offs: Ptr, values: Ptr, x: Ptr, y: Ptr, epilogue: boolean | number, bias: Ptr, relu: boolean | number): void;
  convPattern(rows: number, oh: number, len: number, inRow: number, kernelPtr: Ptr, kOff: Ptr, kPat: Ptr, patOff: Ptr, values: Ptr, x: Ptr, y: Ptr): void;
  convBlock4(groups: number, oh: number, len: number, inRow: number, groupPtr: Ptr, offs: Ptr, values: Ptr, x: Ptr, y: Ptr): void;
  convDense(rows: number, oh: number, len: number, inRow: number, inner: number, offs: Ptr, values: Ptr, x: Ptr, y: Ptr, epilogue: boolean | number, bias: Ptr, relu: boolean | number): void;
  convDenseDw(rows: number, oh: number, len: number, inRow: number, inner: number, offs: Ptr, x: Ptr, dy: Ptr, out: Ptr, acc: Ptr): void;
  convSddmm(n: number, oh: number, len: number, inRow: number, entryRow: Ptr, offs: Ptr, x: Ptr, dy: Ptr, out: Ptr): void;
  convSddmmBlock4(groups: number, oh: number, len: number, inRow: number, groupPtr: Ptr, offs: Ptr, x: Ptr, dy: Ptr, out: Ptr): void;
  reverse3(d0: number, d1: number, d2: number, src: Ptr, dst: Ptr): void;
  reverse3Part(d0: number, d1: number, d2: number, k0: number, k1: number, src: Ptr, dst: Ptr): void;
  swapOuterAxes(d0: number, d1: number, m: number, src: Ptr, dst: Ptr): void;
  rowAffine(rows: number, len: number, scale: Ptr, bias: Ptr, relu: boolean | number, y: Ptr): void;
  reluBackward(n: number, y: Ptr, dy: Ptr): void;
  rowSums(rows: number, len: number, src: Ptr, out: Ptr): void;
  scaleRows(rows: number, len: number, scale: Ptr, y: Ptr): void;
  maxPool2x2(channels: number, h: number, w: number, m: number, x: Ptr, y: Ptr): void;
  maxPool2x2Backward(channels: number, h: number, w: number, m: number, x: Ptr, y: Ptr, dy: Ptr, dx: Ptr, relu: boolean | number, sums: Ptr): void;
  maxPool2x2Argmax(channels: number, h: number, w: number, m: number, x: Ptr, y: Ptr, at: Ptr): void;
  maxPool2x2BackwardAt(channels: number, h: number, w: number, m: number, at: Ptr, dy: Ptr, dx: Ptr, relu: boolean | number, sums: Ptr): void;
  softmaxCrossEntropy(classes: number, batch: number, logits: Ptr, labels: Ptr, dLogits: Ptr, correct: Ptr): number;
  sgdUpdate(n: number, w: Ptr, g: Ptr, b: Ptr, lr: number, momentum: number, nesterov: boolean | number, decay: number): void;
  adamUpdate(n: number, w: Ptr, g: Ptr, m: Ptr, v: Ptr, beta1: number, c1: number, beta2: number, c2: number, stepSize: number, epsHat: number, decay: number): void;
}
