// The modelled engine: a TrainingEngine that trains nothing. It validates jobs like the real engine, takes the run
// length from the real data-set sizes, limits, shards and batch, spends each step's modelled device time (the
// profile's step model, thermal slow-down included) as compressed real time, reports progress on a seeded learning
// curve, takes checkpoints where the agent asks for them and resumes from them, fails a job that does not fit the
// profile's available memory as an out-of-memory crash would, and flags its result `simulated`.
//
// Times it reports (progress elapsedMs, step percentiles, the result's wallMs) are device time, i.e. what the job
// would have taken on the device; the wall time actually spent is that divided by timeScale.
// Not modelled: mask and forgetting-statistics reports (the run never calls onMaskEvent / onForgettingStats), data
// identity checks (no data is read), removal-set refreshes (a fleet removal set shortens the run by its share of
// this device's shard, once, at the start).
import type { Clock } from '../../agent/clock.js';
import type { BackendSummary } from '../../agent/facts.js';
import type { EngineRunOptions, TrainingEngine } from '../../agent/training-engine.js';
import { datasetInfo } from '../../engine/data/types.js';
import { estimateTrainingMemory, type MemoryEstimate } from '../../engine/memory/estimate.js';
import { isEpochEndCheckpoint, isStepCheckpoint } from '../../engine/train/checkpointing.js';
import type { TrainConfig } from '../../engine/train/config.js';
import { jobSpecToTrainConfig } from '../../engine/train/job-spec.js';
import type { EpochReport, TrainCallbacks, TrainProgress, TrainResult } from '../../engine/train/types.js';
import { createRng, fnv1a, type Rng } from '../../engine/util/rng.js';
import { curvePoint, type CurveSettings } from './learning-curve.js';
import { encodeModelledCheckpoint, readModelledCheckpoint, type ModelledPosition } from './modelled-checkpoint.js';
import { DEFAULT_SLICE_MS, Pacer, pacerOnClock } from './pacer.js';
import { jitteredStepMs, modelledStepMs } from './step-model.js';
import type { DeviceProfile } from './types.js';

const MIB = 1024 * 1024;
const DEFAULT_PROGRESS_EVERY_STEPS = 20;
const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'];
/** Step times kept for the percentiles a progress report and the result carry. */
const STEP_WINDOW = 128;

export type ModelledEngineEvent =
  | { readonly kind: 'run-started'; readonly model: string; readonly totalSteps: number; readonly fromStep: number; readonly stepMs: number }
  | { readonly kind: 'throttled'; readonly step: number; readonly modelledMs: number; readonly factor: number }
  | { readonly kind: 'checkpoint'; readonly step: number; readonly epoch: number; readonly bytes: number }
  | { readonly kind: 'out-of-memory'; readonly requiredMb: number; readonly availableMb: number }
  | { readonly kind: 'run-finished'; readonly steps: number; readonly modelledMs: number; readonly modelledStepMsTotal: number };

export interface ModelledEngineOptions {
  /** Device time runs this many times faster than wall time. */
  readonly timeScale: number;
  /** Seeds the step-time jitter and the learning curve's noise. */
  readonly seed: number;
  readonly onEvent?: (event: ModelledEngineEvent) => void;
  /** Wall ms the pacer accumulates before it sleeps (default 25; on a clock: that clock's ms). */
  readonly sliceMs?: number;
  /** Run on this clock (a virtual one: timeScale 1) instead of pacing against wall time. */
  readonly clock?: Clock;
}

/** The job's memory estimate exceeds what the profile makes available: the device would have crashed. */
export class ModelledOutOfMemoryError extends Error {
  constructor(
    readonly requiredMb: number,
    readonly availableMb: number,
    profile: string,
  ) {
    super(`out of memory (simulated ${profile}): the job needs about ${requiredMb} MB, ${availableMb} MB available`);
    this.name = 'ModelledOutOfMemoryError';
  }
}

export function createModelledEngine(profile: DeviceProfile, options: ModelledEngineOptions): TrainingEngine {
  let backend = profile.backends[0];
  return {
    initBackend: async (preferred) => {
      if (preferred !== undefined && preferred !== '' && !BACKEND_NAMES.includes(preferred)) {
        throw new Error(`unknown backend "${preferred}" (expected tensorflow, wasm or cpu)`);
      }
      backend = preferred !== undefined && profile.backends.includes(preferred) ? preferred : profile.backends[0];
      return { name: backend, simd: profile.simd, threads: profile.threads, available: [...profile.backends] } satisfies BackendSummary;
    },
    toConfig: (spec) => jobSpecToTrainConfig(spec),
    run: (config, callbacks, runOptions) => new ModelledRun(profile, options, config, callbacks, runOptions ?? {}, config.backend ?? backend).run(),
  };
}

interface RunLength {
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  readonly removedExamples: number;
}

class ModelledRun {
  private readonly pacer: Pacer;
  private readonly jobSeed: number;
  private curve: CurveSettings;
  private stepRng: Rng;
  private readonly memory: MemoryEstimate;
  /** The latest STEP_WINDOW step times, for the percentiles (a ring). */
  private readonly stepTimes = new Float64Array(STEP_WINDOW);
  private stepCount = 0;
  private readonly history: EpochReport[] = [];
  private throttled = false;
  private stepMsTotal = 0;
  /** The device's step time for this job before jitter and heat (set when the run starts). */
  private baseStepMs = 0;
  private position: ModelledPosition = { step: 0, epoch: 0, stepInEpoch: 0, examplesSeen: 0 };

  constructor(
    private readonly profile: DeviceProfile,
    private readonly options: ModelledEngineOptions,
    private readonly config: TrainConfig,
    private readonly callbacks: TrainCallbacks,
    private readonly runOptions: EngineRunOptions,
    private readonly backend: string,
  ) {
    this.pacer = options.clock ? pacerOnClock(options.clock, options.timeScale, options.sliceMs ?? DEFAULT_SLICE_MS) : new Pacer(options.timeScale, options.sliceMs);
    this.jobSeed = fnv1a(`${options.seed}/${config.seed}/${config.model}/${config.data.shardIndex}`);
    this.curve = { numClasses: datasetInfo(config.data.name).numClasses, stepsPerEpoch: 1, density: config.density, seed: this.jobSeed };
    this.stepRng = createRng(this.jobSeed).derive('steps/0');
    this.memory = estimateTrainingMemory(config);
  }

  async run(): Promise<TrainResult> {
    const signal = this.callbacks.signal;
    signal?.throwIfAborted();
    const requiredMb = Math.ceil(this.memory.totalBytes / MIB);
    if (requiredMb > this.profile.memory.availableMb) {
      this.emit({ kind: 'out-of-memory', requiredMb, availableMb: this.profile.memory.availableMb });
      throw new ModelledOutOfMemoryError(requiredMb, this.profile.memory.availableMb, this.profile.name);
    }
    const length = this.runLength();
    this.curve = { ...this.curve, stepsPerEpoch: length.stepsPerEpoch };
    if (this.runOptions.resumeFrom !== undefined) this.position = readModelledCheckpoint(this.runOptions.resumeFrom, this.config);
    const fromStep = this.position.step;
    // A resumed run draws fresh jitter rather than repeating the first steps'.
    this.stepRng = createRng(this.jobSeed).derive(`steps/${fromStep}`);
    this.baseStepMs = modelledStepMs(this.profile, this.stepJob());
    this.emit({ kind: 'run-started', model: this.config.model, totalSteps: length.totalSteps, fromStep, stepMs: this.baseStepMs });
    this.report('loading', this.position.epoch, { loss: 0, accuracy: 0 }, length);

    for (let epoch = this.position.epoch; epoch < this.config.epochs && this.position.step < length.totalSteps; epoch += 1) {
      const startedAt = this.pacer.elapsedModelledMs;
      let stepInEpoch = epoch === this.position.epoch ? this.position.stepInEpoch : 0;
      while (stepInEpoch < length.stepsPerEpoch && this.position.step < length.totalSteps) {
        signal?.throwIfAborted();
        await this.pacer.advance(this.nextStepMs(), signal);
        stepInEpoch += 1;
        this.position = {
          step: this.position.step + 1,
          epoch,
          stepInEpoch,
          examplesSeen: this.position.examplesSeen + this.config.batchSize,
        };
        const every = this.callbacks.progressEverySteps ?? DEFAULT_PROGRESS_EVERY_STEPS;
        if (this.position.step % every === 0) this.report('training', epoch, curvePoint(this.curve, this.position.step), length);
        const at = { step: this.position.step, stepInEpoch, batchesInEpoch: length.stepsPerEpoch, totalSteps: length.totalSteps };
        if (isStepCheckpoint(this.runOptions.checkpoint, at)) await this.checkpoint(epoch, stepInEpoch);
      }
      const isLast = epoch + 1 === this.config.epochs || this.position.step >= length.totalSteps;
      this.finishEpoch(epoch, startedAt, length);
      if (!isLast && isEpochEndCheckpoint(this.runOptions.checkpoint)) await this.checkpoint(epoch + 1, 0);
    }
    await this.pacer.flush(signal);
    this.emit({
      kind: 'run-finished',
      steps: this.position.step - fromStep,
      modelledMs: this.pacer.elapsedModelledMs,
      modelledStepMsTotal: this.stepMsTotal,
    });
    return this.result(length);
  }

  /** Steps per epoch from the real data-set size, limit and shard; a fleet removal set's share taken out. */
  private runLength(): RunLength {
    const { data, batchSize, epochs, maxSteps } = this.config;
    const size = Math.min(data.trainLimit ?? Infinity, datasetInfo(data.name).trainSize);
    const shard = Math.ceil(size / data.shardCount);
    const removal = this.runOptions.removal;
    const removedExamples = removal === undefined ? 0 : Math.min(shard - 1, Math.round((removal.removedIds.length * shard) / removal.dataset.size));
    const stepsPerEpoch = Math.max(1, Math.ceil((shard - removedExamples) / batchSize));
    const totalSteps = Math.min(epochs * stepsPerEpoch, maxSteps ?? Infinity);
    return { stepsPerEpoch, totalSteps, removedExamples };
  }

  private stepJob() {
    return {
      model: this.config.model,
      scheme: this.config.scheme,
      density: this.config.density,
      batchSize: this.config.batchSize,
      dataset: this.config.data.name,
      ...(this.config.compute === undefined ? {} : { compute: this.config.compute }),
    };
  }

  /** This step's device ms: the step model with seeded jitter, times the thermal factor once the device is hot. */
  private nextStepMs(): number {
    let ms = jitteredStepMs(this.baseStepMs, this.stepRng);
    const thermal = this.profile.thermal;
    if (thermal !== undefined && this.pacer.elapsedModelledMs >= thermal.throttleAfterMinutes * 60_000) {
      if (!this.throttled) {
        this.throttled = true;
        this.emit({ kind: 'throttled', step: this.position.step, modelledMs: this.pacer.elapsedModelledMs, factor: thermal.throttleFactor });
      }
      ms *= thermal.throttleFactor;
    }
    this.stepTimes[this.stepCount % STEP_WINDOW] = ms;
    this.stepCount += 1;
    this.stepMsTotal += ms;
    return ms;
  }

  private async checkpoint(epoch: number, stepInEpoch: number): Promise<void> {
    const checkpoint = this.runOptions.checkpoint;
    if (checkpoint === undefined) return;
    await this.pacer.flush(this.callbacks.signal);
    const bytes = encodeModelledCheckpoint(this.config, { ...this.position, epoch, stepInEpoch });
    this.emit({ kind: 'checkpoint', step: this.position.step, epoch, bytes: bytes.length });
    await checkpoint.onCheckpoint(bytes, { step: this.position.step, epoch, stepInEpoch });
  }

  private finishEpoch(epoch: number, startedAt: number, length: RunLength): void {
    const train = curvePoint(this.curve, this.position.step);
    const test = this.testPoint();
    this.history.push({
      epoch,
      loss: train.loss,
      trainAccuracy: train.accuracy,
      testAccuracy: test.accuracy,
      density: this.config.density,
      maskUpdates: 0,
      wallMs: this.pacer.elapsedModelledMs - startedAt,
    });
    this.report('evaluating', epoch, train, length, test.accuracy);
  }

  /** The test set scores a little below the training curve. */
  private testPoint() {
    const point = curvePoint({ ...this.curve, seed: this.curve.seed ^ 0x5bd1e995 }, this.position.step);
    return { loss: point.loss * 1.05, accuracy: point.accuracy * 0.97 };
  }

  private report(
    phase: TrainProgress['phase'],
    epoch: number,
    point: { loss: number; accuracy: number },
    length: RunLength,
    testAccuracy?: number,
  ): void {
    const progress: TrainProgress = {
      phase,
      epoch,
      step: this.position.step,
      totalSteps: length.totalSteps,
      loss: point.loss,
      trainAccuracy: point.accuracy,
      ...(testAccuracy === undefined ? {} : { testAccuracy }),
      density: this.config.density,
      ...this.stepPercentiles(),
      peakMemoryBytes: this.peakBytes(),
      maskUpdates: 0,
      layers: [],
      elapsedMs: this.pacer.elapsedModelledMs,
    };
    this.callbacks.onProgress?.(progress);
  }

  private result(length: RunLength): TrainResult {
    const test = this.testPoint();
    return {
      backend: this.backend,
      dataSource: `modelled ${this.config.data.name} (no data read)`,
      syntheticData: true,
      dataFallbackReason: `simulated device ${this.profile.name}: the modelled engine reads no data`,
      model: this.config.model,
      method: this.config.method,
      scheme: this.config.scheme,
      testAccuracy: test.accuracy,
      testLoss: test.loss,
      finalDensity: this.config.density,
      layers: [],
      epochs: this.history.length,
      steps: this.position.step,
      wallMs: this.pacer.elapsedModelledMs,
      ...this.stepPercentiles(),
      peakRssBytes: this.peakBytes(),
      peakTensorBytes: this.memory.modelStateBytes + this.memory.activationBytes,
      history: this.history,
      compute: this.profile.simd && this.config.density < 1 && this.config.compute !== 'masked-dense' ? 'sparse-kernels' : 'masked-dense',
      examplesSeen: this.position.examplesSeen,
      removedExamples: length.removedExamples,
      removalSetVersion: this.runOptions.removal?.version ?? 0,
      simulated: true,
    };
  }

  private peakBytes(): number {
    return this.memory.totalBytes;
  }

  /** p50 and p90 of the latest STEP_WINDOW step times (0 before the first step). */
  private stepPercentiles(): { stepMsP50: number; stepMsP90: number } {
    const count = Math.min(this.stepCount, STEP_WINDOW);
    if (count === 0) return { stepMsP50: 0, stepMsP90: 0 };
    const sorted = this.stepTimes.slice(0, count).sort();
    const at = (q: number) => sorted[Math.min(count - 1, Math.floor((q / 100) * count))];
    return { stepMsP50: at(50), stepMsP90: at(90) };
  }

  private emit(event: ModelledEngineEvent): void {
    this.options.onEvent?.(event);
  }
}
