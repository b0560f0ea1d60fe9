// A scriptable stand-in for the training engine: no tfjs, deterministic progress, abortable.
import type { TrainingJobSpec } from '../../protocol/src/index.js';
import type { EngineRunOptions, TrainingEngine } from '../../client/src/agent/training-engine.js';
import type { FleetRemovalSet } from '../../client/src/engine/train/fleet-removal.js';
import { parseTrainConfig, type TrainConfig } from '../../client/src/engine/train/config.js';
import type { ForgettingReport, TrainCallbacks, TrainProgress, TrainResult } from '../../client/src/engine/train/types.js';

export interface FakeEngineScript {
  /** Progress reports emitted before finishing. */
  readonly steps?: number;
  /** Throw this instead of returning a result. */
  readonly failWith?: string;
  /** Keep running until aborted. */
  readonly hang?: boolean;
  /** Checkpoints handed to options.checkpoint.onCheckpoint after the progress report of their step. */
  readonly checkpoints?: ReadonlyArray<{ readonly step: number; readonly bytes: Uint8Array }>;
  /** Forgetting reports handed to onForgettingStats after the progress report of their step. */
  readonly forgetting?: ReadonlyArray<{ readonly step: number; readonly report: ForgettingReport }>;
  /** Steps after whose progress report the run asks options.removal.refresh for a newer set. */
  readonly refreshAtSteps?: readonly number[];
  /** Merged into the result. */
  readonly resultExtras?: Partial<TrainResult>;
}

export function fakeProgress(step: number): TrainProgress {
  return {
    phase: 'training',
    epoch: 0,
    step,
    totalSteps: 10,
    loss: 2 - step * 0.1,
    trainAccuracy: 0.1 * step,
    density: 1,
    stepMsP50: 3,
    stepMsP90: 5,
    peakMemoryBytes: 1_000_000,
    maskUpdates: 0,
    layers: [],
    elapsedMs: step * 10,
  };
}

export function fakeResult(config: TrainConfig): TrainResult {
  return {
    backend: config.backend ?? 'cpu',
    dataSource: 'synthetic',
    syntheticData: true,
    model: config.model,
    method: config.method,
    scheme: config.scheme,
    testAccuracy: 0.42,
    testLoss: 1.5,
    finalDensity: 1,
    layers: [{ layer: 'dense1', density: 1, active: 10, total: 10 }],
    epochs: 1,
    steps: 10,
    wallMs: 123,
    stepMsP50: 3,
    stepMsP90: 5,
    peakRssBytes: 50_000_000,
    peakTensorBytes: 1_000_000,
    history: [{ epoch: 0, loss: 1.5, trainAccuracy: 0.5, testAccuracy: 0.42, density: 1, maskUpdates: 0, wallMs: 100 }],
    examplesSeen: 640,
    removedExamples: 0,
    removalSetVersion: 0,
  };
}

export class FakeEngine implements TrainingEngine {
  readonly configs: TrainConfig[] = [];
  readonly runOptions: Array<EngineRunOptions | undefined> = [];
  /** What each removal refresh returned, in order. */
  readonly refreshed: Array<FleetRemovalSet | undefined> = [];
  script: FakeEngineScript = {};

  async initBackend(preferred?: string) {
    return { name: preferred ?? 'cpu', simd: false, threads: 1, available: ['cpu'] };
  }

  toConfig(spec: TrainingJobSpec): TrainConfig {
    return parseTrainConfig({ model: spec.model || 'mlp', data: { name: 'synthetic' }, epochs: 1 });
  }

  async run(config: TrainConfig, callbacks: TrainCallbacks, options?: EngineRunOptions): Promise<TrainResult> {
    this.configs.push(config);
    this.runOptions.push(options);
    const { steps = 3, failWith, hang, checkpoints = [], forgetting = [], refreshAtSteps = [], resultExtras = {} } = this.script;
    let removalVersion = options?.removal?.version ?? 0;
    for (let step = 1; step <= steps; step += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      callbacks.signal?.throwIfAborted();
      callbacks.onProgress?.(fakeProgress(step));
      for (const checkpoint of checkpoints.filter((c) => c.step === step)) {
        await options?.checkpoint?.onCheckpoint(checkpoint.bytes, { step, epoch: 0, stepInEpoch: step });
      }
      for (const entry of forgetting.filter((f) => f.step === step)) callbacks.onForgettingStats?.(entry.report);
      if (refreshAtSteps.includes(step) && options?.removal?.refresh) {
        const next = await options.removal.refresh(step, removalVersion);
        this.refreshed.push(next);
        if (next) removalVersion = next.version;
      }
    }
    if (failWith) throw new Error(failWith);
    while (hang) {
      await new Promise((resolve) => setTimeout(resolve, 2));
      callbacks.signal?.throwIfAborted();
    }
    return { ...fakeResult(config), ...resultExtras };
  }
}
