// bench:browser's page: starts the step worker (step-worker.ts, where the cases run: a page's main thread cannot
// host the kernels' worker pool) and exposes runStepBench, which bench/browser.ts calls through playwright.
import type { BrowserStepRun, StepBenchRequest } from './step-worker.js';

function runStepBench(quick: boolean, only: string | undefined): Promise<BrowserStepRun> {
  const worker = new Worker(new URL('bench-worker.js', location.href), { type: 'module' });
  return new Promise<BrowserStepRun>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<{ run?: BrowserStepRun; error?: string }>) => {
      worker.terminate();
      if (event.data.run !== undefined) resolve(event.data.run);
      else reject(new Error(event.data.error ?? 'the step worker failed'));
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`the step worker failed to start: ${event.message}`));
    };
    const request: StepBenchRequest = { quick, only };
    worker.postMessage(request);
  });
}

(globalThis as { runStepBench?: typeof runStepBench }).runStepBench = runStepBench;
