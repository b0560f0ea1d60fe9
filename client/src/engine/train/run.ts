// runTraining: one complete training run in this process — backend, data, model, sparsity, the epoch/step loop
// with the method's hooks, evaluation, progress and the final result.
//
// Fleet removal sets and the run length (RunOptions.removal; state in ./removal-plan.ts).
// - From the first step the run trains on its split minus the set's ids (and minus the run's own MEST removal once
//   that happened). stepsPerEpoch = ceil(kept / batchSize), counting only the fleet set (a MEST removal keeps the
//   reference's plan: its epochs just get shorter); totalSteps = epochs × stepsPerEpoch, capped by maxSteps.
// - Refresh (removal.refresh): at the start of every epoch e > 0, before the MEST removal and the method's epoch-start
//   hook, the run awaits refresh(e, version). A newer set that fits the split replaces the fleet ids; the run length
//   is recomputed for the rest: stepsPerEpoch' = ceil(kept' / batchSize), totalSteps' = steps done + (epochs − e) ×
//   stepsPerEpoch' (capped by maxSteps). A rejected promise, no newer set, a set about other data or one removing
//   every example of the split keep the current set (callbacks.onRemovalRefresh says which).
// - Recomputed after a refresh, for every later step: the learning-rate schedule (its progress is step / totalSteps'),
//   the progress reports' totalSteps, the end of the loop, the checkpoint position check, and the method context's
//   stepsPerEpoch and totalSteps (updated in place; methods read them per call): hence the ends and decays that are
//   fractions of the run (RigL/SET/ITOP endFraction and cosine span, DSB's endFraction, GraNet's regeneration cosine)
//   and MEST's dense-gradient step (the trainer says which step ends an epoch: StepInfo.endsEpoch). Epoch-anchored
//   step positions (GraNet/GMP's pruning window, initPruneEpoch and finalPruneEpoch) go through
//   MethodContext.epochStartStep = steps at the refresh + (epoch − e) × stepsPerEpoch': exact for epochs from e on,
//   extrapolated with the new length for earlier ones (a window that began before the refresh keeps its end epoch
//   but its start index moves, so the cubic ramp continues from a slightly different point).
// - Not recomputed: anything fixed when the method was initialised (a default schedule's update interval ΔT, derived
//   from the initial stepsPerEpoch; VRPGE's fine-tune start, in epochs; the method's initial masks), epochs, and the
//   steps already taken. MEST's mask updates are epoch-driven and need nothing.
// - Checkpoints carry the set in force, where it took effect and the initial run length; a resumed run initialises
//   the method with the initial length and then continues under the checkpoint's set and length, so it ends as an
//   uninterrupted run would. TrainResult.removalSetVersion is the version in force at the end.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/init.js';
import { captureCheckpoint } from '../checkpoint/capture.js';
import { sameDatasetIdentity, type DatasetIdentity } from '../../../../protocol/src/index.js';
import { decodeCheckpoint, readFleetRemoval, restoreCheckpoint } from '../checkpoint/restore.js';
import { CheckpointRestoreError } from '../checkpoint/types.js';
import { DatasetMismatchError } from '../data/identity.js';
import { batches, loadDatasets, type LoadedDatasets } from '../data/index.js';
import { ForgettingTracker } from '../forgetting/tracker.js';
import { buildModel } from '../models/builders.js';
import type { Model } from '../models/model.js';
import type { MaskUpdateSummary, SparseTrainingMethod, StepInfo } from '../sparse/methods/types.js';
import { applyInitialMask, checkInitialMask } from '../sparse/initial-mask.js';
import type { Mask } from '../sparse/types.js';
import { isEpochEndCheckpoint, isStepCheckpoint, type CheckpointOptions } from './checkpointing.js';
import { datasetSpecOf, type TrainConfig } from './config.js';
import { evaluate } from './evaluate.js';
import { EpochAverages, MemoryPeaks, StepTimer, layerDensities, overallDensity } from './metrics.js';
import { createOptimizer, learningRateAt, type Optimizer } from './optimizers/index.js';
import { buildProgress, type ProgressState } from './progress.js';
import { setRunLength, setUpSparsity, type RunLength, type SparseSetup } from './sparse-setup.js';
import { computeReport, setUpCompute, type ComputeSetup } from './compute-setup.js';
import { Stepper, type StepOutcome } from './step.js';
import type { EpochReport, MaskEventKind, TrainCallbacks, TrainProgress, TrainResult } from './types.js';
import { yieldToEventLoop } from './yield.js';
import { checkRemovalSet, type FleetRemoval, type FleetRemovalSet } from './fleet-removal.js';
import { RemovalPlan } from './removal-plan.js';

const DEFAULT_PROGRESS_EVERY = 20;
const MIN_EVAL_BATCH = 256;

export interface RunOptions {
  /** Use this method object instead of the one `config.method` names (tests, experiments). */
  readonly method?: SparseTrainingMethod;
  /** Take checkpoints while training (see ./checkpointing.ts for when). */
  readonly checkpoint?: CheckpointOptions;
  /**
   * Continue from these TrainingCheckpoint bytes: the run restores weights, masks, optimizer and method state,
   * forgetting statistics and removed examples, then goes on with the next batch of the same epoch, so that it
   * ends with what an uninterrupted run would have ended with. Throws CheckpointRestoreError for a checkpoint of
   * another config.
   */
  readonly resumeFrom?: Uint8Array;
  /**
   * Start from this topology (one mask per maskable layer, by name) instead of the method's initial draw: active
   * weights keep their initial values, the rest are zero (sparse/initial-mask.ts). Ignored when resuming (the
   * checkpoint's masks win). Throws InitialMaskError when a layer is missing or has another size.
   */
  readonly initialMask?: ReadonlyMap<string, Mask>;
  /** Report the job's forgetting statistics through callbacks.onForgettingStats (see ForgettingReport). */
  readonly forgettingReport?: ForgettingReportCadence;
  /**
   * A fleet removal set: its ids are left out of training from the first step (together with the run's own MEST
   * removal, if configured), and the run length (steps per epoch, total steps) is computed for the examples kept,
   * so the LR schedule and the method's schedule see the reduced set. Throws DatasetMismatchError when the set is
   * about other data than the loaded split, RemovalSetError when it removes every example of this device's split.
   * A resumed run continues under the set its checkpoint was taken with.
   */
  readonly removal?: FleetRemoval;
  /** The data the job is about: the run throws DatasetMismatchError before training when the loaded split differs. */
  readonly expectedDataset?: DatasetIdentity;
  /**
   * The job's data, already selected (a browser agent's dataset shard from the coordinator, data/shard.ts): used
   * instead of loading `config.data`; it must be what datasetSpecOf(config) selects, with the training identity.
   */
  readonly datasets?: LoadedDatasets;
  /** Awaited before every training step: the caller may hold the run there (a browser agent while its page is hidden). */
  readonly beforeStep?: () => Promise<void>;
}

export type ForgettingReportCadence = 'epoch' | 'final';

export async function runTraining(
  config: TrainConfig,
  callbacks: TrainCallbacks = {},
  options: RunOptions = {},
): Promise<TrainResult> {
  const signal = callbacks.signal;
  signal?.throwIfAborted();
  const startedAt = performance.now();
  const backend = await initBackend(config.backend);
  const resumedCheckpoint = options.resumeFrom === undefined ? undefined : decodeCheckpoint(options.resumeFrom);
  const resumed = resumedCheckpoint?.fleetRemoval === undefined ? undefined : readFleetRemoval(resumedCheckpoint.fleetRemoval);
  if (resumedCheckpoint !== undefined && resumed === undefined && options.removal !== undefined) {
    throw new CheckpointRestoreError(`it was taken without a fleet removal set, this run applies version ${options.removal.version}`);
  }
  // A resumed run continues under its checkpoint's set (maybe a refreshed one) and run length.
  const removal: FleetRemovalSet | undefined = resumed?.set ?? options.removal;
  const data =
    options.datasets ??
    (await loadDatasets(datasetSpecOf(config), {
      identity: options.forgettingReport !== undefined || removal !== undefined || options.expectedDataset !== undefined,
    }));
  signal?.throwIfAborted();
  const identity = data.trainIdentity;
  if (options.expectedDataset !== undefined && identity !== undefined && !sameDatasetIdentity(options.expectedDataset, identity)) {
    throw new DatasetMismatchError(options.expectedDataset, identity);
  }
  if (removal !== undefined && identity !== undefined) checkRemovalSet(removal, identity, data.train);
  const plan = new RemovalPlan(config, data.train, identity, { initial: options.removal, resumed });
  const model = buildModel({
    model: config.model,
    input: data.train.inputShape,
    numClasses: data.train.numClasses,
    seed: config.seed,
  });
  const optimizer = createOptimizer(config.optimizer, model.parameters);
  for (const weight of model.maskedWeights) weight.attachOptimizer(optimizer);
  try {
    const run = new TrainingRun(config, callbacks, data, model, optimizer, startedAt, options, plan, identity);
    const outcome = await run.execute();
    return {
      backend: backend.name,
      dataSource: data.train.synthetic ? 'synthetic' : data.train.name,
      syntheticData: data.train.synthetic,
      ...(data.fallbackReason === undefined ? {} : { dataFallbackReason: data.fallbackReason }),
      model: config.model,
      method: config.method,
      scheme: config.scheme,
      ...outcome,
    };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

type RunOutcome = Omit<
  TrainResult,
  'backend' | 'dataSource' | 'syntheticData' | 'dataFallbackReason' | 'model' | 'method' | 'scheme'
>;

class TrainingRun {
  private readonly timer = new StepTimer();
  private readonly memory = new MemoryPeaks();
  private readonly stepper: Stepper;
  private readonly sparse: SparseSetup;
  private readonly history: EpochReport[] = [];
  /**
   * Job-cumulative statistics: never reset. The reference resets its statistics after MEST's one removal; here
   * nothing reads them for removal afterwards, so one tracker serves the removal, the reports and checkpoints.
   * (A layout-1 checkpoint taken after a removal holds the reset tracker; reports of a run resumed from it cover
   * what was recorded since the removal.)
   */
  private tracker = new ForgettingTracker();
  private examplesSeen = 0;
  private step = 0;
  private maskUpdates = 0;
  private epochMaskUpdates = 0;
  private computeSetup: ComputeSetup | undefined;

  constructor(
    private readonly config: TrainConfig,
    private readonly callbacks: TrainCallbacks,
    private readonly data: LoadedDatasets,
    private readonly model: Model,
    private readonly optimizer: Optimizer,
    private readonly startedAt: number,
    private readonly options: RunOptions,
    private readonly plan: RemovalPlan,
    /** The loaded training split's identity; computed only when statistics or a removal set need it. */
    private readonly identity: DatasetIdentity | undefined,
  ) {
    this.stepper = new Stepper(model, optimizer);
    this.sparse = setUpSparsity(config, model, plan.initialLength, options.method, (epoch) => plan.epochStartStep(epoch));
  }

  /** The current run length (it changes when a refreshed removal set is taken, see the comment at the top). */
  private get length(): RunLength {
    return this.plan.length;
  }

  async execute(): Promise<RunOutcome> {
    const { method, context } = this.sparse;
    const initialMask = this.options.resumeFrom === undefined ? this.options.initialMask : undefined;
    if (initialMask !== undefined) checkInitialMask(this.model.maskedWeights, initialMask);
    const initialWeights = initialMask && new Map(this.model.maskedWeights.map((layer) => [layer.name, layer.readWeights()]));
    method.initialize(context);
    if (initialMask && initialWeights) applyInitialMask(this.model.maskedWeights, initialMask, initialWeights);
    const start = this.resume();
    setRunLength(context, this.length);
    this.emitMasks('initial', start.epoch);
    this.computeSetup = await setUpCompute(this.config, this.model, context.layerDensities);
    this.report({ phase: 'loading', epoch: start.epoch, loss: 0, trainAccuracy: 0 });
    let epochsRun = 0;
    let lastEpoch: { loss: number; trainAccuracy: number; startedAt: number } | undefined;
    for (let epoch = start.epoch; epoch < this.config.epochs && this.step < this.length.totalSteps; epoch++) {
      const epochStart = performance.now();
      // A run resumed inside an epoch already removed data and ran the epoch-start hook before its checkpoint.
      const consumed = epoch === start.epoch ? start.stepInEpoch : 0;
      if (consumed === 0) {
        this.epochMaskUpdates = 0;
        if (epoch > 0) await this.refreshRemoval(epoch);
        this.applyDataEfficiency(epoch);
        this.countUpdate(method.onEpochStart?.(this.info(epoch), context), epoch);
      }
      const averages = await this.trainEpoch(epoch, consumed);
      epochsRun = epoch + 1;
      lastEpoch = { loss: averages.loss, trainAccuracy: averages.accuracy, startedAt: epochStart };
      const isLast = epochsRun === this.config.epochs || this.step >= this.length.totalSteps;
      if (!isLast) {
        if (this.options.forgettingReport === 'epoch') this.reportForgetting(epochsRun, false);
        this.finishEpoch(epoch, lastEpoch);
        if (isEpochEndCheckpoint(this.options.checkpoint)) await this.checkpoint(epoch + 1, 0);
      }
    }
    method.onTrainingEnd?.(context);
    if (this.options.forgettingReport !== undefined) this.reportForgetting(Math.max(epochsRun, start.epoch), true);
    this.emitMasks('final', Math.max(0, epochsRun - 1));
    const final = this.finishEpoch(Math.max(0, epochsRun - 1), lastEpoch ?? { loss: 0, trainAccuracy: 0, startedAt: performance.now() });
    const layers = layerDensities(this.model.maskedWeights);
    return {
      testAccuracy: final.accuracy,
      testLoss: final.loss,
      finalDensity: overallDensity(layers),
      layers,
      epochs: epochsRun,
      steps: this.step,
      wallMs: performance.now() - this.startedAt,
      stepMsP50: this.timer.percentile(50),
      stepMsP90: this.timer.percentile(90),
      peakRssBytes: this.memory.rssBytes,
      peakTensorBytes: this.memory.tensorBytes,
      history: this.history,
      ...(this.computeSetup === undefined ? {} : computeReport(this.computeSetup, this.model, this.config)),
      examplesSeen: this.examplesSeen,
      removedExamples: this.plan.removedExamples(),
      removalSetVersion: this.plan.fleetSet?.version ?? 0,
    };
  }

  /** `epochs`: epochs of the job completed (the report's key and its epochsObserved). */
  private reportForgetting(epochs: number, final: boolean): void {
    const onForgettingStats = this.callbacks.onForgettingStats;
    const dataset = this.identity;
    if (onForgettingStats === undefined || dataset === undefined) return;
    onForgettingStats({ dataset, epoch: epochs, final, epochsObserved: epochs, stats: this.tracker.statistics() });
  }

  /** `consumed`: batches of this epoch trained before a resume; they are drawn (same order) and skipped. */
  private async trainEpoch(epoch: number, consumed: number): Promise<EpochAverages> {
    const { method, context } = this.sparse;
    const { height, width, channels } = this.data.train.inputShape;
    const averages = new EpochAverages();
    const every = this.callbacks.progressEverySteps ?? DEFAULT_PROGRESS_EVERY;
    const minIntervalMs = this.callbacks.progressMinIntervalMs ?? 0;
    let lastReportAt = Number.NEGATIVE_INFINITY;
    const plan = batches(this.data.train, {
      batchSize: this.config.batchSize,
      epoch,
      seed: this.config.seed,
      augment: this.config.data.augment,
      excludeIds: this.plan.excluded,
    });
    let stepInEpoch = 0;
    for (const batch of plan) {
      // Drawing the skipped batches keeps the augmentation draws of the later ones identical.
      if (stepInEpoch < consumed) {
        stepInEpoch += 1;
        continue;
      }
      if (this.step >= this.length.totalSteps) break;
      if (this.options.beforeStep) await this.options.beforeStep();
      this.callbacks.signal?.throwIfAborted();
      const info = this.info(epoch);
      const stepStart = performance.now();
      let outcome: StepOutcome | undefined;
      tf.tidy(() => {
        const x = tf.tensor4d(batch.x, [batch.size, height, width, channels]);
        const y = tf.tensor1d(batch.y, 'int32');
        outcome = this.stepper.run(
          { x, y },
          {
            lr: this.learningRate(info),
            needsDenseGradient: method.needsDenseGradient({ ...info, endsEpoch: stepInEpoch + 1 === plan.numBatches }),
            masksGradients: method.masksGradients,
            clipNorm: this.config.optimizer.clipNorm,
            customStep: method.customStep && ((step) => method.customStep!(info, context, step)),
          },
        );
      });
      if (outcome === undefined) throw new Error('training step produced no outcome');
      this.step += 1;
      this.countUpdate(method.afterStep?.(this.info(epoch), context), epoch);
      this.timer.record(performance.now() - stepStart);
      this.memory.sample();
      this.tracker.record(batch.ids, outcome.correct, epoch);
      this.examplesSeen += batch.size;
      let correct = 0;
      for (let i = 0; i < outcome.correct.length; i++) correct += outcome.correct[i];
      averages.add(outcome.loss, correct, batch.size);
      if (this.step % every === 0 && performance.now() - lastReportAt >= minIntervalMs) {
        lastReportAt = performance.now();
        this.report({ phase: 'training', epoch, loss: averages.loss, trainAccuracy: averages.accuracy });
      }
      stepInEpoch += 1;
      const position = { step: this.step, stepInEpoch, batchesInEpoch: plan.numBatches, totalSteps: this.length.totalSteps };
      if (isStepCheckpoint(this.options.checkpoint, position)) await this.checkpoint(epoch, stepInEpoch);
      await yieldToEventLoop();
    }
    return averages;
  }

  private finishEpoch(epoch: number, train: { loss: number; trainAccuracy: number; startedAt: number }) {
    this.callbacks.signal?.throwIfAborted();
    const batchSize = Math.max(MIN_EVAL_BATCH, this.config.batchSize);
    const result = evaluate(this.model, this.data.test, batchSize, this.callbacks.signal);
    this.memory.sample();
    const layers = layerDensities(this.model.maskedWeights);
    this.history.push({
      epoch,
      loss: train.loss,
      trainAccuracy: train.trainAccuracy,
      testAccuracy: result.accuracy,
      density: overallDensity(layers),
      maskUpdates: this.epochMaskUpdates,
      wallMs: performance.now() - train.startedAt,
    });
    this.report({ phase: 'evaluating', epoch, loss: train.loss, trainAccuracy: train.trainAccuracy, testAccuracy: result.accuracy });
    return result;
  }

  /** MEST data-efficient training: drop the least-forgotten examples once, at the start of `removeEpoch`. */
  private applyDataEfficiency(epoch: number): void {
    const settings = this.config.dataEfficiency;
    if (settings === undefined || settings.removeCount === 0 || epoch !== settings.removeEpoch) return;
    const removal = this.tracker.removalSet({
      removeCount: settings.removeCount,
      keepLowest: settings.keepLowest,
      neverLearnedCount: this.config.epochs,
    });
    this.plan.setLocalRemoval(new Set(removal));
  }

  /** A newer fleet removal set at this epoch boundary, if the run has a refresh and one comes. */
  private async refreshRemoval(epoch: number): Promise<void> {
    const refresh = this.options.removal?.refresh;
    if (refresh === undefined) return;
    const outcome = await this.plan.refresh(refresh, epoch, this.step);
    this.callbacks.signal?.throwIfAborted();
    if (outcome.kind === 'replaced') setRunLength(this.sparse.context, this.length);
    this.callbacks.onRemovalRefresh?.({ epoch, ...outcome });
  }

  /** Restores the checkpoint to resume from, if any; returns where training continues. */
  private resume(): { epoch: number; stepInEpoch: number } {
    const bytes = this.options.resumeFrom;
    if (bytes === undefined) return { epoch: 0, stepInEpoch: 0 };
    const { method, context } = this.sparse;
    const restored = restoreCheckpoint(bytes, { config: this.config, model: this.model, optimizer: this.optimizer, method, methodContext: context });
    const { step, epoch, stepInEpoch, maskUpdates } = restored.position;
    if (step > this.length.totalSteps || epoch >= this.config.epochs || stepInEpoch > this.length.stepsPerEpoch) {
      throw new CheckpointRestoreError(`its position (step ${step}, epoch ${epoch}, batch ${stepInEpoch}) lies outside this run`);
    }
    this.step = step;
    this.maskUpdates = maskUpdates;
    this.tracker = restored.tracker;
    this.examplesSeen = restored.examplesSeen;
    this.plan.setLocalRemoval(restored.removedExampleIds);
    return { epoch, stepInEpoch };
  }

  private async checkpoint(epoch: number, stepInEpoch: number): Promise<void> {
    const options = this.options.checkpoint;
    if (options === undefined) return;
    const bytes = captureCheckpoint({
      config: this.config,
      model: this.model,
      optimizer: this.optimizer,
      method: this.sparse.method,
      tracker: this.tracker,
      removedExampleIds: this.plan.localRemoval,
      examplesSeen: this.examplesSeen,
      fleetRemoval: this.plan.checkpointState(),
      position: { step: this.step, epoch, stepInEpoch, maskUpdates: this.maskUpdates },
    });
    await options.onCheckpoint(bytes, { step: this.step, epoch, stepInEpoch });
  }

  private countUpdate(summary: MaskUpdateSummary | undefined, epoch: number): void {
    if (summary === undefined) return;
    this.maskUpdates += 1;
    this.epochMaskUpdates += 1;
    this.emitMasks('update', epoch);
  }

  private emitMasks(kind: MaskEventKind, epoch: number): void {
    const onMaskEvent = this.callbacks.onMaskEvent;
    if (onMaskEvent === undefined) return;
    const layers = this.model.maskedWeights.map((layer) => ({ name: layer.name, shape: layer.shape, mask: Uint8Array.from(layer.mask) }));
    onMaskEvent({ kind, updates: this.maskUpdates, step: this.step, epoch, layers });
  }

  private learningRate(info: StepInfo): number {
    const scheduled = learningRateAt(this.config.optimizer, info.step, this.length.totalSteps);
    return this.sparse.method.weightLearningRate?.(info, scheduled) ?? scheduled;
  }

  private info(epoch: number): StepInfo {
    return { step: this.step, epoch };
  }

  private report(state: Omit<ProgressState, 'step' | 'totalSteps' | 'maskUpdates' | 'elapsedMs'>): void {
    const onProgress = this.callbacks.onProgress;
    if (onProgress === undefined) return;
    const progress: TrainProgress = buildProgress(
      {
        ...state,
        step: this.step,
        totalSteps: this.length.totalSteps,
        maskUpdates: this.maskUpdates,
        elapsedMs: performance.now() - this.startedAt,
      },
      this.model.maskedWeights,
      this.timer,
      this.memory,
    );
    onProgress(progress);
  }
}
