// The platform side of the worker pool: how many cores the device has, how to start a worker that runs a source
// text, and whether this thread may block on Atomics.wait. Node uses worker_threads (looked up at run time through
// process.getBuiltinModule, so the engine still loads in a browser); browsers use Web Workers from a Blob URL.
import { browserWorkerSource, nodeWorkerSource } from './worker-source.js';

export interface PoolWorker {
  postMessage(message: unknown): void;
  /** Resolves with the worker's next message; rejects if it fails first. */
  nextMessage(): Promise<unknown>;
  terminate(): Promise<void>;
}

export interface ThreadPlatform {
  readonly name: 'node' | 'browser';
  /** Logical cores usable by this process. */
  cores(): number;
  /** Whether the calling thread may block in Atomics.wait (false on a browser's main thread). */
  canBlock(): boolean;
  /** Whether workers can be started at all. */
  hasWorkers(): boolean;
  spawn(): PoolWorker;
}

interface NodeWorker {
  postMessage(message: unknown): void;
  once(event: 'message' | 'error', listener: (value: unknown) => void): void;
  off(event: 'message' | 'error', listener: (value: unknown) => void): void;
  terminate(): Promise<number>;
  unref(): void;
}

interface NodeWorkerThreads {
  Worker: new (source: string, options: { eval: true }) => NodeWorker;
}

interface NodeOs {
  availableParallelism?: () => number;
  cpus(): unknown[];
}

type BuiltinLookup = (name: string) => unknown;

function builtin(): BuiltinLookup | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: BuiltinLookup } }).process;
  return proc?.getBuiltinModule?.bind(proc);
}

export function nodeThreadPlatform(lookup: BuiltinLookup): ThreadPlatform {
  const threads = lookup('node:worker_threads') as NodeWorkerThreads;
  const os = lookup('node:os') as NodeOs;
  return {
    name: 'node',
    cores: () => os.availableParallelism?.() ?? os.cpus().length,
    canBlock: () => true,
    hasWorkers: () => true,
    spawn: () => {
      const worker = new threads.Worker(nodeWorkerSource(), { eval: true });
      worker.unref(); // an idle pool never keeps the process alive
      return {
        postMessage: (message) => worker.postMessage(message),
        nextMessage: () =>
          new Promise((resolve, reject) => {
            const onMessage = (value: unknown) => (worker.off('error', reject), resolve(value));
            worker.once('message', onMessage);
            worker.once('error', (error) => (worker.off('message', onMessage), reject(error)));
          }),
        terminate: async () => {
          await worker.terminate();
        },
      };
    },
  };
}

interface BrowserWorker {
  postMessage(message: unknown): void;
  terminate(): void;
  addEventListener(type: 'message' | 'error', listener: (event: { data?: unknown; message?: string }) => void, options?: { once: boolean }): void;
}

interface BrowserGlobals {
  Worker?: new (url: string) => BrowserWorker;
  Blob?: new (parts: string[], options: { type: string }) => unknown;
  URL: { createObjectURL?: (blob: unknown) => string };
  navigator?: { hardwareConcurrency?: number };
  document?: unknown;
}

export function browserThreadPlatform(): ThreadPlatform {
  const g = globalThis as unknown as BrowserGlobals;
  let url: string | undefined;
  return {
    name: 'browser',
    cores: () => g.navigator?.hardwareConcurrency ?? 1,
    // Atomics.wait throws on a page's main thread; a dedicated worker (no document) may block.
    canBlock: () => g.document === undefined,
    hasWorkers: () => typeof g.Worker === 'function' && typeof g.Blob === 'function' && typeof g.URL.createObjectURL === 'function',
    spawn: () => {
      const Worker = g.Worker as NonNullable<BrowserGlobals['Worker']>;
      const Blob = g.Blob as NonNullable<BrowserGlobals['Blob']>;
      url ??= (g.URL.createObjectURL as (blob: unknown) => string)(new Blob([browserWorkerSource()], { type: 'text/javascript' }));
      const worker = new Worker(url);
      return {
        postMessage: (message) => worker.postMessage(message),
        nextMessage: () =>
          new Promise((resolve, reject) => {
            worker.addEventListener('message', (event) => resolve(event.data), { once: true });
            worker.addEventListener('error', (event) => reject(new Error(event.message ?? 'worker failed')), { once: true });
          }),
        terminate: async () => worker.terminate(),
      };
    },
  };
}

/** Node's platform under Node, the browser's elsewhere. */
export function defaultThreadPlatform(): ThreadPlatform {
  const lookup = builtin();
  return lookup === undefined ? browserThreadPlatform() : nodeThreadPlatform(lookup);
}
