// Public surface of the sparse kernels: formats, the WASM runtime, typed linear/conv kernels and the TS references.
export * from './formats/index.js';
export { KernelRuntime, useKernelUrl, type KernelSource, type WasmF32, type WasmI32 } from './runtime.js';
export { createLinearKernel, type SparseLinearKernel } from './linear.js';
export { createConvKernel, type SparseConvKernel, type ConvGeometry, type ConvKernelSize } from './conv.js';
export * from './reference/index.js';
