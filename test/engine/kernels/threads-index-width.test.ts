// 16-bit kernel indices: a CSR layer up to 65,536 columns (and a transposed index up to 65,536 rows and values)
// stores its indices as uint16 and runs the uint16 kernels; a wider one keeps int32. Both must match the reference,
// and the uint16 layer must take less kernel memory than the same layer would with int32 indices.
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureKernelsBuilt } from '../../../client/src/engine/kernels/build.mjs';
import { buildCsr } from '../../../client/src/engine/kernels/formats/csr.js';
import type { SparseFormat } from '../../../client/src/engine/kernels/formats/types.js';
import { createLinearKernel } from '../../../client/src/engine/kernels/linear.js';
import { referenceLinearBackwardData, referenceLinearForward, referenceLinearWeightGrad } from '../../../client/src/engine/kernels/reference/linear.js';
import { KernelRuntime } from '../../../client/src/engine/kernels/runtime.js';
import { irregularMask, maxRelError, randomArray, rng } from './helpers.js';

const TOLERANCE = 1e-5;

function csr(rows: number, cols: number, density: number, seed: number): SparseFormat {
  const r = rng(seed);
  return { kind: 'csr', matrix: buildCsr(randomArray(r, rows * cols), irregularMask(r, rows, cols, density), rows, cols) };
}

describe('kernel index width', () => {
  let rts: KernelRuntime[];

  beforeAll(async () => {
    await ensureKernelsBuilt({ quiet: true });
    rts = [await KernelRuntime.create(), await KernelRuntime.create({ threads: 2, spin: 0, minParallelWork: 0, minSliceWork: 0 })];
  });

  it.each([
    ['uint16', 12, 300],
    ['int32', 8, 70_000],
  ])('should match the reference with %s column indices (%i×%i)', (_width, rows, cols) => {
    const f = csr(rows, cols, 0.01, cols);
    const batch = 5;
    const r = rng(3);
    const x = randomArray(r, cols * batch);
    const dy = randomArray(r, rows * batch);
    for (const rt of rts) {
      const out = rt.scratch(() => {
        const kernel = createLinearKernel(rt, f);
        const xb = rt.uploadF32(x);
        const dyb = rt.uploadF32(dy);
        const y = rt.allocF32(rows * batch);
        const dx = rt.allocF32(cols * batch);
        const dw = rt.allocF32(kernel.values.length);
        kernel.forward(xb, y, batch);
        kernel.backwardData(dyb, dx, batch);
        kernel.backwardWeight(xb, dyb, dw, batch);
        return { y: rt.read(y), dx: rt.read(dx), dw: rt.read(dw) };
      });
      expect(maxRelError(out.y, referenceLinearForward(f, x, batch))).toBeLessThanOrEqual(TOLERANCE);
      expect(maxRelError(out.dx, referenceLinearBackwardData(f, dy, batch))).toBeLessThanOrEqual(TOLERANCE);
      expect(maxRelError(out.dw, referenceLinearWeightGrad(f, x, dy, batch))).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('should hold a narrow layer in less kernel memory than its int32 indices would take', () => {
    const f = csr(300, 784, 0.1, 9);
    const nnz = f.matrix.values.length;
    const rt = rts[0];
    const mark = rt.mark();
    createLinearKernel(rt, f);
    const used = rt.mark() - mark;
    rt.release(mark);
    // int32 layout: values, rowPtr, colIdx; transposed rowPtr, colIdx, perm.
    const int32Bytes = 4 * (nnz + 301 + nnz + 785 + nnz + nnz);
    const uint16Bytes = 4 * (nnz + 301 + 785) + 2 * 3 * nnz;
    expect(used).toBeLessThan(int32Bytes);
    expect(used).toBeLessThanOrEqual(uint16Bytes + 6 * 16);
  });
});
