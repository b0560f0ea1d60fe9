// bench:browser's page: the bench:step cases (bench/support/step-cases.ts) measured inside headless Chromium on the
// tfjs wasm backend with the project's kernels, both fetched from the bench's own server. bench/browser.ts calls
// runStepBench through playwright and prints the records with bench:step's table.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
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
  useKernelUrl(new URL('kernels/sparse.wasm', location.href));
  const stockConvGradient = tf.getGradient('Conv2D'); // before initBackend replaces it
  const backend = await initBackend('wasm');
  if (backend.name !== 'wasm') throw new Error(`tfjs wasm backend unavailable (got ${backend.name})`);
  const silenced = console.warn;
  console.warn = () => undefined; // tfjs warns on every gradient re-registration
  const plan = stepPlan(quick);
  // The JS heap is what a page can see of its memory (Chromium only); there is no RSS or peak here.
  const memory = () => ({ rss: (performance as { memory?: ChromiumMemory }).memory?.usedJSHeapSize ?? null, peak: null });
  const records: StepRecord[] = [];
  try {
    for (const group of configurations(quick, only)) records.push(...(await measureGroup(group, planFor(group, plan, quick), stockConvGradient, memory)));
  } finally {
    console.warn = silenced;
  }
  addSpeedups(records);
  const meta = { userAgent: navigator.userAgent, tfjs: tf.version.tfjs, backend: backend.name, simd: backend.simd, threads: backend.threads, crossOriginIsolated, quick, plan };
  return { meta, records };
}

(globalThis as { runStepBench?: typeof runStepBench }).runStepBench = runStepBench;
