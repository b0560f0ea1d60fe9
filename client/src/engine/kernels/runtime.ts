// Loads the AssemblyScript kernel module (generated/kernels/sparse.wasm) in Node or a browser and owns a bump
// arena in its linear memory. Kernels work on arena buffers (WasmF32 / WasmI32: a byte address and a length);
// typed-array views over them are made fresh on every access because memory.grow detaches older views.
//
// Lifetimes: allocation is LIFO. Create long-lived things (kernel structures, weights) first; per-call scratch
// uses mark()/release(). reset() frees everything, including every kernel created on this runtime.
import type { KernelExports } from './exports.js';

export interface WasmF32 {
  readonly type: 'f32';
  readonly ptr: number;
  readonly length: number;
}

export interface WasmI32 {
  readonly type: 'i32';
  readonly ptr: number;
  readonly length: number;
}

/** A wasm file path or URL, its bytes, or a compiled module. */
export type KernelSource = string | URL | ArrayBuffer | Uint8Array | WebAssembly.Module;

const PAGE = 65536;
const ALIGN = 16;
const WASM_RELATIVE = 'generated/kernels/sparse.wasm';

let defaultModule: Promise<WebAssembly.Module> | undefined;
/** Where a browser fetches the default kernels from (set by the page that serves them); Node reads the file. */
let defaultSourceUrl: string | URL | undefined;

/**
 * Outside Node, the URL the default kernels are fetched from (a bundle cannot find them relative to its own URL).
 * Call before the first compileDefault().
 */
export function useKernelUrl(url: string | URL): void {
  defaultSourceUrl = url;
  defaultModule = undefined;
}

export class KernelRuntime {
  private top: number;
  private readonly base: number;

  private constructor(readonly raw: KernelExports) {
    this.base = align(raw.heapBase());
    this.top = this.base;
  }

  /**
   * The compiled kernel module from generated/kernels/sparse.wasm, compiled once per process: every model
   * instantiates its own runtime (its own memory) from it cheaply with load(module).
   */
  static compileDefault(): Promise<WebAssembly.Module> {
    defaultModule ??= readSource(undefined)
      .then((bytes) => WebAssembly.compile(toBufferSource(bytes)))
      .catch((error: unknown) => {
        defaultModule = undefined;
        throw error;
      });
    return defaultModule;
  }

  /** Instantiates the kernels; without a source, finds generated/kernels/sparse.wasm (Node) or fetches it (browser). */
  static async load(source?: KernelSource): Promise<KernelRuntime> {
    const module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(toBufferSource(await readSource(source)));
    const instance = await WebAssembly.instantiate(module, {});
    return new KernelRuntime(instance.exports as unknown as KernelExports);
  }

  get bytesInUse(): number {
    return this.top - this.base;
  }

  allocF32(length: number): WasmF32 {
    return { type: 'f32', ptr: this.alloc(length), length };
  }

  allocI32(length: number): WasmI32 {
    return { type: 'i32', ptr: this.alloc(length), length };
  }

  uploadF32(data: ArrayLike<number>): WasmF32 {
    const buffer = this.allocF32(data.length);
    this.f32(buffer).set(data);
    return buffer;
  }

  uploadI32(data: ArrayLike<number>): WasmI32 {
    const buffer = this.allocI32(data.length);
    this.i32(buffer).set(data);
    return buffer;
  }

  /** A live view (invalid after the next allocation that grows memory). */
  f32(buffer: WasmF32): Float32Array {
    return new Float32Array(this.raw.memory.buffer, buffer.ptr, buffer.length);
  }

  i32(buffer: WasmI32): Int32Array {
    return new Int32Array(this.raw.memory.buffer, buffer.ptr, buffer.length);
  }

  /** A copy of the buffer's contents. */
  read(buffer: WasmF32): Float32Array {
    return this.f32(buffer).slice();
  }

  write(buffer: WasmF32, data: ArrayLike<number>): void {
    if (data.length !== buffer.length) throw new RangeError(`write: buffer holds ${buffer.length} floats, got ${data.length}`);
    this.f32(buffer).set(data);
  }

  zero(buffer: WasmF32): void {
    this.f32(buffer).fill(0);
  }

  mark(): number {
    return this.top;
  }

  release(mark: number): void {
    if (mark < this.base || mark > this.top) throw new RangeError(`release: mark ${mark} is not below the arena top ${this.top}`);
    this.top = mark;
  }

  reset(): void {
    this.top = this.base;
  }

  /** Runs `body` with scratch allocations that are freed afterwards. */
  scratch<T>(body: () => T): T {
    const mark = this.mark();
    try {
      return body();
    } finally {
      this.release(mark);
    }
  }

  private alloc(length: number): number {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`alloc: invalid length ${length}`);
    const ptr = this.top;
    const end = align(ptr + 4 * length);
    const memory = this.raw.memory;
    if (end > memory.buffer.byteLength) memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
    this.top = end;
    return ptr;
  }
}

function align(address: number): number {
  return Math.ceil(address / ALIGN) * ALIGN;
}

function toBufferSource(bytes: ArrayBuffer | Uint8Array): ArrayBuffer {
  if (bytes instanceof ArrayBuffer) return bytes;
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

async function readSource(source: string | URL | ArrayBuffer | Uint8Array | undefined): Promise<ArrayBuffer | Uint8Array> {
  if (typeof source !== 'string' && !(source instanceof URL) && source !== undefined) return source;
  const fs = globalThis.process?.getBuiltinModule?.('node:fs/promises');
  if (fs !== undefined) return readFromDisk(fs, source);
  const url = source ?? defaultSourceUrl ?? new URL(`../../../../${WASM_RELATIVE}`, import.meta.url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not fetch kernels from ${String(url)}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

/** Node built-ins are looked up at run time (process.getBuiltinModule), so this module still loads in a browser. */
async function readFromDisk(fs: typeof import('node:fs/promises'), source: string | URL | undefined): Promise<Uint8Array> {
  if (source !== undefined) return fs.readFile(source);
  const path = globalThis.process.getBuiltinModule('node:path');
  const { fileURLToPath } = globalThis.process.getBuiltinModule('node:url');
  // Walk up from this module (src or dist layout) to the directory that holds the generated wasm.
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, WASM_RELATIVE);
    try {
      return await fs.readFile(candidate);
    } catch {
      if (path.dirname(dir) === dir) {
        throw new Error(`${WASM_RELATIVE} not found; build it with: node client/src/engine/kernels/build.mjs`);
      }
    }
  }
}
