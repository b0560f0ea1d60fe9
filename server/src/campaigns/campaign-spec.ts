// A benchmark campaign as the operator writes it (YAML or JSON): what to measure, the matrix of configurations,
// which devices run it and the run rules (MLPerf-Mobile style: warm-up, minimum iterations AND minimum duration,
// percentiles, optional sustained phase). Pure (zod + yaml): the CLI validates files with it before sending them.
// Every error names its field path, e.g. `matrix.density[2]: must be in (0, 1]`.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { BACKEND_NAMES, KERNEL_OPS, METHOD_NAMES, MODEL_NAMES, formatZodError, schemeNameSchema, type KernelOp } from '../../../client/src/engine/spec.js';
import { jobSelectorSchema } from '../jobs/job-selector.js';
import { campaignSizeOf, cellCountIssue, jobCountIssue } from './campaign-matrix.js';

/**
 * Largest YAML text a campaign may be written in. Campaign files are under 1 KB (a 300,000-cell matrix fits in
 * 3 KB); the bound keeps the parse itself, which cannot be cut into slices, short (~1 ms per KiB here).
 */
export const MAX_CAMPAIGN_YAML_CHARS = 16 * 1024;
/** Alias resolutions allowed while reading campaign YAML (the yaml package's guard against alias bombs). */
export const MAX_CAMPAIGN_YAML_ALIASES = 100;
/**
 * Largest `base` (as JSON). Every cell of a training campaign parses it (a per-layer `profile` in it is YAML, ~1 ms
 * per KiB), so this bounds the work per cell, and the budget below bounds cells × base.
 */
export const MAX_CAMPAIGN_BASE_CHARS = 8 * 1024;
/** Upper bound on cells × base characters: the total parsing a start does (at the job cap, a 1.6 KiB base). */
export const MAX_CAMPAIGN_BASE_WORK = 8 * 1024 * 1024;

export const CAMPAIGN_MEASURES = ['kernel', 'training-step', 'training-run'] as const;
export type CampaignMeasure = (typeof CAMPAIGN_MEASURES)[number];

export { KERNEL_OPS, type KernelOp };

export const PLACEMENTS = ['every', 'spread'] as const;
export type Placement = (typeof PLACEMENTS)[number];

/** Shape length per op family: linear [batch, in, out]; conv [batch, height, width, in, out, k]. */
export function shapeLengthOf(op: KernelOp): number {
  return op.startsWith('linear') ? 3 : 6;
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: () => `must be one of ${values.join(', ')}` });
}

function nonEmpty<T extends string>(values: readonly T[]): readonly [T, ...T[]] {
  return values as unknown as readonly [T, ...T[]];
}

/** A matrix axis: one value or a non-empty list of distinct values (a scalar is read as a list of one). */
function axis<S extends z.ZodType>(item: S) {
  return z.preprocess(
    (value) => (value === undefined || Array.isArray(value) ? value : [value]),
    z
      .array(item)
      .min(1, 'must list at least one value')
      .refine((values) => new Set(values.map((value) => JSON.stringify(value))).size === values.length, 'must not repeat a value'),
  );
}

const positiveInt = z.number().int('must be an integer').gte(1, 'must be >= 1');
const nonNegativeInt = z.number().int('must be an integer').gte(0, 'must be >= 0').lte(0xffffffff, 'must fit in 32 bits');
const density = z.number().gt(0, 'must be in (0, 1]').lte(1, 'must be in (0, 1]');

export const matrixSchema = z
  .object({
    model: axis(oneOf(nonEmpty(MODEL_NAMES))).optional(),
    method: axis(oneOf(nonEmpty(METHOD_NAMES))).optional(),
    /** Canonical scheme names or their aliases, stored as the canonical names. */
    scheme: axis(schemeNameSchema).optional(),
    density: axis(density),
    batchSize: axis(positiveInt.lte(65536, 'must be <= 65536')).optional(),
    backend: axis(oneOf(BACKEND_NAMES)).optional(),
    op: axis(oneOf(KERNEL_OPS)).optional(),
    shape: axis(z.array(positiveInt.lte(1 << 16, 'must be <= 65536')).min(1, 'must not be empty')).optional(),
  })
  .strict();

export const runRulesSchema = z
  .object({
    warmupIterations: nonNegativeInt.default(5),
    minIterations: positiveInt.lte(0xffffffff, 'must fit in 32 bits').default(20),
    minDurationMs: nonNegativeInt.default(1000),
    percentiles: z
      .array(z.number().gt(0, 'must be in (0, 100)').lt(100, 'must be in (0, 100)'))
      .min(1, 'must list at least one percentile')
      .refine((values) => new Set(values).size === values.length, 'must not repeat a percentile')
      .default([50, 90, 99]),
    cooldownMs: nonNegativeInt.default(0),
    sustained: z
      .object({ durationMs: positiveInt.lte(0xffffffff, 'must fit in 32 bits'), windowMs: positiveInt.lte(0xffffffff, 'must fit in 32 bits') })
      .strict()
      .refine((sustained) => sustained.windowMs <= sustained.durationMs, { message: 'must be <= sustained.durationMs', path: ['windowMs'] })
      .optional(),
  })
  .strict();

export const campaignDevicesSchema = z
  .object({
    selector: jobSelectorSchema.omit({ deviceId: true }).default({}),
    /** every: each cell on each selected device; spread: each cell `count` times on any matching device. */
    placement: oneOf(PLACEMENTS).default('every'),
    /** every: use at most this many of the matching devices; spread: runs per cell (default 1). */
    count: positiveInt.lte(10_000, 'must be <= 10000').optional(),
  })
  .strict();

export const campaignSpecSchema = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
    measure: oneOf(CAMPAIGN_MEASURES),
    matrix: matrixSchema,
    /** TrainConfig fragment shared by the cells of training kinds (validated per cell with the engine's schema). */
    base: z.record(z.string(), z.unknown(), { error: 'must be a mapping (a TrainConfig fragment)' }).optional(),
    devices: campaignDevicesSchema.default(() => campaignDevicesSchema.parse({})),
    runRules: runRulesSchema.default(() => runRulesSchema.parse({})),
    maxAttempts: positiveInt.lte(100, 'must be <= 100').optional(),
    /** Training-run cells may report their masks (churn and ITOP exploration rate go into the report). */
    report: z
      .object({
        masks: oneOf(['every', 'final', 'off'] as const).default('off'),
        fullMaskEvery: positiveInt.lte(1_000_000, 'must be <= 1000000').optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const { matrix } = spec;
    if (spec.measure === 'kernel') {
      if (!matrix.op) issue(['matrix', 'op'], 'required when measure is kernel');
      if (!matrix.shape) issue(['matrix', 'shape'], 'required when measure is kernel');
      for (const field of ['model', 'method', 'batchSize'] as const) {
        if (matrix[field]) issue(['matrix', field], 'only for training measures (kernels take batch from shape)');
      }
      if (spec.base) issue(['base'], 'only for training measures');
      // Each op runs on the shapes of its family (linear ops and conv ops may share a matrix): every shape must fit
      // an op, and every op must have a shape.
      const ops = matrix.op ?? [];
      const shapes = matrix.shape ?? [];
      let misfits = 0;
      shapes.forEach((shape, index) => {
        if (ops.length === 0 || ops.some((op) => shape.length === shapeLengthOf(op))) return;
        misfits += 1;
        const needs = ops.map((op) => `op ${op} needs ${shapeLengthOf(op)} numbers`).join(', ');
        issue(['matrix', 'shape', index], `${needs}, got ${shape.length}`);
      });
      if (misfits === 0 && shapes.length > 0) {
        ops.forEach((op, index) => {
          if (!shapes.some((shape) => shape.length === shapeLengthOf(op))) {
            issue(['matrix', 'op', index], `no shape has the ${shapeLengthOf(op)} numbers op ${op} needs`);
          }
        });
      }
    } else {
      if (!matrix.model) issue(['matrix', 'model'], `required when measure is ${spec.measure}`);
      for (const field of ['op', 'shape'] as const) if (matrix[field]) issue(['matrix', field], 'only for measure kernel');
    }
    if (spec.report !== undefined && spec.report.masks !== 'off' && spec.measure !== 'training-run') {
      issue(['report', 'masks'], 'only for measure training-run (the other measures train no mask updates)');
    }
    if (spec.measure === 'training-run' && spec.runRules.sustained) {
      issue(['runRules', 'sustained'], 'only for measure kernel or training-step');
    }
    // The size from the matrix's shape alone, before anything is expanded: every cell runs at least once, and a
    // spread campaign runs each cell `count` times whatever devices exist.
    const size = campaignSizeOf(spec);
    const tooMany =
      cellCountIssue(size) ??
      (spec.devices.placement === 'spread' ? jobCountIssue(size, spec.devices.count ?? 1, 'runs per cell (devices.count)') : undefined);
    if (tooMany !== undefined) issue(['matrix'], tooMany.replace(/^matrix: /, ''));
    if (spec.base !== undefined && tooMany === undefined) {
      const chars = JSON.stringify(spec.base).length;
      if (chars > MAX_CAMPAIGN_BASE_CHARS) {
        issue(['base'], `${chars} characters as JSON exceed the limit of ${MAX_CAMPAIGN_BASE_CHARS} (every cell parses it)`);
      } else if (chars * size.cells > MAX_CAMPAIGN_BASE_WORK) {
        issue(
          ['base'],
          `${chars} characters × ${size.cells} cells = ${chars * size.cells} exceed the limit of ${MAX_CAMPAIGN_BASE_WORK} (every cell parses it)`,
        );
      }
    }
  });

export type CampaignSpecInput = z.input<typeof campaignSpecSchema>;
export type CampaignSpec = z.output<typeof campaignSpecSchema>;
export type RunRulesSpec = CampaignSpec['runRules'];
export type CampaignMatrix = CampaignSpec['matrix'];

/** A spec that failed validation; `issues` are `path: message` lines. */
export class CampaignSpecError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`invalid campaign: ${issues.join('; ')}`);
    this.name = 'CampaignSpecError';
  }
}

export function parseCampaignSpec(input: unknown): CampaignSpec {
  const result = campaignSpecSchema.safeParse(input ?? {});
  if (!result.success) throw new CampaignSpecError(formatZodError(result.error));
  return result.data;
}

/**
 * Parses YAML text; a YAML syntax error is reported as an issue at `(yaml)`. The text's length is checked before
 * parsing and aliases are bounded (an alias bomb is refused rather than expanded).
 */
export function parseCampaignYaml(text: string): CampaignSpec {
  if (text.length > MAX_CAMPAIGN_YAML_CHARS) {
    throw new CampaignSpecError([`(yaml): ${text.length} characters exceed the limit of ${MAX_CAMPAIGN_YAML_CHARS}`]);
  }
  let document: unknown;
  try {
    document = parseYaml(text, { maxAliasCount: MAX_CAMPAIGN_YAML_ALIASES });
  } catch (error) {
    throw new CampaignSpecError([`(yaml): ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`]);
  }
  return parseCampaignSpec(document);
}

/** REST body: the spec as JSON, or `{ yaml: string }`. */
export function parseCampaignBody(body: unknown): CampaignSpec {
  if (body !== null && typeof body === 'object' && 'yaml' in body) {
    const { yaml, ...rest } = body as { yaml: unknown };
    if (typeof yaml !== 'string') throw new CampaignSpecError(['yaml: must be a string']);
    if (Object.keys(rest).length > 0) throw new CampaignSpecError(Object.keys(rest).map((key) => `${key}: unknown field next to yaml`));
    return parseCampaignYaml(yaml);
  }
  return parseCampaignSpec(body);
}
