// Schedule <-> protobuf (sparsefleet.v1.Schedule). `scheduleFromProto(scheduleToProto(s))` deep-equals `s` for every
// valid schedule. Proto3 cannot tell "unset" from zero/empty, so on arrival empty strings, an UNSPECIFIED decay, a
// zero decay exponent and end_step <= 0 mean "use the default"; the result is validated again by the zod schema.
import {
  DropFractionDecay as ProtoDecay,
  type Schedule as ProtoSchedule,
} from '../../../../../generated/proto/sparsefleet/v1/schedule.js';
import { parseSchedule, type DropFractionDecay, type Schedule } from './schema.js';

const DECAY_TO_PROTO: Record<DropFractionDecay['kind'], ProtoDecay> = {
  constant: ProtoDecay.DROP_FRACTION_DECAY_CONSTANT,
  cosine: ProtoDecay.DROP_FRACTION_DECAY_COSINE,
  exponential: ProtoDecay.DROP_FRACTION_DECAY_EXPONENTIAL,
};

function decayFromProto(decay: ProtoDecay, exponent: number): DropFractionDecay | undefined {
  switch (decay) {
    case ProtoDecay.DROP_FRACTION_DECAY_CONSTANT:
      return { kind: 'constant' };
    case ProtoDecay.DROP_FRACTION_DECAY_COSINE:
      return { kind: 'cosine' };
    case ProtoDecay.DROP_FRACTION_DECAY_EXPONENTIAL:
      return { kind: 'exponential', exponent: exponent > 0 ? exponent : 1 };
    default:
      return undefined;
  }
}

/** Empty proto strings mean "not set". */
function optionalString(value: string): string | undefined {
  return value === '' ? undefined : value;
}

export function scheduleToProto(schedule: Schedule): ProtoSchedule {
  switch (schedule.kind) {
    case 'dst':
      return {
        kind: {
          $case: 'dst',
          value: {
            updateInterval: schedule.updateInterval,
            beginStep: schedule.beginStep,
            endStep: schedule.endStep ?? 0,
            endFraction: schedule.endFraction,
            dropFraction: schedule.dropFraction,
            decay: DECAY_TO_PROTO[schedule.decay.kind],
            decayExponent: schedule.decay.kind === 'exponential' ? schedule.decay.exponent : 0,
            pruneMode: schedule.pruneMode,
            growth: schedule.growth,
            redistribution: schedule.redistribution,
            growInit: schedule.growInit,
          },
        },
      };
    case 'granet':
      return { kind: { $case: 'granet', value: { ...withoutKind(schedule) } } };
    case 'mest':
      return {
        kind: {
          $case: 'mest',
          value: {
            lowerBound: [...schedule.lowerBound],
            upperBound: [...schedule.upperBound],
            decayEpochs: [...schedule.decayEpochs],
            updateFrequency: schedule.updateFrequency,
            importanceLambda: schedule.importanceLambda,
          },
        },
      };
    case 'dsb':
      return { kind: { $case: 'dsb', value: { ...withoutKind(schedule), endStep: schedule.endStep ?? 0 } } };
    case 'vrpge':
      return { kind: { $case: 'vrpge', value: { ...withoutKind(schedule) } } };
  }
}

/** Drops keys whose value is undefined so the schema fills their defaults and the result has no such keys. */
function parseDefined(fields: Record<string, unknown>): Schedule {
  return parseSchedule(Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)));
}

function withoutKind<T extends { kind: string }>(value: T): Omit<T, 'kind'> {
  const { kind: _kind, ...rest } = value;
  return rest;
}

/** Converts and validates; throws ScheduleValidationError (field paths as in parseSchedule) or Error when empty. */
export function scheduleFromProto(message: ProtoSchedule): Schedule {
  const kind = message.kind;
  if (kind === undefined) throw new Error('schedule.kind: no schedule kind set');
  switch (kind.$case) {
    case 'dst': {
      const v = kind.value;
      return parseDefined({
        kind: 'dst',
        updateInterval: v.updateInterval,
        beginStep: v.beginStep,
        endStep: v.endStep > 0 ? v.endStep : undefined,
        endFraction: v.endFraction,
        dropFraction: v.dropFraction,
        decay: decayFromProto(v.decay, v.decayExponent),
        pruneMode: optionalString(v.pruneMode),
        growth: optionalString(v.growth),
        redistribution: optionalString(v.redistribution),
        growInit: optionalString(v.growInit),
      });
    }
    case 'granet': {
      const v = kind.value;
      return parseDefined({
        ...v,
        kind: 'granet',
        pruneMode: optionalString(v.pruneMode),
        growth: optionalString(v.growth),
        redistribution: optionalString(v.redistribution),
      });
    }
    case 'mest': {
      const v = kind.value;
      return parseDefined({
        kind: 'mest',
        lowerBound: [...v.lowerBound],
        upperBound: [...v.upperBound],
        decayEpochs: [...v.decayEpochs],
        updateFrequency: v.updateFrequency,
        importanceLambda: v.importanceLambda,
      });
    }
    case 'dsb': {
      const v = kind.value;
      return parseDefined({ ...v, kind: 'dsb', endStep: v.endStep > 0 ? v.endStep : undefined });
    }
    case 'vrpge': {
      const v = kind.value;
      return parseDefined({ ...v, kind: 'vrpge', scoreDenominator: optionalString(v.scoreDenominator) });
    }
  }
}
