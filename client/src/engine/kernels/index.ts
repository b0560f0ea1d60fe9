// Public surface of the sparse kernels: formats, the WASM runtime, typed linear/conv kernels and the TS references.
export * from './formats/index.js';
export { KernelRuntime, resolveThreads, useKernelUrl, type KernelRuntimeInfo, type KernelRuntimeOptions, type KernelSource, type WasmF32, type WasmI32 } from './runtime.js';
export { detectKernelVariant, hasSharedMemory, KERNEL_FILES, type KernelVariant } from './variants.js';
export { browserThreadPlatform, defaultThreadPlatform, nodeThreadPlatform, type ThreadPlatform } from './threads/platform.js';
export { createLinearKernel, type SparseLinearKernel } from './linear.js';
export { createConvKernel, type SparseConvKernel, type ConvGeometry, type ConvKernelSize } from './conv.js';
export * from './reference/index.js';
