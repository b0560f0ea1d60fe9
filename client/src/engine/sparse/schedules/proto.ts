// Schedule <-> protobuf (sparsefleet.v1.Schedule). `scheduleFromProto(scheduleToProto(s))` deep-equals `s` for every
// valid schedule. Proto3 cannot tell "unset" from zero/empty, so on arrival empty strings, an UNSPECIFIED decay, a
// zero decay exponent and end_step <= 0 mean "use the default"; the result is validated again by the zod schema.
import {
  DropFractionDecay as ProtoDecay,
  type Schedule as ProtoSchedule,
} from '../../../../../protocol/src/index.js';
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
        dst: {
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
      };
    case 'granet':
      return { granet: { ...withoutKind(schedule) } };
    case 'mest':
      return {
        mest: {
            lowerBound: [...schedule.lowerBound],
            upperBound: [...schedule.upperBound],
            decayEpochs: [...schedule.decayEpochs],
            updateFrequency: schedule.updateFrequency,
            importanceLambda: schedule.importanceLambda,
        },
      };
    case 'dsb':
      return { dsb: { ...withoutKind(schedule), endStep: schedule.endStep ?? 0 } };
    case 'vrpge':
      return { vrpge: { ...withoutKind(schedule) } };
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
  if (message.dst) {
    const v = message.dst;
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
  if (message.granet) {
    const v = message.granet;
    return parseDefined({
      ...v,
      kind: 'granet',
      pruneMode: optionalString(v.pruneMode),
      growth: optionalString(v.growth),
      redistribution: optionalString(v.redistribution),
    });
  }
  if (message.mest) {
    const v = message.mest;
    return parseDefined({
      kind: 'mest',
      lowerBound: [...v.lowerBound],
      upperBound: [...v.upperBound],
      decayEpochs: [...v.decayEpochs],
      updateFrequency: v.updateFrequency,
      importanceLambda: v.importanceLambda,
    });
  }
  if (message.dsb) {
    const v = message.dsb;
    return parseDefined({ ...v, kind: 'dsb', endStep: v.endStep > 0 ? v.endStep : undefined });
  }
  if (message.vrpge) {
    const v = message.vrpge;
    return parseDefined({ ...v, kind: 'vrpge', scoreDenominator: optionalString(v.scoreDenominator) });
  }
  throw new Error('schedule.kind: no schedule kind set');
}
