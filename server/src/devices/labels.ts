// Operator labels on devices (and on enrollment tokens, which pass them on): small string maps that job
// selectors match as a subset. Keys are restricted so they read well in waiting reasons ("label site=lab").
import { z } from 'zod';

export type Labels = Readonly<Record<string, string>>;

const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/;
export const MAX_LABELS = 32;

export const labelsSchema = z
  .record(
    z.string().regex(LABEL_KEY, 'label keys are 1-63 characters of letters, digits, ".", "_", "/", "-"'),
    z.string().max(256, 'label values are at most 256 characters'),
  )
  .refine((labels) => Object.keys(labels).length <= MAX_LABELS, `at most ${MAX_LABELS} labels`);

/** Validates labels and returns them with sorted keys (stable JSON); throws RangeError naming the problem. */
export function parseLabels(input: unknown): Labels {
  const result = labelsSchema.safeParse(input);
  if (!result.success) throw new RangeError(result.error.issues.map((issue) => issue.message).join('; '));
  return Object.fromEntries(Object.entries(result.data).sort(([a], [b]) => a.localeCompare(b)));
}

/** True when every label of `required` is present with the same value in `actual`. */
export function labelsMatch(required: Labels, actual: Labels): boolean {
  return Object.entries(required).every(([key, value]) => actual[key] === value);
}

export function describeLabels(labels: Labels): string[] {
  return Object.entries(labels).map(([key, value]) => `label ${key}=${value}`);
}
