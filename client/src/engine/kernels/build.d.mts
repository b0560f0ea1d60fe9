// Types of build.mjs (kept as plain JS so it runs without the TypeScript build).
export interface BuildKernelsOptions {
  /** Defaults to generated/kernels/sparse.wasm under the repository root. */
  readonly outFile?: string;
  readonly quiet?: boolean;
}

export declare const projectRoot: string;
export declare const kernelWasmPath: string;
export declare function buildKernels(options?: BuildKernelsOptions): Promise<string>;
export declare function kernelsStale(wasmPath?: string): boolean;
export declare function ensureKernelsBuilt(options?: BuildKernelsOptions): Promise<string>;
