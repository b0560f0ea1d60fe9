// REST shapes shared by several resources.
import { z } from 'zod';
import { restDto } from './registry.js';

export const LabelsDto = restDto('Labels', z.record(z.string(), z.string()), 'Operator labels: a small string map.');
export type LabelsDto = z.output<typeof LabelsDto>;

/** An ISO-8601 timestamp as the coordinator writes it (`Date.toISOString()`). */
export const Timestamp = z.string();

/** An object with one integer count per key. */
export function countsBy<const K extends readonly string[]>(keys: K) {
  return z.strictObject(Object.fromEntries(keys.map((key) => [key, z.number().int()])) as Record<K[number], z.ZodNumber>);
}
