// bench:browser's page: starts the step worker (step-worker.ts, where the cases run: a page's main thread cannot
// host the kernels' worker pool) and exposes runStepBench, which bench/browser.ts calls through playwright; the
// worker's progress lines go to the console as `bench-progress …`, which bench/browser.ts prints on stderr.
import type { BrowserStepRun, StepBenchRequest, StepWorkerMessage } from './step-worker.js';

function runStepBench(quick: boolean, only: string | undefined): Promise<BrowserStepRun> {
  const worker = new Worker(new URL('bench-worker.js', location.href), { type: 'module' });
  return new Promise<BrowserStepRun>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<StepWorkerMessage>) => {
      const message = event.data;
      if ('progress' in message) {
        console.info(`bench-progress ${message.progress}`);
        return;
      }
      worker.terminate();
      if ('run' in message) resolve(message.run);
      else reject(new Error(message.error));
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
