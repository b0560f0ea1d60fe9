// A pool of workers that run kernel calls over one shared WebAssembly.Memory. A call is a list of slices (disjoint
// parts of the work); the calling thread publishes them and then claims and runs slices itself, as every worker
// does (protocol.ts), so a worker that wakes late or not at all only leaves more slices to the calling thread, which
// returns once every slice is done. A call may have several phases (each a barrier after the previous one), so a
// layer op made of dependent kernel calls (gather, then multiply) costs one hand-off. Calls are synchronous, like
// the single-threaded kernels, so a pool needs a thread that may block: Node's main thread or a Web Worker.
import { ARG_STRIDE, ARGS, CLAIM, CLAIM_TAG_MASK, claimWord, controlLength, DONE, EXIT, FAILED, FAILED_SLICE, GENERATION, MAX_SLICES, POOL_FUNCTIONS, SLICE_HEADER, sliceHeader, type PoolFunction } from './protocol.js';
import type { PoolWorker, ThreadPlatform } from './platform.js';

/** Slices of one kernel export. */
export interface PoolTask {
  readonly fn: PoolFunction;
  readonly slices: readonly (readonly number[])[];
}

/** Tasks that may run in any order and at once; a call's phases run one after another. */
export type PoolPhase = readonly PoolTask[];

/** Runs one slice on the calling thread: the export's index in POOL_FUNCTIONS and the slice's arguments. */
export type LocalCall = (fn: number, args: readonly number[]) => void;

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
  /**
   * Microseconds any thread polls at a phase barrier of a phased call before it blocks (default
   * DEFAULT_BARRIER_SPIN_US). The thread it waits for is running the last slices of the phase before.
   */
  readonly barrierSpin?: number;
}

/**
 * No polling by default: on 2 vCPUs shared with other work a polling thread takes the core another thread needs
 * (a worker's 30 µs poll lowered the kernels' 2-thread scaling under load from 0.96× to 0.91× median, bench/README.md).
 */
export const DEFAULT_SPIN_US = 0;
export const DEFAULT_WAIT_SPIN_US = 0;
/**
 * A phase barrier is short: the slices still running are the last, smallest ones of guided self-scheduling
 * (partition.ts), so a brief poll usually spares the futex sleep and wake-up (tens of µs) without holding a core long.
 */
export const DEFAULT_BARRIER_SPIN_US = 20;

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

/** Waits until DONE reaches `target`: polls for up to `spinMs` (the clock read every 64 polls), then blocks. */
function awaitDone(ctrl: Int32Array, target: number, spinMs: number): void {
  let done = Atomics.load(ctrl, DONE);
  if (done < target && spinMs > 0) {
    const end = performance.now() + spinMs;
    for (let k = 1; (done = Atomics.load(ctrl, DONE)) < target; k++) if ((k & 63) === 0 && performance.now() >= end) break;
  }
  for (; done < target; done = Atomics.load(ctrl, DONE)) Atomics.wait(ctrl, DONE, done);
}

export class KernelThreadPool {
  private readonly control: Int32Array;
  private generation = 0;
  private closed = false;
  private localSlices = 0;
  private totalSlices = 0;
  /** The arguments of the current call's slices, by slice number (reused from call to call). */
  private readonly sliceArgs: (readonly number[])[] = [];

  private constructor(
    readonly threads: number,
    private readonly workers: readonly PoolWorker[],
    control: SharedArrayBuffer,
    private readonly waitSpinMs: number,
    private readonly barrierSpinMs: number,
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
        worker.postMessage({ module: options.module, memory: options.memory, control, index, names: POOL_FUNCTIONS, generation: 0, spin: options.spin ?? DEFAULT_SPIN_US, barrierSpin: options.barrierSpin ?? DEFAULT_BARRIER_SPIN_US });
        const reply = await ready;
        if (reply !== 'ready') throw new Error(`kernel worker ${index} answered ${String(reply)}`);
      }
    } catch (error) {
      await Promise.all(workers.map((worker) => worker.terminate()));
      throw error;
    }
    return new KernelThreadPool(threads, workers, control, (options.waitSpin ?? DEFAULT_WAIT_SPIN_US) / 1000, (options.barrierSpin ?? DEFAULT_BARRIER_SPIN_US) / 1000);
  }

  /**
   * Runs `fn` once per slice, on whichever thread claims it first (the calling thread through `local`); slices may
   * outnumber the threads (at most MAX_SLICES). Returns when every slice is done; throws if one trapped.
   */
  run(fn: PoolFunction, slices: readonly (readonly number[])[], local: LocalCall): void {
    this.runPhases([[{ fn, slices }]], local);
  }

  /**
   * Runs the phases' slices in one hand-off: every slice of a phase finishes before any slice of the next starts.
   * After a slice traps, the slices not yet started are skipped and the call throws.
   */
  runPhases(phases: readonly PoolPhase[], local: LocalCall): void {
    if (this.closed) throw new Error('kernel thread pool is closed');
    let count = 0;
    for (const phase of phases) for (const task of phase) count += task.slices.length;
    if (count > MAX_SLICES) throw new RangeError(`${count} slices, at most ${MAX_SLICES}`);
    if (count === 0) return;
    const ctrl = this.control;
    // Slice s's arguments (entries past this call's count are stale and never read).
    const args = this.sliceArgs;
    let s = 0;
    for (let p = 0; p < phases.length; p++) {
      const phase = phases[p];
      const start = s;
      let end = s;
      for (let t = 0; t < phase.length; t++) end += phase[t].slices.length;
      for (let t = 0; t < phase.length; t++) {
        const { fn, slices } = phase[t];
        const header = sliceHeader(FUNCTION_IDS.get(fn) as number, start, end);
        for (let i = 0; i < slices.length; i++) {
          const sliceArgs = slices[i];
          if (sliceArgs.length > ARG_STRIDE - SLICE_HEADER) throw new RangeError(`${fn}: ${sliceArgs.length} arguments, at most ${ARG_STRIDE - SLICE_HEADER}`);
          const base = ARGS + ARG_STRIDE * s;
          ctrl[base] = sliceArgs.length;
          ctrl[base + 1] = header;
          for (let k = 0; k < sliceArgs.length; k++) ctrl[base + SLICE_HEADER + k] = sliceArgs[k];
          args[s++] = sliceArgs;
        }
      }
    }
    if (count === 1) {
      local(ctrl[ARGS + 1] & 0xff, args[0]);
      return;
    }
    ctrl[FAILED] = 0;
    ctrl[DONE] = 0;
    const generation = (this.generation = (this.generation + 1) | 0);
    Atomics.store(ctrl, CLAIM, claimWord(generation, count));
    Atomics.store(ctrl, GENERATION, generation);
    Atomics.notify(ctrl, GENERATION);
    let localError: unknown;
    const tag = generation & CLAIM_TAG_MASK;
    for (let word = claimSlice(ctrl, tag); word >= 0; word = claimSlice(ctrl, tag)) {
      const slice = word & 0xff;
      const header = ctrl[ARGS + ARG_STRIDE * slice + 1];
      const start = (header >>> 8) & 0xff;
      const end = header >>> 16;
      if (start > 0) awaitDone(ctrl, start, this.barrierSpinMs);
      if (Atomics.load(ctrl, FAILED) === 0) {
        try {
          local(header & 0xff, args[slice]);
        } catch (error) {
          localError = error;
          Atomics.compareExchange(ctrl, FAILED, 0, 1);
        }
      }
      this.localSlices += 1;
      // Workers wait on DONE only at a phase barrier; the last phase's end is for this thread alone.
      if (Atomics.add(ctrl, DONE, 1) === end - 1 && end !== count) Atomics.notify(ctrl, DONE);
    }
    this.totalSlices += count;
    awaitDone(ctrl, count, this.waitSpinMs);
    if (localError !== undefined) throw localError;
    const failed = Atomics.load(ctrl, FAILED);
    if (failed !== 0) throw new Error(`${POOL_FUNCTIONS[ctrl[ARGS + ARG_STRIDE * ctrl[FAILED_SLICE] + 1] & 0xff]} failed on kernel worker ${failed - 1}`);
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
