import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildKernels } from '../../../client/src/engine/kernels/build.mjs';
import { KernelRuntime } from '../../../client/src/engine/kernels/runtime.js';
import { loadRuntime } from './helpers.js';

describe(KernelRuntime.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sf-kernels-'));

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should build the wasm module to a chosen path and load it from its bytes', async () => {
    // Execute
    const path = await buildKernels({ outFile: join(dir, 'sparse.wasm'), quiet: true });
    const rt = await KernelRuntime.load(readFileSync(path));
    // Assert
    expect(WebAssembly.validate(readFileSync(path))).toBe(true);
    expect(typeof rt.raw.csrSpmm).toBe('function');
  });

  it('should grow memory for large allocations and keep earlier data', async () => {
    // Prepare
    const rt = await loadRuntime();
    const mark = rt.mark();
    const small = rt.uploadF32([1, 2, 3]);
    // Execute
    const big = rt.allocF32(3_000_000); // 12 MB: forces memory.grow
    rt.f32(big)[2_999_999] = 7;
    // Assert
    expect(Array.from(rt.read(small))).toEqual([1, 2, 3]);
    expect(rt.f32(big)[2_999_999]).toBe(7);
    expect(big.ptr % 16).toBe(0);
    rt.release(mark);
  });

  it('should free scratch allocations after a scratch scope and reject releasing above the top', async () => {
    const rt = await loadRuntime();
    const before = rt.bytesInUse;
    rt.scratch(() => rt.allocF32(1000));
    expect(rt.bytesInUse).toBe(before);
    expect(() => rt.release(rt.mark() + 64)).toThrow(RangeError);
  });

  it('should reject writes of the wrong length', async () => {
    const rt = await loadRuntime();
    rt.scratch(() => {
      const buffer = rt.allocF32(4);
      expect(() => rt.write(buffer, [1, 2])).toThrow(RangeError);
    });
  });
});
