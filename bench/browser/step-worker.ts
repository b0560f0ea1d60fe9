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

/**
 * --quick's seed networks here: the smallest one only. In a page they cost 10–55 s each (MobileNetV2 and ResNet-18
 * most), which pushed the quick run past its 2 minutes; the full run, or `--quick --model NAME`, measures the others.
 */
const QUICK_SEED_NETWORKS: readonly string[] = ['wrn-22-2'];

/** The bench:step groups this run measures (bench:step's own for a full run or one --model). */
function groupsToRun(quick: boolean, only: string | undefined, threads: number) {
  const groups = configurations(quick, only, threads);
  if (!quick || only !== undefined) return groups;
  return groups.filter((group) => group[0]?.data === undefined || QUICK_SEED_NETWORKS.includes(group[0].model));
}

/** What the worker posts: progress lines while it runs, then the run or the error. */
export type StepWorkerMessage = { readonly progress: string } | { readonly run: BrowserStepRun } | { readonly error: string };

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
  const groups = groupsToRun(quick, only, threads);
  try {
    for (const group of groups) {
      const started = performance.now();
      records.push(...(await measureGroup(group, planFor(group, plan, quick), stockConvGradient, { tfjsThreads })));
      post({ progress: `${group[0]?.model ?? '?'}: ${group.length} configurations in ${((performance.now() - started) / 1000).toFixed(1)} s` });
    }
  } finally {
    console.warn = silenced;
  }
  addSpeedups(records);
  const meta = { userAgent: navigator.userAgent, tfjs: tf.version.tfjs, backend: backend.name, simd: backend.simd, threads: backend.threads, tfjs_threads_requested: threads, tfjs_threads: tfjsThreads,
    wasm_multithread: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'), tfjs_cores_reported: reportedCores, crossOriginIsolated, quick, plan, models: groups.map((group) => group[0]?.model),
    wasm_fetched: performance.getEntriesByType('resource').map((entry) => new URL(entry.name).pathname).filter((path) => path.endsWith('.wasm')) };
  return { meta, records };
}

export interface StepBenchRequest {
  readonly quick: boolean;
  readonly only: string | undefined;
}

const scope = globalThis as unknown as { onmessage: ((event: MessageEvent<StepBenchRequest>) => void) | null; postMessage(message: StepWorkerMessage): void };

function post(message: StepWorkerMessage): void {
  scope.postMessage(message);
}

scope.onmessage = (event) => {
  runStepBench(event.data.quick, event.data.only).then(
    (run) => post({ run }),
    (error: unknown) => post({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
};
