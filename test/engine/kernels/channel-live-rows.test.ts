import { beforeAll, describe, expect, it } from 'vitest';
import { buildChannelCompaction } from '../../../client/src/engine/kernels/formats/channel.js';
import { createLinearKernel } from '../../../client/src/engine/kernels/linear.js';
import type { KernelRuntime } from '../../../client/src/engine/kernels/runtime.js';
import { channelMask, loadRuntime, randomArray, rng } from './helpers.js';

/**
 * Forward, backward-data and SDDMM of one seeded channel-compacted layer. The dY rows outside `open` are zeroed, as
 * an output gate leaves them; `useLive` hands `open` to the kernels as the live rows.
 */
function runLayer(rt: KernelRuntime, rows: number, cols: number, batch: number, open: readonly number[] | undefined, useLive: boolean) {
  const r = rng(rows);
  const weights = randomArray(r, rows * cols);
  const mask = channelMask(r, rows, cols, 1, 0.5);
  const x = randomArray(r, cols * batch);
  const dy = randomArray(r, rows * batch);
  // As the gate leaves them: closed rows' upstream gradient is zero.
  const openSet = new Set(open ?? []);
  if (open !== undefined) for (let o = 0; o < rows; o++) if (!openSet.has(o)) dy.fill(0, o * batch, (o + 1) * batch);
  return rt.scratch(() => {
    const kernel = createLinearKernel(rt, { kind: 'channel', matrix: buildChannelCompaction(weights, mask, rows, cols) });
    const live = open === undefined || !useLive ? undefined : rt.uploadI32(open);
    const xb = rt.uploadF32(x);
    const dyb = rt.uploadF32(dy);
    const y = rt.allocF32(rows * batch);
    const dx = rt.allocF32(cols * batch);
    const dw = rt.allocF32(kernel.values.length);
    kernel.forward(xb, y, batch, live);
    kernel.backwardData(dyb, dx, batch, live);
    kernel.backwardWeight(xb, dyb, dw, batch, live);
    return { y: rt.read(y), dx: rt.read(dx), dw: rt.read(dw), width: kernel.values.length / rows };
  });
}

describe('channel-compaction kernels on the live rows of an output gate', () => {
  let rt: KernelRuntime;

  beforeAll(async () => {
    rt = await loadRuntime();
  });

  it.each([
    [40, 24, 16, [0, 3, 4, 5, 17, 39]],
    [9, 30, 7, [8]],
    [12, 10, 8, []],
  ])('should equal the all-rows result with closed rows zeroed (%i×%i, batch %i)', (rows, cols, batch, open) => {
    // Prepare
    const full = runLayer(rt, rows, cols, batch, undefined, false);
    const gated = runLayer(rt, rows, cols, batch, open, false);
    const openSet = new Set(open);

    // Execute
    const live = runLayer(rt, rows, cols, batch, open, true);

    // Assert
    for (let o = 0; o < rows; o++) {
      const y = live.y.subarray(o * batch, (o + 1) * batch);
      const want = openSet.has(o) ? Array.from(full.y.subarray(o * batch, (o + 1) * batch)) : new Array<number>(batch).fill(0);
      expect(Array.from(y)).toEqual(want);
      if (!openSet.has(o)) expect(Array.from(live.dw.subarray(o * live.width, (o + 1) * live.width)).every((v) => v === 0)).toBe(true);
    }
    // dX and dW equal the all-rows kernels' on the same gated dY.
    expect(Array.from(live.dx)).toEqual(Array.from(gated.dx));
    expect(Array.from(live.dw)).toEqual(Array.from(gated.dw));
  });

  it('should reject live rows out of order or out of range', () => {
    // Prepare
    const kernel = createLinearKernel(rt, { kind: 'channel', matrix: buildChannelCompaction(new Float32Array(12), new Uint8Array(12).fill(1), 4, 3) });

    // Execute / Assert
    rt.scratch(() => {
      const x = rt.allocF32(3 * 2);
      const y = rt.allocF32(4 * 2);
      expect(() => kernel.forward(x, y, 2, rt.uploadI32([2, 1]))).toThrow(RangeError);
      expect(() => kernel.forward(x, y, 2, rt.uploadI32([4]))).toThrow(RangeError);
    });
  });
});
