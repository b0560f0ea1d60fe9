// bench:browser's page: the bench:step cases (bench/support/step-cases.ts) measured inside headless Chromium on the
// tfjs wasm backend with the project's kernels, both fetched from the bench's own server. bench/browser.ts calls
// runStepBench through playwright and prints the records with bench:step's table. The page is cross-origin isolated,
// so tfjs-wasm's threaded build can run here (it cannot on Node): dense is asked for as many threads as the N-thread
// sparse rows use, and the count tfjs reports is printed beside every dense figure.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../../client/src/engine/backend/init.js';
import { useKernelUrl } from '../../client/src/engine/kernels/runtime.js';
import { addSpeedups, configurations, measureGroup, planFor, stepPlan, type StepRecord } from '../support/step-cases.js';

export interface BrowserStepRun {
  readonly meta: Record<string, unknown>;
  readonly records: StepRecord[];
}

interface ChromiumMemory {
  readonly usedJSHeapSize: number;
}

async function runStepBench(quick: boolean, only: string | undefined): Promise<BrowserStepRun> {
  setWasmPaths(new URL('tfjs/', location.href).href);
  useKernelUrl(new URL('kernels/', location.href));
  const stockConvGradient = tf.getGradient('Conv2D'); // before initBackend replaces it
  const threads = Math.max(2, Math.min(8, navigator.hardwareConcurrency || 1));
  setThreadsCount(threads); // before the backend starts
  const backend = await initBackend('wasm');
  const tfjsThreads = getThreadsCount();
  if (backend.name !== 'wasm') throw new Error(`tfjs wasm backend unavailable (got ${backend.name})`);
  const silenced = console.warn;
  console.warn = () => undefined; // tfjs warns on every gradient re-registration
  const plan = stepPlan(quick);
  // The JS heap is what a page can see of its memory (Chromium only); there is no RSS or peak here.
  const memory = () => ({ rss: (performance as { memory?: ChromiumMemory }).memory?.usedJSHeapSize ?? null, peak: null });
  const records: StepRecord[] = [];
  try {
    for (const group of configurations(quick, only, threads)) {
      records.push(...(await measureGroup(group, planFor(group, plan, quick), stockConvGradient, { memory, tfjsThreads })));
    }
  } finally {
    console.warn = silenced;
  }
  addSpeedups(records);
  const meta = { userAgent: navigator.userAgent, tfjs: tf.version.tfjs, backend: backend.name, simd: backend.simd, threads: backend.threads, tfjs_threads_requested: threads, tfjs_threads: tfjsThreads,
    wasm_multithread: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'), hardwareConcurrency: navigator.hardwareConcurrency, crossOriginIsolated, quick, plan };
  return { meta, records };
}

(globalThis as { runStepBench?: typeof runStepBench }).runStepBench = runStepBench;
