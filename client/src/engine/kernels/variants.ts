// Which build of the kernels a device runs (generated/kernels/, see build.mjs): SIMD+threads where shared memory,
// workers and SIMD all exist, SIMD where only SIMD does, scalar elsewhere. Feature detection only: nothing here
// loads a module.
import { hasWasmSimd } from './reference/simd.js';

export type KernelVariant = 'simd' | 'scalar' | 'threads';

/** File names under generated/kernels/ (build.mjs KERNEL_VARIANTS holds the same names for the build). */
export const KERNEL_FILES: Readonly<Record<KernelVariant, string>> = {
  simd: 'sparse.wasm',
  scalar: 'sparse-scalar.wasm',
  threads: 'sparse-threads.wasm',
};

/** Maximum pages of the threads build's shared memory (asconfig.json "maximumMemory": 2 GiB). */
export const THREADS_MAX_PAGES = 32768;

// (module (memory 1 1 shared)): validates only where WebAssembly threads (shared memory) are supported.
const SHARED_MEMORY_PROBE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x04, 0x01, 0x03, 0x01, 0x01]);

/** True where WebAssembly shared memory and SharedArrayBuffer exist (a browser page also needs cross-origin isolation). */
export function hasSharedMemory(): boolean {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') return false;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  if (isolated === false) return false;
  return typeof WebAssembly === 'object' && WebAssembly.validate(SHARED_MEMORY_PROBE);
}

export { hasWasmSimd };

/** The best variant this environment can run; `wantThreads` false skips the threads build. */
export function detectKernelVariant(wantThreads = true): KernelVariant {
  if (!hasWasmSimd()) return 'scalar';
  return wantThreads && hasSharedMemory() ? 'threads' : 'simd';
}
