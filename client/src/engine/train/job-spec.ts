// TrainConfig <-> TrainingJobSpec (the wire form the coordinator sends). Pure: the coordinator imports it.
// proto3 cannot tell "unset" from zero, so a zero/empty field means "use the config default" wherever zero is not a
// valid value (lr, batch size, epochs, density, limits, erkPowerScale, ...). Values that may legitimately be zero
// (seed, momentum, weight decay) are taken as sent. Optimizer fields without a proto field travel in
// `hyper.extra`. The round trip config -> spec -> config is exact.
import { DataEfficiencySource, RemovalRefresh, type DataEfficiency, type Hyperparameters, type TrainingJobSpec } from '../../../../protocol/src/index.js';
import { scheduleFromProto, scheduleToProto } from '../sparse/schedules/schema.js';
import { parseTrainConfig, type ComputeName, type TrainConfig } from './config.js';

const EXTRA_ETA_MIN = 'etaMin';
const EXTRA_GAMMA = 'gamma';
const EXTRA_CLIP_NORM = 'clipNorm';
const EXTRA_MILESTONE_COUNT = 'milestoneCount';
const EXTRA_MILESTONE_PREFIX = 'milestone.';
/** TrainConfig.compute as a number (hyper.extra holds numbers only); absent = the agent's default. */
const EXTRA_COMPUTE = 'compute';
const COMPUTE_CODES: Readonly<Record<ComputeName, number>> = { 'masked-dense': 1, 'sparse-kernels': 2 };
/** TrainConfig.threads: 0 = 'auto', N = N threads; absent = the agent's default ('auto'). */
const EXTRA_KERNEL_THREADS = 'kernelThreads';

export function trainConfigToJobSpec(config: TrainConfig): TrainingJobSpec {
  const { optimizer, data } = config;
  const extra: Record<string, number> = {
    [EXTRA_ETA_MIN]: optimizer.etaMin,
    [EXTRA_GAMMA]: optimizer.gamma,
    [EXTRA_MILESTONE_COUNT]: optimizer.milestones.length,
  };
  optimizer.milestones.forEach((value, index) => {
    extra[`${EXTRA_MILESTONE_PREFIX}${index}`] = value;
  });
  if (optimizer.clipNorm !== undefined) extra[EXTRA_CLIP_NORM] = optimizer.clipNorm;
  if (config.compute !== undefined) extra[EXTRA_COMPUTE] = COMPUTE_CODES[config.compute];
  if (config.threads !== undefined) extra[EXTRA_KERNEL_THREADS] = config.threads === 'auto' ? 0 : config.threads;
  return {
    model: config.model,
    dataset: {
      name: data.name,
      path: data.path ?? '',
      trainLimit: data.trainLimit ?? 0,
      testLimit: data.testLimit ?? 0,
      shardIndex: data.shardIndex,
      shardCount: data.shardCount,
      augment: data.augment,
    },
    method: config.method,
    scheme: config.scheme,
    density: config.density,
    allocation: config.allocation,
    profileYaml: config.profile ?? '',
    schedule: config.schedule === undefined ? undefined : scheduleToProto(config.schedule),
    hyper: {
      optimizer: optimizer.kind,
      learningRate: optimizer.lr,
      momentum: optimizer.momentum,
      weightDecay: optimizer.weightDecay,
      batchSize: config.batchSize,
      lrSchedule: optimizer.lrSchedule,
      nesterov: optimizer.nesterov,
      erkPowerScale: config.erkPowerScale,
      extra,
    },
    epochs: config.epochs,
    seed: config.seed,
    backend: config.backend ?? '',
    maxSteps: config.maxSteps ?? 0,
    ...(config.pauseWhenHidden ? { pauseWhenHidden: true } : {}),
    dataEfficiency:
      config.dataEfficiency === undefined
        ? undefined
        : {
            ...config.dataEfficiency,
            source: DataEfficiencySource.DATA_EFFICIENCY_SOURCE_LOCAL,
            removalSetId: '',
            refresh: RemovalRefresh.REMOVAL_REFRESH_NEVER,
          },
  };
}

/** Validates like parseTrainConfig (throws TrainConfigError naming the field). */
export function jobSpecToTrainConfig(spec: TrainingJobSpec): TrainConfig {
  const dataset = spec.dataset;
  const raw: Record<string, unknown> = {
    model: orUndefined(spec.model),
    data:
      dataset === undefined
        ? undefined
        : {
            name: orUndefined(dataset.name),
            path: orUndefined(dataset.path),
            trainLimit: positiveOrUndefined(dataset.trainLimit),
            testLimit: positiveOrUndefined(dataset.testLimit),
            shardIndex: dataset.shardIndex,
            shardCount: positiveOrUndefined(dataset.shardCount),
            augment: dataset.augment,
          },
    method: orUndefined(spec.method),
    scheme: orUndefined(spec.scheme),
    density: positiveOrUndefined(spec.density),
    allocation: orUndefined(spec.allocation),
    profile: orUndefined(spec.profileYaml),
    schedule: spec.schedule === undefined ? undefined : scheduleFromProto(spec.schedule),
    optimizer: spec.hyper === undefined ? undefined : optimizerFromHyper(spec.hyper),
    batchSize: positiveOrUndefined(spec.hyper?.batchSize ?? 0),
    erkPowerScale: positiveOrUndefined(spec.hyper?.erkPowerScale ?? 0),
    epochs: positiveOrUndefined(spec.epochs),
    seed: spec.seed,
    backend: orUndefined(spec.backend),
    maxSteps: positiveOrUndefined(spec.maxSteps),
    pauseWhenHidden: spec.pauseWhenHidden ? true : undefined,
    compute: computeFromCode(spec.hyper?.extra?.[EXTRA_COMPUTE]),
    threads: threadsFromCode(spec.hyper?.extra?.[EXTRA_KERNEL_THREADS]),
    dataEfficiency: localDataEfficiency(spec.dataEfficiency),
  };
  return parseTrainConfig(dropUndefined(raw));
}

/**
 * The run's own MEST removal, if the spec asks for one. A fleet removal set (source FLEET) travels in the job
 * assignment, not in the config; a spec with remove_count 0 removes nothing. Either way config.dataEfficiency stays
 * undefined.
 */
function localDataEfficiency(settings: DataEfficiency | undefined): Record<string, number> | undefined {
  if (settings === undefined || settings.removeCount === 0) return undefined;
  if (settings.source === DataEfficiencySource.DATA_EFFICIENCY_SOURCE_FLEET) return undefined;
  return { removeCount: settings.removeCount, removeEpoch: settings.removeEpoch, keepLowest: settings.keepLowest };
}

function optimizerFromHyper(hyper: Hyperparameters): Record<string, unknown> {
  const extra = hyper.extra ?? {};
  const milestoneCount = extra[EXTRA_MILESTONE_COUNT];
  let milestones: number[] | undefined;
  if (milestoneCount !== undefined) {
    milestones = [];
    for (let i = 0; i < milestoneCount; i++) milestones.push(extra[`${EXTRA_MILESTONE_PREFIX}${i}`] ?? Number.NaN);
  }
  return dropUndefined({
    kind: orUndefined(hyper.optimizer),
    lr: positiveOrUndefined(hyper.learningRate),
    momentum: hyper.momentum,
    nesterov: hyper.nesterov,
    weightDecay: hyper.weightDecay,
    lrSchedule: orUndefined(hyper.lrSchedule),
    etaMin: extra[EXTRA_ETA_MIN],
    gamma: extra[EXTRA_GAMMA],
    milestones,
    clipNorm: extra[EXTRA_CLIP_NORM],
  });
}

function threadsFromCode(code: number | undefined): 'auto' | number | undefined {
  if (code === undefined) return undefined;
  return code === 0 ? 'auto' : code;
}

/** The compute name of a code; an unknown code passes through as text so validation names the field. */
function computeFromCode(code: number | undefined): string | undefined {
  if (code === undefined) return undefined;
  const entry = Object.entries(COMPUTE_CODES).find(([, value]) => value === code);
  return entry?.[0] ?? `unknown compute code ${code}`;
}

function orUndefined(text: string): string | undefined {
  return text === '' ? undefined : text;
}

function positiveOrUndefined(value: number): number | undefined {
  return value === 0 ? undefined : value;
}

function dropUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
