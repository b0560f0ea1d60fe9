// The pool's slice claiming: every thread, the calling one included, takes the next unclaimed slice, so a worker that
// never wakes only leaves its share to the calling thread, and results do not depend on who ran which slice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKernelsBuilt } from '../../../client/src/engine/kernels/build.mjs';
import { buildCsr } from '../../../client/src/engine/kernels/formats/csr.js';
import type { SparseFormat } from '../../../client/src/engine/kernels/formats/types.js';
import { createLinearKernel } from '../../../client/src/engine/kernels/linear.js';
import { KernelRuntime } from '../../../client/src/engine/kernels/runtime.js';
import { AUTO_MIN_PARALLEL_WORK, evenRanges, MIN_PARALLEL_WORK, minParallelWorkFor } from '../../../client/src/engine/kernels/threads/partition.js';
import { defaultThreadPlatform, type PoolWorker } from '../../../client/src/engine/kernels/threads/platform.js';
import { irregularMask, randomArray, rng } from './helpers.js';

type CsrFormat = Extract<SparseFormat, { kind: 'csr' }>;

function csr(rows: number, cols: number, density: number, seed: number): CsrFormat {
  const r = rng(seed);
  return { kind: 'csr', matrix: buildCsr(randomArray(r, rows * cols), irregularMask(r, rows, cols, density), rows, cols) };
}

/** Forward, backward-data and backward-weight of a linear layer, read back. */
function runLinear(rt: KernelRuntime, f: CsrFormat, batch: number): Float32Array[] {
  const r = rng(11);
  const x = randomArray(r, f.matrix.cols * batch);
  const dy = randomArray(r, f.matrix.rows * batch);
  return rt.scratch(() => {
    const kernel = createLinearKernel(rt, f);
    const xb = rt.uploadF32(x);
    const dyb = rt.uploadF32(dy);
    const y = rt.allocF32(f.matrix.rows * batch);
    const dx = rt.allocF32(x.length);
    const dw = rt.allocF32(f.matrix.values.length);
    kernel.forward(xb, y, batch);
    kernel.backwardData(dyb, dx, batch);
    kernel.backwardWeight(xb, dyb, dw, batch);
    return [rt.read(y), rt.read(dx), rt.read(dw)];
  });
}

/** A worker that starts and then never takes a slice (as if it never got a core). */
function absentWorker(): PoolWorker {
  return { postMessage: () => undefined, nextMessage: () => Promise.resolve('ready'), terminate: () => Promise.resolve() };
}

describe('kernel thread pool', () => {
  const f = csr(97, 130, 0.2, 5);
  let single: KernelRuntime;
  let expected: Float32Array[];
  const pools: KernelRuntime[] = [];

  beforeAll(async () => {
    await ensureKernelsBuilt({ quiet: true });
    single = await KernelRuntime.create({ variant: 'simd' });
    expected = runLinear(single, f, 37);
  });

  afterAll(async () => {
    await Promise.all(pools.map((rt) => rt.close()));
  });

  it('should finish every slice on the calling thread when a worker never takes one', async () => {
    const rt = await KernelRuntime.create({ threads: 2, minParallelWork: 0, minSliceWork: 0, platform: { ...defaultThreadPlatform(), spawn: absentWorker } });
    pools.push(rt);
    expect(rt.threads).toBe(2);
    expect(runLinear(rt, f, 37)).toEqual(expected);
    const { local, total } = rt.poolSlices;
    expect(total).toBeGreaterThan(3 * 2);
    expect(local).toBe(total);
  });

  it.each([
    [{ spin: 0, waitSpin: 0 }],
    [{ spin: 200, waitSpin: 200 }],
  ])('should equal one thread bit for bit whoever claims the slices (%o)', async (options) => {
    const rt = await KernelRuntime.create({ threads: 3, minParallelWork: 0, minSliceWork: 0, ...options });
    pools.push(rt);
    for (let round = 0; round < 8; round++) expect(runLinear(rt, f, 37)).toEqual(expected);
    expect(rt.poolSlices.total).toBeGreaterThan(0);
  });

  it('should throw when a slice traps, and keep working', async () => {
    const rt = await KernelRuntime.create({ threads: 2, minParallelWork: 0, minSliceWork: 0 });
    pools.push(rt);
    const src = rt.uploadF32([1, 2, 3, 4]);
    const out = rt.allocF32(4);
    const idx = rt.uploadI32([0, 1, 2, 3]);
    // Every other slice writes past the end of memory.
    const slices = Array.from({ length: 8 }, (_, s) => [1, 1, idx.ptr + 4 * (s % 4), src.ptr, s % 2 === 0 ? out.ptr + 4 * (s % 4) : 0x7ffffff0]);
    expect(() => rt.parallel('gatherF32', slices)).toThrow();
    expect(runLinear(rt, f, 37)).toEqual(expected);
  });

  describe("threads: 'auto'", () => {
    const twoCores = { ...defaultThreadPlatform(), cores: () => 2 };
    // The MLP b128 at d = 0.1: fc1's forward and SDDMM (300×784, ERK density 0.08) are its largest calls.
    const mlpLargestCall = Math.round(300 * 784 * 0.08) * 128;
    // The CNN b64 at d = 0.1: conv2 (64←32, 3×3, 14×14 outputs) forward.
    const cnnConv2 = Math.round(64 * 32 * 9 * 0.1) * 14 * 14 * 64;

    it('should split only long calls for auto, and every call from the low threshold for an explicit count', () => {
      expect(minParallelWorkFor('auto')).toBe(AUTO_MIN_PARALLEL_WORK);
      expect(minParallelWorkFor(2)).toBe(MIN_PARALLEL_WORK);
      expect(minParallelWorkFor(1)).toBe(MIN_PARALLEL_WORK);
      expect(mlpLargestCall).toBeLessThan(AUTO_MIN_PARALLEL_WORK);
      expect(cnnConv2).toBeGreaterThanOrEqual(AUTO_MIN_PARALLEL_WORK);
    });

    it("should keep the MLP's calls on one thread and split the CNN's conv calls", async () => {
      const auto = await KernelRuntime.create({ threads: 'auto', platform: twoCores });
      const two = await KernelRuntime.create({ threads: 2, platform: twoCores });
      pools.push(auto, two);
      expect(auto.threads).toBe(2);
      expect(auto.minParallelWork).toBe(AUTO_MIN_PARALLEL_WORK);
      const ranges = evenRanges(300, auto.parts);
      expect(auto.slices(ranges, mlpLargestCall)).toEqual([[0, 300]]);
      expect(auto.slices(ranges, cnnConv2).length).toBeGreaterThan(2);
      expect(two.slices(ranges, mlpLargestCall).length).toBeGreaterThan(2);
      expect(two.slices(ranges, MIN_PARALLEL_WORK - 1)).toEqual([[0, 300]]);
    });

    it('should take an explicit minParallelWork over the default of auto', async () => {
      const rt = await KernelRuntime.create({ threads: 'auto', platform: twoCores, minParallelWork: 0 });
      pools.push(rt);
      expect(rt.minParallelWork).toBe(0);
    });
  });
});
