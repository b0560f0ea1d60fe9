// A pool of workers that run kernel calls over one shared WebAssembly.Memory. The calling thread is thread 0: it
// hands slices 1..n−1 to the workers, runs slice 0 itself, then blocks in Atomics.wait until the workers are done
// (no busy-wait on the calling thread; workers spin briefly before blocking). Calls are synchronous, like the
// single-threaded kernels, so a pool needs a thread that may block: Node's main thread or a Web Worker.
import { ARG_STRIDE, ARGS, controlLength, EXIT, FAILED, FUNCTION, GENERATION, PENDING, POOL_FUNCTIONS, type PoolFunction } from './protocol.js';
import type { PoolWorker, ThreadPlatform } from './platform.js';

export interface KernelPoolOptions {
  /** Total threads, the calling thread included (≥ 2). */
  readonly threads: number;
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly platform: ThreadPlatform;
  /** Iterations a worker (and the calling thread, for completion) polls before blocking (default 0). */
  readonly spin?: number;
}

/**
 * No polling by default: measured here (2 busy cores), an empty round trip took 21 µs median with pure Atomics.wait
 * and 466 µs with 20,000 polls, because a polling thread holds the core the other thread needs to wake up on.
 */
const DEFAULT_SPIN = 0;

const FUNCTION_IDS = new Map<PoolFunction, number>(POOL_FUNCTIONS.map((name, id) => [name, id]));

export class KernelThreadPool {
  private readonly control: Int32Array;
  private closed = false;

  private constructor(
    readonly threads: number,
    private readonly workers: readonly PoolWorker[],
    control: SharedArrayBuffer,
    private readonly spin: number,
  ) {
    this.control = new Int32Array(control);
  }

  static async start(options: KernelPoolOptions): Promise<KernelThreadPool> {
    const { threads, platform } = options;
    if (!Number.isInteger(threads) || threads < 2) throw new RangeError(`a pool needs at least 2 threads, got ${threads}`);
    if (!platform.canBlock()) throw new Error('this thread cannot block on Atomics.wait (a browser main thread): run the engine in a worker');
    const control = new SharedArrayBuffer(4 * controlLength(threads));
    const workers: PoolWorker[] = [];
    try {
      for (let index = 1; index < threads; index++) {
        const worker = platform.spawn();
        workers.push(worker);
        const ready = worker.nextMessage();
        worker.postMessage({
          module: options.module,
          memory: options.memory,
          control,
          index,
          names: POOL_FUNCTIONS,
          generation: 0,
          spin: options.spin ?? DEFAULT_SPIN,
        });
        const reply = await ready;
        if (reply !== 'ready') throw new Error(`kernel worker ${index} answered ${String(reply)}`);
      }
    } catch (error) {
      await Promise.all(workers.map((worker) => worker.terminate()));
      throw error;
    }
    return new KernelThreadPool(threads, workers, control, options.spin ?? DEFAULT_SPIN);
  }

  /**
   * Runs `fn` once per slice: slice 0 on the calling thread (through `local`), slice t on worker t; slices may be
   * fewer than threads (the rest idle). Returns when every slice is done; throws if one trapped.
   */
  run(fn: PoolFunction, slices: readonly (readonly number[])[], local: (args: readonly number[]) => void): void {
    if (this.closed) throw new Error('kernel thread pool is closed');
    if (slices.length > this.threads) throw new RangeError(`${slices.length} slices for ${this.threads} threads`);
    if (slices.length === 0) return;
    if (slices.length === 1) {
      local(slices[0]);
      return;
    }
    const ctrl = this.control;
    ctrl[FUNCTION] = FUNCTION_IDS.get(fn) as number;
    ctrl[FAILED] = 0;
    for (let t = 1; t < this.threads; t++) {
      const base = ARGS + ARG_STRIDE * t;
      const args = slices[t];
      if (args === undefined) {
        ctrl[base] = -1;
        continue;
      }
      if (args.length >= ARG_STRIDE) throw new RangeError(`${fn}: ${args.length} arguments, at most ${ARG_STRIDE - 1}`);
      ctrl[base] = args.length;
      for (let k = 0; k < args.length; k++) ctrl[base + 1 + k] = args[k];
    }
    Atomics.store(ctrl, PENDING, this.threads - 1);
    Atomics.add(ctrl, GENERATION, 1);
    Atomics.notify(ctrl, GENERATION);
    let localError: unknown;
    try {
      local(slices[0]);
    } catch (error) {
      localError = error;
    }
    // An optional bounded poll (spin > 0) can save a futex sleep and wake-up per call on idle cores. Callers are
    // never a page's main thread (start() refuses those), so this blocks no UI.
    for (let k = 0; k < this.spin && Atomics.load(ctrl, PENDING) !== 0; k++);
    for (let pending = Atomics.load(ctrl, PENDING); pending !== 0; pending = Atomics.load(ctrl, PENDING)) {
      Atomics.wait(ctrl, PENDING, pending);
    }
    if (localError !== undefined) throw localError;
    const failed = Atomics.load(ctrl, FAILED);
    if (failed !== 0) throw new Error(`${fn} failed on kernel worker ${failed - 1}`);
  }

  /** Stops every worker; the pool cannot run again. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.control, EXIT, 1);
    Atomics.add(this.control, GENERATION, 1);
    Atomics.notify(this.control, GENERATION);
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
