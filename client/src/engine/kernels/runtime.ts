// Loads the AssemblyScript kernel module (generated/kernels/: SIMD, scalar or SIMD+threads, see variants.ts) in Node
// or a browser and owns a bump arena in its linear memory. With the threads build, a worker pool runs the same module
// over the same shared memory and `parallel` spreads a kernel call's slices over it (KernelRuntime.create). Kernels work on arena buffers (WasmF32 / WasmI32: a byte address and a length);
// typed-array views over them are made fresh on every access because memory.grow detaches older views.
//
// Lifetimes: allocation is LIFO. Create long-lived things (kernel structures, weights) first; per-call scratch
// uses mark()/release(). reset() frees everything, including every kernel created on this runtime.
import type { KernelExports } from './exports.js';
import { defaultThreadPlatform, type ThreadPlatform } from './threads/platform.js';
import { MAX_RANGES, MIN_PARALLEL_WORK, MIN_SLICE_WORK, minParallelWorkFor, rangeCount, slicesFor, type RowRange } from './threads/partition.js';
import { KernelThreadPool, type PoolPhase } from './threads/pool.js';
import { MAX_SLICES, POOL_FUNCTIONS, type PoolFunction } from './threads/protocol.js';
import { detectKernelVariant, hasSharedMemory, hasWasmSimd, KERNEL_FILES, THREADS_MAX_PAGES, type KernelVariant } from './variants.js';

export type { PoolPhase as KernelPhase, PoolTask as KernelTask } from './threads/pool.js';

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

export interface WasmU16 {
  readonly type: 'u16';
  readonly ptr: number;
  readonly length: number;
}

/** An index array in kernel memory: uint16 where every entry fits, else int32 (kernels exist for both). */
export type WasmIndex = WasmI32 | WasmU16;

/** Largest entry a uint16 index holds. */
export const U16_MAX = 0xffff;

/** A wasm file path or URL, its bytes, or a compiled module. */
export type KernelSource = string | URL | ArrayBuffer | Uint8Array | WebAssembly.Module;

type KernelCall = (...args: readonly number[]) => void;

const PAGE = 65536;
const ALIGN = 16;
const KERNEL_DIR = 'generated/kernels/';
/** Initial pages of a threads runtime's shared memory (it grows on demand up to THREADS_MAX_PAGES). */
const SHARED_INITIAL_PAGES = 16;

const compiled = new Map<KernelVariant, Promise<WebAssembly.Module>>();

export interface KernelRuntimeOptions {
  /** Total threads wanted, the calling thread included: 'auto' = the device's cores (at most 8). Default 1. */
  readonly threads?: 'auto' | number;
  /** Force a build; default: detected (threads when more than one thread is wanted and possible, else SIMD or scalar). */
  readonly variant?: KernelVariant;
  /** The wasm of the chosen variant (path, URL, bytes or module); default: generated/kernels/ (Node) or fetched (browser). */
  readonly source?: KernelSource;
  /** Where the browser fetches generated/kernels/ files from (a folder URL ending in '/'). */
  readonly baseUrl?: string | URL;
  /** Set false to behave as if SharedArrayBuffer were missing (tests the one-thread fallback). */
  readonly sharedMemory?: boolean;
  readonly platform?: ThreadPlatform;
  /** Microseconds a pool worker polls for the next call before blocking (KernelPoolOptions.spin). */
  readonly spin?: number;
  /** Microseconds the calling thread polls for the workers' last slices before blocking (KernelPoolOptions.waitSpin). */
  readonly waitSpin?: number;
  /** Microseconds a thread polls at a phase barrier of a phased call before blocking (KernelPoolOptions.barrierSpin). */
  readonly barrierSpin?: number;
  /**
   * Work (multiply-adds, moved floats) below which a call stays on the calling thread; default MIN_PARALLEL_WORK,
   * or AUTO_MIN_PARALLEL_WORK with threads: 'auto' (threads/partition.ts says why).
   */
  readonly minParallelWork?: number;
  /** Least work of one slice of a split call (default MIN_SLICE_WORK). */
  readonly minSliceWork?: number;
}

/** What a runtime runs: which build, how many threads, and why fewer than asked when so. */
export interface KernelRuntimeInfo {
  readonly variant: KernelVariant;
  readonly threads: number;
  readonly requestedThreads: number;
  readonly threadFallbackReason?: string;
}

/** Where a browser fetches the kernel builds from when a runtime names no baseUrl (Node reads the files). */
let defaultBaseUrl: string | URL | undefined;

/**
 * Outside Node, the folder URL (ending in '/') the kernel builds are fetched from: a bundle cannot find them
 * relative to its own URL. Call before the first runtime is created.
 */
export function useKernelUrl(folder: string | URL): void {
  defaultBaseUrl = folder;
  compiled.clear();
}

export class KernelRuntime {
  private top: number;
  private readonly base: number;
  private pool: KernelThreadPool | undefined;
  private info: KernelRuntimeInfo;
  private pooledCalls = 0;
  /** Work below which kernel calls are not split over the pool. */
  minParallelWork = MIN_PARALLEL_WORK;
  /** Least work of one slice of a split call. */
  minSliceWork = MIN_SLICE_WORK;

  private constructor(
    readonly raw: KernelExports,
    variant: KernelVariant,
  ) {
    this.poolExports = POOL_FUNCTIONS.map((name) => raw[name] as unknown as KernelCall);
    this.base = align(raw.heapBase());
    this.top = this.base;
    this.info = { variant, threads: 1, requestedThreads: 1 };
  }

  /**
   * The compiled kernel module of a variant (default SIMD), compiled once per process: every model instantiates
   * its own runtime (its own memory) from it cheaply with load(module).
   */
  static compileDefault(variant: KernelVariant = 'simd', baseUrl?: string | URL): Promise<WebAssembly.Module> {
    let module = compiled.get(variant);
    if (module === undefined) {
      module = readSource(undefined, variant, baseUrl)
        .then((bytes) => WebAssembly.compile(toBufferSource(bytes)))
        .catch((error: unknown) => {
          compiled.delete(variant);
          throw error;
        });
      compiled.set(variant, module);
    }
    return module;
  }

  /** Instantiates the single-threaded SIMD kernels (or `source`, a SIMD or scalar build); one thread. */
  static async load(source?: KernelSource): Promise<KernelRuntime> {
    const module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(toBufferSource(await readSource(source, 'simd')));
    const instance = await WebAssembly.instantiate(module, {});
    return new KernelRuntime(instance.exports as unknown as KernelExports, 'simd');
  }

  /**
   * A runtime on the best build for this device and job: with more than one thread wanted, the threads build and a
   * worker pool where shared memory, workers and a blocking-capable thread exist; otherwise one thread on SIMD (or
   * scalar without SIMD), with the reason in info().threadFallbackReason.
   */
  static async create(options: KernelRuntimeOptions = {}): Promise<KernelRuntime> {
    const platform = options.platform ?? defaultThreadPlatform();
    const requested = resolveThreads(options.threads ?? 1, platform);
    const blocker = requested > 1 ? threadBlocker(options, platform) : undefined;
    const variant = options.variant ?? (requested > 1 && blocker === undefined ? 'threads' : detectKernelVariant(false));
    const module = await moduleOf(options, variant);
    if (variant !== 'threads') {
      const instance = await WebAssembly.instantiate(module, {});
      const rt = new KernelRuntime(instance.exports as unknown as KernelExports, variant);
      rt.info = { variant, threads: 1, requestedThreads: requested, ...(requested > 1 ? { threadFallbackReason: blocker ?? `the ${variant} build runs one thread` } : {}) };
      return rt;
    }
    const memory = new WebAssembly.Memory({ initial: SHARED_INITIAL_PAGES, maximum: THREADS_MAX_PAGES, shared: true });
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    const rt = new KernelRuntime(instance.exports as unknown as KernelExports, variant);
    rt.minParallelWork = options.minParallelWork ?? minParallelWorkFor(options.threads ?? 1);
    rt.minSliceWork = options.minSliceWork ?? MIN_SLICE_WORK;
    let reason = blocker;
    if (requested > 1 && reason === undefined) {
      try {
        rt.pool = await KernelThreadPool.start({
          threads: requested,
          module,
          memory,
          platform,
          ...(options.spin === undefined ? {} : { spin: options.spin }),
          ...(options.waitSpin === undefined ? {} : { waitSpin: options.waitSpin }),
          ...(options.barrierSpin === undefined ? {} : { barrierSpin: options.barrierSpin }),
        });
      } catch (error) {
        reason = `the worker pool did not start (${error instanceof Error ? error.message : String(error)})`;
      }
    }
    rt.info = { variant, threads: rt.pool?.threads ?? 1, requestedThreads: requested, ...(reason === undefined ? {} : { threadFallbackReason: reason }) };
    return rt;
  }

  /** Which build runs, on how many threads (and why fewer than requested). */
  describe(): KernelRuntimeInfo {
    return this.info;
  }

  /** Threads a kernel call may be split over (1 without a pool). */
  get threads(): number {
    return this.info.threads;
  }

  /**
   * How many ranges of about equal work a kernel cuts its rows into, once per mask (1 on one thread); slices() then
   * groups them per call.
   */
  get parts(): number {
    return rangeCount(this.info.threads, MAX_RANGES);
  }

  /**
   * Runs kernel `fn` once per argument list, each list a disjoint slice of the work: in parallel on the pool when
   * there is one (any number of slices up to MAX_RANGES; each thread claims the next one left), else one after
   * another. Slices must not write overlapping memory.
   */
  parallel(fn: PoolFunction, slices: readonly (readonly number[])[]): void {
    if (this.pool === undefined || slices.length < 2) {
      const call = this.raw[fn] as unknown as KernelCall;
      for (const args of slices) call(...args);
      return;
    }
    this.pool.run(fn, slices, this.localCall);
    this.pooledCalls += 1;
  }

  /**
   * Runs dependent kernel calls as one pool call: every slice of a phase (its tasks' slices, which must not write
   * memory another slice of the phase reads or writes) finishes before any slice of the next phase starts. One
   * hand-off to the workers instead of one per call; on one thread, or when no phase has two slices, the slices
   * simply run in order.
   */
  phased(phases: readonly PoolPhase[]): void {
    const pool = this.pool;
    let total = 0;
    let split = false;
    for (const phase of phases) {
      let count = 0;
      for (const task of phase) count += task.slices.length;
      total += count;
      split ||= count > 1;
    }
    if (pool === undefined || !split) {
      for (const phase of phases) {
        for (const task of phase) {
          const call = this.raw[task.fn] as unknown as KernelCall;
          for (const args of task.slices) call(...args);
        }
      }
      return;
    }
    // More slices than one call holds (many threads): one call per task, in order.
    if (total > MAX_SLICES) {
      for (const phase of phases) for (const task of phase) this.parallel(task.fn, task.slices);
      return;
    }
    pool.runPhases(phases, this.localCall);
    this.pooledCalls += 1;
  }

  /** The pool's exports by POOL_FUNCTIONS index, for the slices the calling thread runs. */
  private readonly poolExports: readonly KernelCall[];
  private readonly localCall = (fn: number, args: readonly number[]): void => {
    this.poolExports[fn](...args);
  };

  /** Kernel calls that ran split over the pool (0 on one thread). */
  get parallelCalls(): number {
    return this.pooledCalls;
  }

  /**
   * The slices of a call of this much work over `ranges` (a kernel's ranges from `parts`): one range spanning them
   * when the call is too small to pay for the pool, else groups of them (threads/partition.ts slicesFor).
   */
  slices(ranges: readonly RowRange[], work: number): readonly RowRange[] {
    return slicesFor(ranges, work, { threads: this.pool === undefined ? 1 : this.pool.threads, minWork: this.minParallelWork, minSliceWork: this.minSliceWork });
  }

  /** Slices the calling thread ran, and all slices run, on the pool (both 0 on one thread). */
  get poolSlices(): { readonly local: number; readonly total: number } {
    return this.pool?.sliceCounts ?? { local: 0, total: 0 };
  }

  /** Stops the worker pool (the runtime keeps working on one thread). */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (pool !== undefined) {
      await pool.close();
      this.info = { ...this.info, threads: 1 };
    }
  }

  get bytesInUse(): number {
    return this.top - this.base;
  }

  allocF32(length: number): WasmF32 {
    return { type: 'f32', ptr: this.alloc(4 * length), length };
  }

  allocI32(length: number): WasmI32 {
    return { type: 'i32', ptr: this.alloc(4 * length), length };
  }

  /**
   * Uploads index entries as uint16 when `maxEntry` (an upper bound of every entry, e.g. the column count − 1)
   * fits 16 bits, else as int32: half the index memory for layers up to 65,536 columns.
   */
  uploadIndex(data: ArrayLike<number>, maxEntry: number): WasmIndex {
    if (maxEntry > U16_MAX) return this.uploadI32(data);
    const buffer: WasmU16 = { type: 'u16', ptr: this.alloc(2 * data.length), length: data.length };
    new Uint16Array(this.raw.memory.buffer, buffer.ptr, data.length).set(data);
    return buffer;
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

  private alloc(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`alloc: invalid length ${bytes / 4}`);
    const ptr = this.top;
    const end = align(ptr + bytes);
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

/** Total threads for a request: 'auto' = the platform's cores, at most 8; a number is taken as is (≥ 1). */
export function resolveThreads(requested: 'auto' | number, platform: ThreadPlatform): number {
  if (requested === 'auto') return Math.max(1, Math.min(8, platform.cores()));
  if (!Number.isInteger(requested) || requested < 1) throw new RangeError(`threads must be 'auto' or a positive integer, got ${requested}`);
  return requested;
}

/** Why this environment cannot run more than one kernel thread, or undefined when it can. */
function threadBlocker(options: KernelRuntimeOptions, platform: ThreadPlatform): string | undefined {
  if (options.variant !== undefined && options.variant !== 'threads') return `the ${options.variant} build was requested`;
  if (options.sharedMemory === false) return 'shared memory is disabled';
  if (!hasWasmSimd()) return 'WebAssembly SIMD is not available (the threads build needs it)';
  if (!hasSharedMemory()) return 'SharedArrayBuffer / WebAssembly shared memory is not available (a page needs cross-origin isolation)';
  if (!platform.hasWorkers()) return 'workers are not available';
  if (!platform.canBlock()) return 'this thread cannot block on Atomics.wait (a browser main thread): run the engine in a worker';
  return undefined;
}

async function moduleOf(options: KernelRuntimeOptions, variant: KernelVariant): Promise<WebAssembly.Module> {
  if (options.source instanceof WebAssembly.Module) return options.source;
  if (options.source !== undefined) return WebAssembly.compile(toBufferSource(await readSource(options.source, variant)));
  return KernelRuntime.compileDefault(variant, options.baseUrl);
}

async function readSource(
  source: string | URL | ArrayBuffer | Uint8Array | undefined,
  variant: KernelVariant,
  baseUrl?: string | URL,
): Promise<ArrayBuffer | Uint8Array> {
  if (typeof source !== 'string' && !(source instanceof URL) && source !== undefined) return source;
  const fs = globalThis.process?.getBuiltinModule?.('node:fs/promises');
  if (fs !== undefined && !(source instanceof URL && source.protocol !== 'file:')) return readFromDisk(fs, source, KERNEL_DIR + KERNEL_FILES[variant]);
  const url = source ?? new URL(KERNEL_FILES[variant], baseUrl ?? defaultBaseUrl ?? new URL(`../../../../${KERNEL_DIR}`, import.meta.url));
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not fetch kernels from ${String(url)}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

/** Node built-ins are looked up at run time (process.getBuiltinModule), so this module still loads in a browser. */
async function readFromDisk(fs: typeof import('node:fs/promises'), source: string | URL | undefined, relative: string): Promise<Uint8Array> {
  if (source !== undefined) return fs.readFile(source);
  const path = globalThis.process.getBuiltinModule('node:path');
  const { fileURLToPath } = globalThis.process.getBuiltinModule('node:url');
  // Walk up from this module (src or dist layout) to the directory that holds the generated wasm.
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, relative);
    try {
      return await fs.readFile(candidate);
    } catch {
      if (path.dirname(dir) === dir) {
        throw new Error(`${relative} not found; build it with: node client/src/engine/kernels/build.mjs`);
      }
    }
  }
}
