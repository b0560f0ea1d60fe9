// The rows of the accuracy benchmark and the training config of each. A row is one training run: a model, a method
// on one of its seed's sparsity schemes, a density, and a length (the dense epochs times a multiplier). Every row of a
// plan shares the data, optimizer, batch size and seed, so rows differ only in what the row names.
import { createHash } from 'node:crypto';
import { parseScheduleForRun } from '../../client/src/engine/sparse/schedules/defaults.js';
import type { MethodName } from '../../client/src/engine/sparse/methods/types.js';
import type { SchemeName } from '../../client/src/engine/sparse/schemes/types.js';
import { METHOD_NAMES, parseTrainConfig, type TrainConfig } from '../../client/src/engine/train/config.js';
import { maskableLayers, type ModelName } from '../../client/src/engine/models/catalog.js';
import { DATASET_INFO } from '../../client/src/engine/data/types.js';
import { createScheme } from '../../client/src/engine/sparse/schemes/registry.js';

export type AccuracyModel = Extract<ModelName, 'cnn' | 'mlp'>;

export interface PlanOptions {
  readonly models: readonly AccuracyModel[];
  /** Dense epochs: the length every row at multiplier 1 trains for. */
  readonly epochs: number;
  /** Longer runs of every sparse row, as multiples of `epochs` (1 is always there). */
  readonly multipliers: readonly number[];
  /** undefined = the whole training set. */
  readonly trainLimit?: number;
  readonly testLimit?: number;
  readonly batchSize: number;
  readonly seed: number;
  /** Run every method on every scheme its seed uses (MEST: four), or on its first scheme only. */
  readonly allSchemes: boolean;
  /** Keep only these methods (undefined = all). */
  readonly methods?: readonly MethodName[];
}

export interface Row {
  readonly model: AccuracyModel;
  readonly method: MethodName;
  readonly scheme: SchemeName;
  readonly density: number;
  readonly epochs: number;
  /** epochs / the plan's dense epochs. */
  readonly multiplier: number;
}

/**
 * The sparsity schemes each method's seed trains with, the first being the one it is known for: MEST ships
 * irregular, pattern, block and channel sparsity; DSB/SSB shuffled blocks; VRPGE samples output channels; the
 * GraNet/RigL code base (SET, RigL, ITOP, GMP, GraNet) and static sparse training are unstructured.
 */
export const SEED_SCHEMES: Readonly<Record<MethodName, readonly SchemeName[]>> = {
  dense: ['irregular'],
  static: ['irregular'],
  set: ['irregular'],
  rigl: ['irregular'],
  itop: ['irregular'],
  gmp: ['irregular'],
  'gmp-uniform': ['irregular'],
  granet: ['irregular'],
  'granet-uniform': ['irregular'],
  'mest-em': ['irregular', 'pattern', 'block', 'channel'],
  'mest-ems': ['irregular', 'pattern', 'block', 'channel'],
  dsb: ['shuffled-block'],
  ssb: ['shuffled-block'],
  vrpge: ['channel'],
};

/** The densities: every sparse method at 0.1, and RigL and MEST-EM&S also at 0.05. */
export const PLAN_DENSITY = 0.1;
export const LOW_DENSITY_METHODS: readonly MethodName[] = ['rigl', 'mest-ems'];
export const LOW_DENSITY = 0.05;

export function planRows(options: PlanOptions): Row[] {
  const wanted = (method: MethodName) => options.methods === undefined || options.methods.includes(method);
  const multipliers = [...new Set([1, ...options.multipliers])].sort((a, b) => a - b);
  const rows: Row[] = [];
  for (const model of options.models) {
    const base = { model, epochs: options.epochs, multiplier: 1 };
    if (wanted('dense')) rows.push({ ...base, method: 'dense', scheme: 'irregular', density: 1 });
    for (const multiplier of multipliers) {
      const length = { model, epochs: options.epochs * multiplier, multiplier };
      for (const method of METHOD_NAMES) {
        if (method === 'dense' || !wanted(method)) continue;
        const seedSchemes = options.allSchemes ? SEED_SCHEMES[method] : SEED_SCHEMES[method].slice(0, 1);
        const schemes = seedSchemes.filter((scheme, i) => i === 0 || structuresAnyLayer(scheme, model));
        const densities = LOW_DENSITY_METHODS.includes(method) ? [PLAN_DENSITY, LOW_DENSITY] : [PLAN_DENSITY];
        for (const density of densities) for (const scheme of schemes) rows.push({ ...length, method, scheme, density });
      }
    }
  }
  return rows;
}

/**
 * Whether the scheme can structure at least one layer of the model; where it cannot, methods fall back to
 * irregular sparsity on every layer and the row would repeat the irregular one (pattern sparsity on the MLP).
 */
function structuresAnyLayer(scheme: SchemeName, model: AccuracyModel): boolean {
  const { inputShape, numClasses } = DATASET_INFO['fashion-mnist'];
  const structure = createScheme(scheme);
  return maskableLayers(model, inputShape, numClasses).some((layer) => structure.unsupportedReason(layer.shape) === undefined);
}

/** The data, optimizer, batch and seed every row of a plan shares; part of each row's key. */
export interface SharedSettings {
  readonly trainLimit?: number;
  readonly testLimit?: number;
  readonly batchSize: number;
  readonly seed: number;
}

export function sharedSettings(options: PlanOptions): SharedSettings {
  return {
    ...(options.trainLimit === undefined ? {} : { trainLimit: options.trainLimit }),
    ...(options.testLimit === undefined ? {} : { testLimit: options.testLimit }),
    batchSize: options.batchSize,
    seed: options.seed,
  };
}

const NOMINAL_FASHION_MNIST_TRAIN = 60_000;

export function trainConfigFor(row: Row, shared: SharedSettings): TrainConfig {
  const base = {
    model: row.model,
    data: { name: 'fashion-mnist', trainLimit: shared.trainLimit, testLimit: shared.testLimit },
    method: row.method,
    scheme: row.scheme,
    density: row.density,
    epochs: row.epochs,
    batchSize: shared.batchSize,
    seed: shared.seed,
  };
  if (row.method !== 'vrpge') return parseTrainConfig(base);
  // VRPGE's default keeps half the channels; hold its expected kept fraction to the row's density instead.
  const stepsPerEpoch = Math.ceil((shared.trainLimit ?? NOMINAL_FASHION_MNIST_TRAIN) / shared.batchSize);
  const schedule = parseScheduleForRun({ kind: 'vrpge', keepFraction: row.density }, 'vrpge', {
    epochs: row.epochs,
    stepsPerEpoch,
    density: row.density,
  });
  return parseTrainConfig({ ...base, schedule });
}

/**
 * A row's identity in a results file: its fields, the shared settings and a digest of the resolved training config,
 * so a change of defaults (a schedule, the optimizer) makes old results count as other rows instead of being reused.
 */
export function rowKey(row: Row, shared: SharedSettings): string {
  const digest = createHash('sha256').update(JSON.stringify(trainConfigFor(row, shared))).digest('hex').slice(0, 12);
  return `${row.model}/${row.method}/${row.scheme}/d${row.density}/e${row.epochs}/${digest}`;
}

export function describeRow(row: Row): string {
  return `${row.model} ${row.method} ${row.scheme} d=${row.density} ${row.epochs} ep`;
}
