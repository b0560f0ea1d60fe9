// bench:browser's worker: the bench:step cases (bench/support/step-cases.ts) measured inside headless Chromium on the
// tfjs wasm backend with the project's kernels, both fetched from the bench's own server. It runs in a dedicated
// worker, as the agent's engine does: a page's main thread may not block on Atomics.wait, so the kernels' pool would
// fall back to one thread there. The page is cross-origin isolated, so tfjs-wasm's threaded build can run (it cannot
// on Node): dense is asked for as many threads as the N-thread sparse rows use, and the count tfjs reports is
// printed beside every dense figure. step-page.ts relays runStepBench to this worker.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../../client/src/engine/backend/init.js';
import { useKernelUrl } from '../../client/src/engine/kernels/runtime.js';
import { addSpeedups, configurations, measureGroup, planFor, stepPlan, type StepRecord } from '../support/step-cases.js';

export interface BrowserStepRun {
  readonly meta: Record<string, unknown>;
  readonly records: StepRecord[];
}

async function runStepBench(quick: boolean, only: string | undefined): Promise<BrowserStepRun> {
  setWasmPaths(new URL('tfjs/', location.href).href);
  useKernelUrl(new URL('kernels/', location.href));
  const stockConvGradient = tf.getGradient('Conv2D'); // before initBackend replaces it
  const threads = Math.max(2, Math.min(8, navigator.hardwareConcurrency || 1));
  setThreadsCount(threads); // before the backend starts
  // tfjs-wasm's threaded build caps its pool at half the logical cores (it counts hyperthreads twice), so on 2 cores
  // it runs 1 thread whatever is asked. For a dense baseline on as many threads as the kernels use, it is shown twice
  // the cores (the kernels' thread count is fixed above and does not read this).
  const reportedCores = Math.max(navigator.hardwareConcurrency || 1, 2 * threads);
  Object.defineProperty(navigator, 'hardwareConcurrency', { configurable: true, get: () => reportedCores });
  const backend = await initBackend('wasm');
  const tfjsThreads = getThreadsCount();
  if (backend.name !== 'wasm') throw new Error(`tfjs wasm backend unavailable (got ${backend.name})`);
  const silenced = console.warn;
  console.warn = () => undefined; // tfjs warns on every gradient re-registration
  const plan = stepPlan(quick);
  const records: StepRecord[] = [];
  try {
    for (const group of configurations(quick, only, threads)) {
      records.push(...(await measureGroup(group, planFor(group, plan, quick), stockConvGradient, { tfjsThreads })));
    }
  } finally {
    console.warn = silenced;
  }
  addSpeedups(records);
  const meta = { userAgent: navigator.userAgent, tfjs: tf.version.tfjs, backend: backend.name, simd: backend.simd, threads: backend.threads, tfjs_threads_requested: threads, tfjs_threads: tfjsThreads,
    wasm_multithread: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'), tfjs_cores_reported: reportedCores, crossOriginIsolated, quick, plan,
    wasm_fetched: performance.getEntriesByType('resource').map((entry) => new URL(entry.name).pathname).filter((path) => path.endsWith('.wasm')) };
  return { meta, records };
}

export interface StepBenchRequest {
  readonly quick: boolean;
  readonly only: string | undefined;
}

const scope = globalThis as unknown as { onmessage: ((event: MessageEvent<StepBenchRequest>) => void) | null; postMessage(message: unknown): void };
scope.onmessage = (event) => {
  runStepBench(event.data.quick, event.data.only).then(
    (run) => scope.postMessage({ run }),
    (error: unknown) => scope.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
};
