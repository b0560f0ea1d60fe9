// Reference defaults scaled to the run at hand. The reference runs are long (CIFAR: 160 epochs × 391 steps); a
// fleet job may be a few epochs of a few dozen steps, so fixed step counts would mean "no update ever".
//
// Scaling rules (documented, deterministic):
// - ΔT (RigL/SET/ITOP/GraNet/DSB) = clamp(round(stepsPerEpoch / 2), 1, reference ΔT): the reference value (100 for
//   RigL/DSB, 1000 for GraNet's CIFAR script) for long epochs, about two updates per epoch for short ones.
// - RigL/SET: α 0.3, cosine, end at 75% of the run. ITOP: GraNet's DST (regeneration only, random growth) expressed
//   as a dst schedule: α 0.5, cosine to the end of the run.
// - GraNet/GMP: the CIFAR script's window, epochs 0 → 80 of 160, i.e. the first half of the run; s_i = 0.5 for
//   GraNet (sparse-to-sparse; raised to the target density when that is denser) and dense start for GMP.
// - MEST: freq 5 of 160 epochs and decay epochs 90/120 of 160 scale with the epoch count (freq >= 1, decay epochs
//   strictly increasing). Bounds keep the reference mutation ratios relative to the active count: EM prunes 20%,
//   10%, 0% of the active weights below the target and grows back (0.92-0.91-0.9 at 90%); EM&S grows 50%, 25%, 0%
//   above the target (the shipped 0.85-0.875-0.9 at 90%).
// - DSB/SSB: α 0.3, ΔT as above, T_end = 75% of the run, B = 16.
// - VRPGE: keep half of the channels; fine-tune for the reference 40 of 340 epochs (rounded, 0 for very short runs).
import type { MethodName } from '../methods/types.js';
import { DEFAULT_SHUFFLED_BLOCK_SIDE } from '../schemes/descriptors.js';
import { assertRunLength, type RunLength } from './run-length.js';
import { parseSchedule, type MestSchedule, type Schedule, type ScheduleKind } from './schema.js';

export interface ScheduleDefaultsInput extends RunLength {
  /** Overall target density of the maskable layers. */
  readonly density: number;
}

/** The schedule kind each method follows (undefined: the method has no schedule). */
export const METHOD_SCHEDULE_KIND: Readonly<Record<MethodName, ScheduleKind | undefined>> = {
  dense: undefined,
  static: undefined,
  set: 'dst',
  rigl: 'dst',
  itop: 'dst',
  gmp: 'granet',
  'gmp-uniform': 'granet',
  granet: 'granet',
  'granet-uniform': 'granet',
  'mest-em': 'mest',
  'mest-ems': 'mest',
  dsb: 'dsb',
  ssb: 'dsb',
  vrpge: 'vrpge',
};

export function scaledUpdateInterval(stepsPerEpoch: number, referenceInterval: number): number {
  return Math.min(referenceInterval, Math.max(1, Math.round(stepsPerEpoch / 2)));
}

function scaledEpoch(epochs: number, referenceEpoch: number, referenceTotal: number): number {
  return Math.round((epochs * referenceEpoch) / referenceTotal);
}

/** Sparsity whose active count is `factor` times that of `density`, clamped to [0, 1). */
function sparsityFor(density: number, factor: number): number {
  return Math.min(Math.max(1 - density * factor, 0), 1 - Number.EPSILON);
}

export function defaultMestBounds(method: 'mest-em' | 'mest-ems', density: number): Pick<MestSchedule, 'lowerBound' | 'upperBound'> {
  const target = 1 - density;
  if (method === 'mest-em') {
    return { lowerBound: [0.8, 0.9, 1].map((f) => sparsityFor(density, f)), upperBound: [target, target, target] };
  }
  return { lowerBound: [target, target, target], upperBound: [1.5, 1.25, 1].map((f) => sparsityFor(density, f)) };
}

/**
 * Decay epochs 90/120 of 160, scaled; then pulled in so that the last mask update of the run falls in the last
 * phase (grow-to bound = prune-to bound), as in the reference, where it does at epoch 155. Without that, a short
 * EM&S run would end above its memory bound.
 */
function defaultDecayEpochs(epochs: number, updateFrequency: number): number[] {
  const lastUpdate = Math.floor((epochs - 1) / updateFrequency) * updateFrequency;
  let first = Math.max(1, scaledEpoch(epochs, 90, 160));
  let second = Math.max(first + 1, scaledEpoch(epochs, 120, 160));
  if (lastUpdate >= 1 && second > lastUpdate) {
    second = lastUpdate;
    first = Math.min(first, second - 1);
  }
  return [first, second];
}

/** A valid schedule for `method` scaled to the run, or undefined for methods without a schedule (dense, static). */
export function defaultScheduleFor(method: MethodName, input: ScheduleDefaultsInput): Schedule | undefined {
  const fields = defaultScheduleFieldsFor(method, input);
  return fields === undefined ? undefined : parseSchedule(fields);
}

function defaultScheduleFieldsFor(method: MethodName, input: ScheduleDefaultsInput): Record<string, unknown> | undefined {
  assertRunLength(input);
  const { epochs, stepsPerEpoch, density } = input;
  if (!(density > 0 && density <= 1)) throw new RangeError(`density must be in (0, 1], got ${density}`);
  const kind = METHOD_SCHEDULE_KIND[method];
  if (kind === undefined) return undefined;
  switch (method) {
    case 'rigl':
    case 'set':
      return {
        kind: 'dst',
        updateInterval: scaledUpdateInterval(stepsPerEpoch, 100),
        endFraction: 0.75,
        dropFraction: 0.3,
        decay: { kind: 'cosine' },
        growth: method === 'rigl' ? 'gradient' : 'random',
      };
    case 'itop':
      return {
        kind: 'dst',
        updateInterval: scaledUpdateInterval(stepsPerEpoch, 100),
        endFraction: 1,
        dropFraction: 0.5,
        decay: { kind: 'cosine' },
        growth: 'random',
      };
    case 'gmp':
    case 'gmp-uniform':
    case 'granet':
    case 'granet-uniform': {
      const gradual = method === 'gmp' || method === 'gmp-uniform';
      return {
        kind: 'granet',
        initDensity: gradual ? 1 : Math.max(0.5, density),
        finalDensity: density,
        initPruneEpoch: 0,
        finalPruneEpoch: Math.max(epochs / 2, 1 / stepsPerEpoch),
        updateInterval: scaledUpdateInterval(stepsPerEpoch, 1000),
        regenerate: !gradual,
        growth: 'gradient',
      };
    }
    case 'mest-em':
    case 'mest-ems': {
      const updateFrequency = Math.max(1, scaledEpoch(epochs, 5, 160));
      return {
        kind: 'mest',
        ...defaultMestBounds(method, density),
        decayEpochs: defaultDecayEpochs(epochs, updateFrequency),
        updateFrequency,
        importanceLambda: 0,
      };
    }
    case 'dsb':
    case 'ssb':
      return {
        kind: 'dsb',
        updateInterval: scaledUpdateInterval(stepsPerEpoch, 100),
        endFraction: 0.75,
        dropFraction: 0.3,
        blockSize: DEFAULT_SHUFFLED_BLOCK_SIDE,
        staticMask: method === 'ssb',
      };
    case 'vrpge':
      return { kind: 'vrpge', keepFraction: 0.5, finetuneEpochs: Math.min(epochs - 1, scaledEpoch(epochs, 40, 340)) };
    default:
      return undefined;
  }
}

/**
 * Parses a (possibly partial) YAML schedule whose missing fields come from `defaultScheduleFor(method, run)` rather
 * than the raw reference defaults. The input's kind must be the method's.
 */
export function parseScheduleForRun(input: unknown, method: MethodName, run: ScheduleDefaultsInput): Schedule {
  const base = defaultScheduleFieldsFor(method, run);
  if (base === undefined || typeof input !== 'object' || input === null) return parseSchedule(input);
  const fields = input as Record<string, unknown>;
  if (fields.kind !== base.kind) return parseSchedule(input);
  return parseSchedule({ ...base, ...fields });
}
