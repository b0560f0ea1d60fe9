// Types of build.mjs (kept as plain JS so it runs without the TypeScript build).
export type KernelVariant = 'simd' | 'scalar' | 'threads';

export interface BuildKernelsOptions {
  /** Defaults to the variant's file under generated/kernels/ (sparse.wasm for simd). */
  readonly outFile?: string;
  /** Which build (default simd). */
  readonly variant?: KernelVariant;
  readonly quiet?: boolean;
}

export declare const projectRoot: string;
export declare const kernelDir: string;
export declare const kernelWasmPath: string;
export declare const KERNEL_VARIANTS: Readonly<Record<KernelVariant, { readonly target: string; readonly file: string }>>;
export declare function kernelVariantPath(variant: KernelVariant): string;
export declare function buildKernels(options?: BuildKernelsOptions): Promise<string>;
export declare function kernelsStale(wasmPath?: string): boolean;
export declare function ensureKernelsBuilt(options?: BuildKernelsOptions): Promise<string>;
