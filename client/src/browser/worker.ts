// The browser agent's Web Worker: the whole agent (socket.io session, outbox, job runner) and the engine (tfjs wasm
// backend with the sparse kernels) live here, so training never blocks the page; the page shows what this posts.
// The agent stays in the worker rather than the page because its job runner calls the engine directly (progress,
// checkpoints, abort): splitting them would mean proxying the TrainingEngine interface across threads.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { Agent } from '../agent/agent.js';
import type { BuildInfo } from '../agent/build-info.js';
import { useKernelUrl } from '../engine/kernels/runtime.js';
import type { JobView, PageToWorker, WorkerToPage } from './messages.js';
import { browserPlatform, type BrowserPlatform } from './platform/index.js';
import { PauseGate } from './pause-gate.js';

/** Under /agent/: the tfjs wasm binaries and the project's kernels, served by the coordinator (no CDN). */
const TFJS_WASM_DIR = 'tfjs/';
const KERNELS_FOLDER = 'kernels/';
const BUILD_INFO_FILE = 'build-info.json';

/** The slice of DedicatedWorkerGlobalScope used here (the project compiles with the DOM lib, not WebWorker). */
interface WorkerScope {
  postMessage(message: WorkerToPage): void;
  onmessage: ((event: MessageEvent<PageToWorker>) => void) | null;
  readonly location: { readonly href: string };
}

const scope = globalThis as unknown as WorkerScope;
const post = (message: WorkerToPage) => scope.postMessage(message);
let platform: BrowserPlatform | undefined;
const gate = new PauseGate((paused) => post({ type: 'paused', paused }));

scope.onmessage = (event: MessageEvent<PageToWorker>) => {
  const message = event.data;
  if (message.type === 'conditions') {
    if (platform) platform.conditions = message.conditions;
    gate.setOpen(message.conditions.visibility === 'visible');
    return;
  }
  void start(message.origin, message.token).catch((error: unknown) =>
    post({ type: 'fatal', message: error instanceof Error ? error.message : String(error), code: '' }),
  );
};

async function start(origin: string, token: string | undefined): Promise<void> {
  const base = new URL('./', scope.location.href);
  setWasmPaths(new URL(TFJS_WASM_DIR, base).href);
  useKernelUrl(new URL(KERNELS_FOLDER, base));
  platform = browserPlatform(origin, await buildInfo(new URL(BUILD_INFO_FILE, base)), (message) => post({ type: 'warning', message }));
  const agent = new Agent({
    server: origin,
    platform,
    backend: 'wasm',
    ...(token ? { enrollmentToken: token } : {}),
    // The page's live chart: a point every 2 steps, at most 20 a second (steps can take well under a millisecond).
    progressEverySteps: 2,
    progressMinIntervalMs: 50,
    pauseGate: (signal) => gate.wait(signal),
  });
  wire(agent);
  post({ type: 'enrollment', state: (await platform.credentials.load()) ? 'enrolled' : 'enrolling' });
  // A failure to start is reported through the agent's 'error' event (with the refusal's code).
  await agent.start().catch(() => undefined);
}

function wire(agent: Agent): void {
  agent.on('enrolled', (deviceId) => post({ type: 'enrollment', state: 'enrolled', deviceId }));
  agent.on('connected', (deviceId) => {
    if (agent.deviceFacts) post({ type: 'facts', facts: agent.deviceFacts });
    post({ type: 'enrollment', state: 'enrolled', deviceId });
    post({ type: 'connection', state: 'connected', detail: `backend ${tf.getBackend()}` });
  });
  agent.on('disconnected', (reason) => post({ type: 'connection', state: 'disconnected', detail: reason }));
  agent.on('unreachable', (error, attempt) => post({ type: 'connection', state: 'unreachable', detail: `${error} (attempt ${attempt})` }));
  agent.on('job-started', (job) => {
    const view: JobView = {
      jobId: job.jobId,
      attempt: job.attempt,
      model: job.config?.model ?? 'benchmark',
      method: job.config?.method ?? '',
      dataset: job.config?.data.name ?? '',
      ...(job.resume ? { resumedFromStep: Number(job.resume.step) } : {}),
    };
    post({ type: 'job-started', job: view });
  });
  agent.on('job-progress', (jobId, progress) =>
    post({
      type: 'progress',
      progress: {
        jobId,
        phase: progress.phase,
        epoch: progress.epoch,
        step: progress.step,
        totalSteps: progress.totalSteps,
        loss: progress.loss,
        trainAccuracy: progress.trainAccuracy,
        ...(progress.testAccuracy === undefined ? {} : { testAccuracy: progress.testAccuracy }),
        stepMsP50: progress.stepMsP50,
        stepMsP90: progress.stepMsP90,
      },
    }),
  );
  agent.on('job-finished', (job) =>
    post({
      type: 'job-finished',
      jobId: job.jobId,
      outcome: job.outcome,
      ...(job.result ? { testAccuracy: job.result.testAccuracy, kernelLayers: job.result.kernelLayers?.length ?? 0 } : {}),
      ...(job.result?.compute ? { compute: job.result.compute } : {}),
      ...(job.error ? { error: job.error } : {}),
    }),
  );
  agent.on('warning', (message) => post({ type: 'warning', message }));
  agent.on('error', (error) => post({ type: 'fatal', message: error.message, code: error.codeName }));
}

async function buildInfo(url: URL): Promise<BuildInfo> {
  try {
    const response = await fetch(url);
    if (response.ok) return (await response.json()) as BuildInfo;
  } catch {
    // reported as unknown below
  }
  return { version: 'unknown', commit: 'unknown', dirty: false };
}
