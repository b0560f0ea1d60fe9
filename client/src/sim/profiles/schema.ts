// The device-profile file format (YAML) and its validation. Every problem names the file and the field:
// `jetson-nano.yaml: memory.availableMb: must be <= memory.totalMb`.
import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { DeviceProfile, Distribution } from './types.js';

export class DeviceProfileError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly string[],
  ) {
    super(`${source}: ${issues.join('; ')}`);
    this.name = 'DeviceProfileError';
  }
}

const positive = z.number({ error: 'must be a number' }).gt(0, 'must be > 0');
const nonNegative = z.number({ error: 'must be a number' }).gte(0, 'must be >= 0');
const fraction = nonNegative.lt(1, 'must be < 1');
const name = z.string({ error: 'must be a string' }).regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lower-case letters, digits, ".", "_" or "-"');
const STEP_KEY = /^[a-z0-9.-]+\/[a-z-]+\/(0|1|0?\.\d+|1\.0+)\/b[1-9]\d*$/;

export const distributionSchema: z.ZodType<Distribution> = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('fixed'), value: nonNegative }).strict(),
    z
      .object({ kind: z.literal('uniform'), min: nonNegative, max: nonNegative })
      .strict()
      .refine((d) => d.max >= d.min, { path: ['max'], message: 'must be >= min' }),
    z.object({ kind: z.literal('exponential'), mean: positive }).strict(),
    z.object({ kind: z.literal('lognormal'), median: positive, sigma: nonNegative }).strict(),
  ],
  { error: () => 'must have kind fixed, uniform, exponential or lognormal' },
);

const deviceProfileSchema = z
  .object({
    name,
    description: z.string({ error: 'must be a string' }).min(1, 'must not be empty'),
    platform: z.string({ error: 'must be a string' }).min(1, 'must not be empty'),
    compute: z
      .object({
        speedFactor: positive,
        stepMs: z
          .record(z.string().regex(STEP_KEY, 'keys must read model/scheme/density/bBATCH, e.g. mlp/irregular/0.1/b128'), positive)
          .optional(),
      })
      .strict(),
    memory: z.object({ totalMb: positive, availableMb: positive }).strict(),
    backends: z.array(z.enum(['tensorflow', 'wasm', 'cpu'], { error: () => 'must be one of tensorflow, wasm, cpu' })).min(1, 'must name at least one backend'),
    simd: z.boolean({ error: 'must be true or false' }),
    threads: z.number({ error: 'must be a number' }).int('must be an integer').gte(1, 'must be >= 1'),
    network: z
      .object({ latencyMs: nonNegative, jitterMs: nonNegative, bandwidthKbps: positive, lossRate: fraction })
      .strict(),
    availability: z.union(
      [
        z.object({ sessionMinutes: distributionSchema, offlineMinutes: distributionSchema }).strict(),
        z.object({ trace: z.string({ error: 'must be a string' }).min(1, 'must not be empty') }).strict(),
      ],
      { error: () => 'must be { sessionMinutes, offlineMinutes } or { trace }' },
    ),
    thermal: z
      .object({ throttleAfterMinutes: nonNegative, throttleFactor: z.number({ error: 'must be a number' }).gte(1, 'must be >= 1') })
      .strict()
      .optional(),
    battery: z.object({ capacityMinutes: positive, rechargeWhileOffline: z.boolean({ error: 'must be true or false' }) }).strict().optional(),
  })
  .strict()
  .superRefine((profile, ctx) => {
    if (profile.memory.availableMb > profile.memory.totalMb) {
      ctx.addIssue({ code: 'custom', path: ['memory', 'availableMb'], message: 'must be <= memory.totalMb' });
    }
  });

/** Parses a profile's YAML text; `source` (the file name) starts every error message. */
export function parseDeviceProfile(text: string, source: string): DeviceProfile {
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new DeviceProfileError(
      source,
      document.errors.map((error) => {
        const at = error.linePos?.[0];
        return at ? `line ${at.line}, column ${at.col}: ${error.message}` : error.message;
      }),
    );
  }
  const parsed = deviceProfileSchema.safeParse(document.toJS());
  if (!parsed.success) throw new DeviceProfileError(source, parsed.error.issues.map(formatIssue));
  return parsed.data;
}

/** Checks a profile built in code (e.g. derived from a campaign) with the same rules as a file. */
export function validateDeviceProfile(value: unknown, source: string): DeviceProfile {
  const parsed = deviceProfileSchema.safeParse(value);
  if (!parsed.success) throw new DeviceProfileError(source, parsed.error.issues.map(formatIssue));
  return parsed.data;
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : String(key))).join('.').replace(/\.\[/g, '[');
  if (issue.code === 'unrecognized_keys') {
    const where = path === '' ? '' : `${path}.`;
    return issue.keys.map((key) => `${where}${key}: unknown field`).join('; ');
  }
  return `${path === '' ? '(root)' : path}: ${issue.message}`;
}
