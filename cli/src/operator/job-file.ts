// A job file (`jobs submit F.yaml`): `{ name?, config: TrainConfig, selector?, maxAttempts?, checkpointEverySteps?,
// report?: { masks: every | final | off, fullMaskEvery?, forgetting: epoch | final | off, forgettingDataset? },
// initialMask?: { job, step }, dataEfficiency?: { source: fleet, removalSet: <id> | latest, refresh?: epoch | never } }`.
// Checked here before anything is sent, with the engine's own TrainConfig validation, so a typo costs no round trip:
// every problem becomes `F.yaml: config.optimizer.lr: must be > 0`, a YAML syntax error `F.yaml:3:7: …`.
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import {
  BACKEND_NAMES,
  formatZodError,
  parseTrainConfig,
  TrainConfigError,
  type TrainConfig,
} from '../../../client/src/engine/spec.js';
import { FORGETTING_CADENCES, REMOVAL_REFRESH, type SubmitJobRequest } from './api-types.js';
import { UsageError } from './errors.js';

export interface LoadedJobFile {
  /** The body for POST /api/jobs; `config` is sent as written (the coordinator applies the same defaults). */
  readonly request: SubmitJobRequest;
  /** The config with the engine's defaults applied, for display. */
  readonly config: TrainConfig;
}

const jobFileSchema = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
    // Checked here only for presence; its contents go through the engine's parseTrainConfig below.
    config: z.custom<unknown>((value) => value !== undefined && value !== null, { error: 'required' }),
    selector: z
      .object({
        labels: z.record(z.string(), z.string({ error: 'must be a string (quote numbers and booleans)' })).optional(),
        backend: z.enum(BACKEND_NAMES, { error: () => `must be one of ${BACKEND_NAMES.join(', ')}` }).optional(),
        minMemoryMb: z.number().gt(0, 'must be > 0').optional(),
      })
      .strict()
      .optional(),
    maxAttempts: z.number().int('must be an integer').min(1, 'must be >= 1').max(100, 'must be <= 100').optional(),
    checkpointEverySteps: z.number().int('must be an integer').min(1, 'must be >= 1').optional(),
    report: z
      .object({
        masks: z.enum(['every', 'final', 'off'], { error: () => 'must be one of every, final, off' }).optional(),
        fullMaskEvery: z.number().int('must be an integer').min(1, 'must be >= 1').optional(),
        forgetting: z.enum(FORGETTING_CADENCES, { error: () => `must be one of ${FORGETTING_CADENCES.join(', ')}` }).optional(),
        forgettingDataset: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 content hash in lower-case hex').optional(),
      })
      .strict()
      .optional(),
    initialMask: z
      .object({ job: z.string().trim().min(1, 'must not be empty'), step: z.number().int('must be an integer').min(0, 'must be >= 0') })
      .strict()
      .optional(),
    dataEfficiency: z
      .object({
        source: z.literal('fleet', { error: () => "must be 'fleet' (local MEST removal goes in config.dataEfficiency)" }),
        removalSet: z.string().trim().min(1, "must be a removal set id or 'latest'"),
        refresh: z.enum(REMOVAL_REFRESH, { error: () => `must be one of ${REMOVAL_REFRESH.join(', ')}` }).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Flags of `jobs submit` that add fleet data efficiency to a job file. */
export interface DataEfficiencyFlags {
  readonly forgetting?: (typeof FORGETTING_CADENCES)[number];
  readonly removalSet?: string;
  readonly refresh?: (typeof REMOVAL_REFRESH)[number];
}

/**
 * The job file's request with the flags applied (a flag wins over the file). Throws UsageError for combinations
 * the coordinator would refuse: --refresh without a removal set, a fleet removal set beside config.dataEfficiency.
 */
export function withDataEfficiencyFlags(loaded: LoadedJobFile, flags: DataEfficiencyFlags): SubmitJobRequest {
  let request = loaded.request;
  if (flags.forgetting !== undefined) request = { ...request, report: { ...request.report, forgetting: flags.forgetting } };
  if (flags.removalSet !== undefined) {
    request = { ...request, dataEfficiency: { ...request.dataEfficiency, source: 'fleet', removalSet: flags.removalSet } };
  }
  if (flags.refresh !== undefined) {
    if (request.dataEfficiency === undefined) throw new UsageError('--refresh needs a removal set: give --removal-set ID|latest');
    request = { ...request, dataEfficiency: { ...request.dataEfficiency, refresh: flags.refresh } };
  }
  if (request.dataEfficiency !== undefined && loaded.config.dataEfficiency !== undefined) {
    throw new UsageError('a fleet removal set and config.dataEfficiency (local MEST removal) exclude each other: keep one');
  }
  return request;
}

export async function loadJobFile(path: string): Promise<LoadedJobFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return parseJobFile(text, path);
}

/** Validates a job file's text; `label` (usually the path) prefixes every issue. Throws UsageError. */
export function parseJobFile(text: string, label: string): LoadedJobFile {
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new UsageError(
      document.errors.map((error) => {
        const position = error.linePos?.[0];
        const where = position === undefined ? label : `${label}:${position.line}:${position.col}`;
        return `${where}: YAML syntax error: ${firstLine(error.message).replace(/ at line \d+, column \d+:?$/, '')}`;
      }),
    );
  }
  const raw: unknown = document.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UsageError(`${label}: must be a YAML mapping with a 'config' field`);
  }
  const parsed = jobFileSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(splitIssues(formatZodError(parsed.error)).map((issue) => `${label}: ${issue}`));
  const { config: rawConfig, ...rest } = parsed.data;
  const config = validateConfig(rawConfig, label);
  return { request: withoutUndefined({ ...rest, config: rawConfig }), config };
}

function validateConfig(rawConfig: unknown, label: string): TrainConfig {
  try {
    return parseTrainConfig(rawConfig);
  } catch (error) {
    if (error instanceof TrainConfigError) {
      throw new UsageError(splitIssues(error.issues).map((issue) => `${label}: ${underConfig(issue)}`));
    }
    throw new UsageError(`${label}: config: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Engine issues name paths inside the config (`optimizer.lr: …`, `(root): …`); the file nests them under `config`. */
function underConfig(issue: string): string {
  if (issue.startsWith('(root)')) return `config${issue.slice('(root)'.length)}`;
  return issue.startsWith('[') ? `config${issue}` : `config.${issue}`;
}

/** formatZodError joins several unknown fields of one object with '; '; show one per line. */
function splitIssues(issues: readonly string[]): string[] {
  return issues.flatMap((issue) => issue.split('; '));
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

function withoutUndefined(request: SubmitJobRequest): SubmitJobRequest {
  return Object.fromEntries(Object.entries(request).filter(([, value]) => value !== undefined)) as SubmitJobRequest;
}
