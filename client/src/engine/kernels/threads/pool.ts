// A pool of workers that run kernel calls over one shared WebAssembly.Memory. A call is a list of slices (disjoint
// parts of the work); the calling thread publishes them and then claims and runs slices itself, as every worker
// does (protocol.ts), so a worker that wakes late or not at all only leaves more slices to the calling thread, which
// returns once every slice is done. Calls are synchronous, like the single-threaded kernels, so a pool needs a
// thread that may block: Node's main thread or a Web Worker.
import { ARG_STRIDE, ARGS, CLAIM, CLAIM_TAG_MASK, claimWord, controlLength, DONE, EXIT, FAILED, FUNCTION, GENERATION, MAX_SLICES, POOL_FUNCTIONS, type PoolFunction } from './protocol.js';
import type { PoolWorker, ThreadPlatform } from './platform.js';

export interface KernelPoolOptions {
  /** Total threads, the calling thread included (≥ 2). */
  readonly threads: number;
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly platform: ThreadPlatform;
  /** Microseconds a worker polls for the next call after its last slice before it blocks (default DEFAULT_SPIN_US). */
  readonly spin?: number;
  /**
   * Microseconds the calling thread polls for a worker's last slice before it blocks (default DEFAULT_WAIT_SPIN_US).
   * It only waits once every slice is claimed, i.e. while a worker is running one.
   */
  readonly waitSpin?: number;
}

/**
 * No polling by default: on 2 vCPUs shared with other work a polling thread takes the core another thread needs
 * (a worker's 30 µs poll lowered the kernels' 2-thread scaling under load from 0.96× to 0.91× median, bench/README.md).
 */
export const DEFAULT_SPIN_US = 0;
export const DEFAULT_WAIT_SPIN_US = 0;

const FUNCTION_IDS = new Map<PoolFunction, number>(POOL_FUNCTIONS.map((name, id) => [name, id]));

/**
 * Claims the next slice of the call tagged `tag`: the claim word taken (slice = bits 0–7, count = bits 8–15), or −1
 * when every slice is taken or a newer call was published. The workers run a twin of this (worker-source.ts).
 */
function claimSlice(ctrl: Int32Array, tag: number): number {
  for (;;) {
    const word = Atomics.load(ctrl, CLAIM);
    if (word >>> 16 !== tag || (word & 0xff) >= ((word >>> 8) & 0xff)) return -1;
    if (Atomics.compareExchange(ctrl, CLAIM, word, word + 1) === word) return word;
  }
}

export class KernelThreadPool {
  private readonly control: Int32Array;
  private generation = 0;
  private closed = false;
  private localSlices = 0;
  private totalSlices = 0;

  private constructor(
    readonly threads: number,
    private readonly workers: readonly PoolWorker[],
    control: SharedArrayBuffer,
    private readonly waitSpinMs: number,
  ) {
    this.control = new Int32Array(control);
  }

  static async start(options: KernelPoolOptions): Promise<KernelThreadPool> {
    const { threads, platform } = options;
    if (!Number.isInteger(threads) || threads < 2) throw new RangeError(`a pool needs at least 2 threads, got ${threads}`);
    if (!platform.canBlock()) throw new Error('this thread cannot block on Atomics.wait (a browser main thread): run the engine in a worker');
    const control = new SharedArrayBuffer(4 * controlLength());
    const workers: PoolWorker[] = [];
    try {
      for (let index = 1; index < threads; index++) {
        const worker = platform.spawn();
        workers.push(worker);
        const ready = worker.nextMessage();
        worker.postMessage({ module: options.module, memory: options.memory, control, index, names: POOL_FUNCTIONS, generation: 0, spin: options.spin ?? DEFAULT_SPIN_US });
        const reply = await ready;
        if (reply !== 'ready') throw new Error(`kernel worker ${index} answered ${String(reply)}`);
      }
    } catch (error) {
      await Promise.all(workers.map((worker) => worker.terminate()));
      throw error;
    }
    return new KernelThreadPool(threads, workers, control, (options.waitSpin ?? DEFAULT_WAIT_SPIN_US) / 1000);
  }

  /**
   * Runs `fn` once per slice, on whichever thread claims it first (the calling thread through `local`); slices may
   * outnumber the threads (at most MAX_SLICES). Returns when every slice is done; throws if one trapped.
   */
  run(fn: PoolFunction, slices: readonly (readonly number[])[], local: (args: readonly number[]) => void): void {
    if (this.closed) throw new Error('kernel thread pool is closed');
    const count = slices.length;
    if (count > MAX_SLICES) throw new RangeError(`${count} slices, at most ${MAX_SLICES}`);
    if (count === 0) return;
    if (count === 1) {
      local(slices[0]);
      return;
    }
    const ctrl = this.control;
    ctrl[FUNCTION] = FUNCTION_IDS.get(fn) as number;
    ctrl[FAILED] = 0;
    ctrl[DONE] = 0;
    for (let s = 0; s < count; s++) {
      const args = slices[s];
      if (args.length >= ARG_STRIDE) throw new RangeError(`${fn}: ${args.length} arguments, at most ${ARG_STRIDE - 1}`);
      const base = ARGS + ARG_STRIDE * s;
      ctrl[base] = args.length;
      for (let k = 0; k < args.length; k++) ctrl[base + 1 + k] = args[k];
    }
    const generation = (this.generation = (this.generation + 1) | 0);
    Atomics.store(ctrl, CLAIM, claimWord(generation, count));
    Atomics.store(ctrl, GENERATION, generation);
    Atomics.notify(ctrl, GENERATION);
    let localError: unknown;
    const tag = generation & CLAIM_TAG_MASK;
    for (let word = claimSlice(ctrl, tag); word >= 0; word = claimSlice(ctrl, tag)) {
      try {
        local(slices[word & 0xff]);
      } catch (error) {
        localError ??= error;
      }
      this.localSlices += 1;
      Atomics.add(ctrl, DONE, 1);
    }
    this.totalSlices += count;
    let done = Atomics.load(ctrl, DONE);
    if (done !== count && this.waitSpinMs > 0) {
      const end = performance.now() + this.waitSpinMs;
      for (let k = 1; (done = Atomics.load(ctrl, DONE)) !== count; k++) if ((k & 63) === 0 && performance.now() >= end) break;
    }
    for (; done !== count; done = Atomics.load(ctrl, DONE)) Atomics.wait(ctrl, DONE, done);
    if (localError !== undefined) throw localError;
    const failed = Atomics.load(ctrl, FAILED);
    if (failed !== 0) throw new Error(`${fn} failed on kernel worker ${failed - 1}`);
  }

  /** Slices the calling thread ran, and all slices run, since the pool started (how much the workers took). */
  get sliceCounts(): { readonly local: number; readonly total: number } {
    return { local: this.localSlices, total: this.totalSlices };
  }

  /** Stops every worker; the pool cannot run again. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.control, EXIT, 1);
    Atomics.store(this.control, GENERATION, (this.generation + 1) | 0);
    Atomics.notify(this.control, GENERATION);
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
