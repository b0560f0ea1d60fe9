// The dense baseline of a kernel cell: the project's own dense SIMD kernels with every weight kept, never sparse.
import { describe, expect, it } from 'vitest';
import { createBaselineKernelCases } from '../../../client/src/engine/bench/kernel-cases.js';
import { kernelGeometry } from '../../../client/src/engine/bench/kernel-operands.js';
import { KernelRuntime } from '../../../client/src/engine/kernels/runtime.js';

describe('createBaselineKernelCases', () => {
  it('should offer every format that keeps all weights of the shape, for every direction', async () => {
    const rt = await KernelRuntime.load(await KernelRuntime.compileDefault());
    const linear = createBaselineKernelCases(rt, kernelGeometry('linear', [4, 8, 12]), 1);
    expect(linear.nnz).toBe(8 * 12);
    for (const direction of ['forward', 'backward-data', 'backward-weight'] as const) {
      expect(Object.keys(linear.cases[direction].variants)).toEqual(['channel d=1', 'block4 d=1']);
      expect(linear.cases[direction].flop).toBe(2 * 8 * 12 * 4);
      for (const call of Object.values(linear.cases[direction].variants)) call();
    }
    // 6 output rows do not divide into 4x1 blocks: the dense GEMM alone.
    const odd = createBaselineKernelCases(rt, kernelGeometry('linear', [4, 8, 6]), 1);
    expect(Object.keys(odd.cases.forward.variants)).toEqual(['channel d=1']);
    const conv = createBaselineKernelCases(rt, kernelGeometry('conv', [2, 5, 5, 3, 8, 3]), 1);
    expect(conv.nnz).toBe(8 * 3 * 9);
    expect(conv.cases['backward-weight'].flop).toBe(2 * 8 * 3 * 9 * 2 * 5 * 5);
    for (const call of Object.values(conv.cases.forward.variants)) call();
    rt.reset();
  });
});
