// Reference defaults scaled to the run at hand. The reference runs are long (CIFAR: 160 epochs × 391 steps); a
// fleet job may be a few epochs of a few dozen steps, so fixed step counts would mean "no update ever". Each method
// module (../methods/modules/) states its own defaults and how they scale, with the shared rules of ./scaling.ts:
// ΔT = clamp(round(stepsPerEpoch / 2), 1, reference ΔT) (100 for RigL/DSB, 1000 for GraNet's CIFAR script), and
// reference epochs scaled by epochs / reference epochs.
import { methodModule, METHOD_MODULES } from '../methods/modules/index.js';
import type { ScheduleDefaultsInput } from '../methods/method-module.js';
import type { MethodName } from '../methods/types.js';
import { assertRunLength } from './run-length.js';
import { parseSchedule, type Schedule, type ScheduleKind } from './schema.js';

export type { ScheduleDefaultsInput } from '../methods/method-module.js';

/** The schedule kind each method follows (undefined: the method has no schedule), from the method modules. */
export const METHOD_SCHEDULE_KIND: Readonly<Record<MethodName, ScheduleKind | undefined>> = Object.fromEntries(
  METHOD_MODULES.map((module) => [module.name, module.scheduleKind]),
) as Record<MethodName, ScheduleKind | undefined>;

/** A valid schedule for `method` scaled to the run, or undefined for methods without a schedule (dense, static). */
export function defaultScheduleFor(method: MethodName, input: ScheduleDefaultsInput): Schedule | undefined {
  const fields = defaultScheduleFieldsFor(method, input);
  return fields === undefined ? undefined : parseSchedule(fields);
}

function defaultScheduleFieldsFor(method: MethodName, input: ScheduleDefaultsInput): Record<string, unknown> | undefined {
  assertRunLength(input);
  const { density } = input;
  if (!(density > 0 && density <= 1)) throw new RangeError(`density must be in (0, 1], got ${density}`);
  return methodModule(method).scheduleDefaults(input);
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
