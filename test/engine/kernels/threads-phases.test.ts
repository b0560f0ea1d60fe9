// Phased pool calls (KernelRuntime.phased): one hand-off runs dependent kernel calls, every slice of a phase done
// before any slice of the next starts. A two-step gather pipeline whose second step reads what other slices of the
// first wrote shows a missing barrier; the sparse layers that use phases (backward-data of linear and conv layers,
// conv forward after a pad) must equal one thread bit for bit, and a trap in any phase must fail the call cleanly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKernelsBuilt } from '../../../client/src/engine/kernels/build.mjs';
import { createConvKernel } from '../../../client/src/engine/kernels/conv.js';
import { buildCsr } from '../../../client/src/engine/kernels/formats/csr.js';
import type { SparseFormat } from '../../../client/src/engine/kernels/formats/types.js';
import { createLinearKernel } from '../../../client/src/engine/kernels/linear.js';
import { KernelRuntime, type KernelPhase, type WasmF32, type WasmI32 } from '../../../client/src/engine/kernels/runtime.js';
import { evenRanges } from '../../../client/src/engine/kernels/threads/partition.js';
import { defaultThreadPlatform, type PoolWorker } from '../../../client/src/engine/kernels/threads/platform.js';
import { irregularMask, randomArray, rng } from './helpers.js';

/** Out of bounds of any kernel memory here: a slice that writes there traps. */
const BAD_ADDRESS = 0x7ffffff0;

/** The phase of gatherF32 slices out[e] = src[idx[e]] for e in each of `parts` even ranges. */
function gatherPhase(n: number, parts: number, idx: WasmI32, src: WasmF32, out: WasmF32, trapAt = -1): KernelPhase {
  const slices = evenRanges(n, parts).map(([e0, e1], s) => [e1 - e0, 1, idx.ptr + 4 * e0, src.ptr, s === trapAt ? BAD_ADDRESS : out.ptr + 4 * e0]);
  return [{ fn: 'gatherF32', slices }];
}

interface Pipeline {
  readonly src: WasmF32;
  readonly mid: WasmF32;
  readonly out: WasmF32;
  readonly reverse: WasmI32;
  readonly n: number;
  /** out = src reversed twice (= src) when every first-phase slice finished before the second phase read `mid`. */
  phases(parts: number, trapPhase?: 0 | 1): KernelPhase[];
}

function pipeline(rt: KernelRuntime, n: number): Pipeline {
  const src = rt.uploadF32(randomArray(rng(n), n));
  const mid = rt.allocF32(n);
  const out = rt.allocF32(n);
  const reverse = rt.uploadI32(Int32Array.from({ length: n }, (_, e) => n - 1 - e));
  return {
    src,
    mid,
    out,
    reverse,
    n,
    phases: (parts, trapPhase) => [
      gatherPhase(n, parts, reverse, src, mid, trapPhase === 0 ? 1 : -1),
      gatherPhase(n, parts, reverse, mid, out, trapPhase === 1 ? 1 : -1),
    ],
  };
}

/** A worker that starts and then never takes a slice (as if it never got a core). */
function absentWorker(): PoolWorker {
  return { postMessage: () => undefined, nextMessage: () => Promise.resolve('ready'), terminate: () => Promise.resolve() };
}

type CsrFormat = Extract<SparseFormat, { kind: 'csr' }>;

function csr(rows: number, cols: number, density: number, seed: number): CsrFormat {
  const r = rng(seed);
  return { kind: 'csr', matrix: buildCsr(randomArray(r, rows * cols), irregularMask(r, rows, cols, density), rows, cols) };
}

/** Linear and 3×3 conv backward-data (phased: gather, then multiply; conv: pad and gather, then convolve) and conv forward. */
function runBackward(rt: KernelRuntime, rows: number, cols: number, batch: number): Float32Array[] {
  const r = rng(rows * 7 + cols);
  const linear = csr(rows, cols, 0.3, rows + cols);
  const conv = csr(rows, cols * 9, 0.3, rows * cols);
  const g = { height: 5, width: 4, batch };
  const plane = g.height * g.width * batch;
  return rt.scratch(() => {
    const dy = rt.uploadF32(randomArray(r, rows * batch));
    const dx = rt.allocF32(cols * batch);
    createLinearKernel(rt, linear).backwardData(dy, dx, batch);
    const convKernel = createConvKernel(rt, conv, { kh: 3, kw: 3 });
    const cx = rt.uploadF32(randomArray(r, cols * plane));
    const cy = rt.allocF32(rows * plane);
    const cdx = rt.allocF32(cols * plane);
    convKernel.forward(cx, cy, g);
    convKernel.backwardData(rt.uploadF32(randomArray(r, rows * plane)), cdx, g);
    return [rt.read(dx), rt.read(cy), rt.read(cdx)];
  });
}

describe('phased pool calls', () => {
  let single: KernelRuntime;
  const pools: KernelRuntime[] = [];

  beforeAll(async () => {
    await ensureKernelsBuilt({ quiet: true });
    single = await KernelRuntime.create({ variant: 'simd' });
    for (const options of [
      { threads: 2, barrierSpin: 0 },
      { threads: 3, barrierSpin: 200 },
      { threads: 4, barrierSpin: 20, spin: 100 },
    ]) {
      pools.push(await KernelRuntime.create({ ...options, minParallelWork: 0, minSliceWork: 0 }));
    }
  });

  afterAll(async () => {
    await Promise.all(pools.map((rt) => rt.close()));
  });

  it('should finish every slice of a phase before the next phase starts', () => {
    for (const rt of pools) {
      rt.scratch(() => {
        const p = pipeline(rt, 4099);
        const before = rt.parallelCalls;
        for (let round = 0; round < 50; round++) {
          rt.zero(p.mid);
          rt.zero(p.out);
          rt.phased(p.phases(3 * rt.threads + (round % 5)));
          expect(rt.read(p.out), `${rt.threads} threads, round ${round}`).toEqual(rt.read(p.src));
        }
        expect(rt.parallelCalls - before, 'one pool call per phased call').toBe(50);
      });
    }
  });

  it('should run the phases in order on one thread', () => {
    single.scratch(() => {
      const p = pipeline(single, 37);
      single.phased(p.phases(4));
      expect(single.read(p.out)).toEqual(single.read(p.src));
      expect(single.parallelCalls).toBe(0);
    });
  });

  it('should run every slice on the calling thread when no worker takes one', async () => {
    const rt = await KernelRuntime.create({ threads: 2, minParallelWork: 0, minSliceWork: 0, platform: { ...defaultThreadPlatform(), spawn: absentWorker } });
    pools.push(rt);
    rt.scratch(() => {
      const p = pipeline(rt, 301);
      rt.phased(p.phases(6));
      expect(rt.read(p.out)).toEqual(rt.read(p.src));
      expect(rt.poolSlices).toEqual({ local: 12, total: 12 });
    });
  });

  it('should skip phases with no slices and allow fewer slices than threads (ragged)', () => {
    for (const rt of pools) {
      rt.scratch(() => {
        const p = pipeline(rt, 3);
        const [first, second] = p.phases(3);
        rt.zero(p.out);
        // Phase sizes 3 (1 float each), none, 1, none: fewer slices per phase than threads, empty phases in between.
        rt.phased([[], first, [], [{ fn: 'gatherF32', slices: [] }], gatherPhase(3, 1, p.reverse, p.mid, p.out), []]);
        expect(rt.read(p.out)).toEqual(rt.read(p.src));
        rt.zero(p.out);
        rt.phased([gatherPhase(3, 1, p.reverse, p.src, p.mid), second]);
        expect(rt.read(p.out)).toEqual(rt.read(p.src));
        rt.phased([]);
        rt.phased([[], []]);
      });
    }
  });

  it('should run the phases as separate pool calls, in order, when they hold more slices than one call', () => {
    const rt = pools[0];
    rt.scratch(() => {
      const p = pipeline(rt, 1200);
      const before = rt.parallelCalls;
      rt.phased(p.phases(150));
      expect(rt.read(p.out)).toEqual(rt.read(p.src));
      expect(rt.parallelCalls - before).toBe(2);
    });
  });

  it('should throw when a slice of the second phase traps, and keep working', () => {
    for (const rt of pools) {
      rt.scratch(() => {
        const p = pipeline(rt, 1000);
        expect(() => rt.phased(p.phases(2 * rt.threads, 1))).toThrow();
        // The first phase ran whole.
        expect(rt.read(p.mid)).toEqual(rt.read(p.src).reverse());
        rt.zero(p.out);
        rt.phased(p.phases(2 * rt.threads));
        expect(rt.read(p.out)).toEqual(rt.read(p.src));
      });
    }
  });

  it('should skip the later phases after a trap in the first', () => {
    for (const rt of pools) {
      rt.scratch(() => {
        const p = pipeline(rt, 1000);
        rt.f32(p.out).fill(7);
        expect(() => rt.phased(p.phases(2 * rt.threads, 0))).toThrow();
        expect(rt.read(p.out).every((v) => v === 7)).toBe(true);
      });
    }
  });

  it.each([
    [37, 29, 64],
    [2, 3, 65],
    [1, 1, 1],
  ])('should equal one thread bit for bit in backward-data and conv forward (%i×%i, batch %i)', (rows, cols, batch) => {
    const expected = runBackward(single, rows, cols, batch);
    for (const rt of pools) {
      for (let round = 0; round < 3; round++) expect(runBackward(rt, rows, cols, batch), `${rt.threads} threads`).toEqual(expected);
    }
  });
});
