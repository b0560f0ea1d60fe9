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

/**
 * --quick's seed networks here: the smallest one only. In a page they cost 10–55 s each (MobileNetV2 and ResNet-18
 * most), which pushed the quick run past its 2 minutes; the full run, or `--quick --model NAME`, measures the others.
 */
const QUICK_SEED_NETWORKS: readonly string[] = ['wrn-22-2'];

/** The bench:step groups this run measures (bench:step's own for a full run or one --model). */
function groupsToRun(quick: boolean, only: string | undefined) {
  const groups = configurations(quick, only);
  if (!quick || only !== undefined) return groups;
  return groups.filter((group) => group[0]?.data === undefined || QUICK_SEED_NETWORKS.includes(group[0].model));
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
  const groups = groupsToRun(quick, only);
  try {
    for (const group of groups) {
      const started = performance.now();
      records.push(...(await measureGroup(group, planFor(group, plan, quick), stockConvGradient, memory)));
      console.info(`bench-progress ${group[0]?.model ?? '?'}: ${group.length} configurations in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
  } finally {
    console.warn = silenced;
  }
  addSpeedups(records);
  const meta = { userAgent: navigator.userAgent, tfjs: tf.version.tfjs, backend: backend.name, simd: backend.simd, threads: backend.threads, crossOriginIsolated, quick, plan, models: groups.map((group) => group[0]?.model) };
  return { meta, records };
}

(globalThis as { runStepBench?: typeof runStepBench }).runStepBench = runStepBench;
