// Reads a scenario file and what it names: job templates (job files as for `sparsefleet jobs submit`) and a
// campaign file, resolved relative to the scenario. Device profiles are resolved by the runner (by name or path).
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ScenarioError, validateScenario, type Scenario } from './scenario-schema.js';

/** One kind of job to submit `count` times (names `<name>-<n>`). */
export interface JobBatch {
  readonly name: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly count: number;
}

export interface LoadedScenario {
  readonly scenario: Scenario;
  /** The scenario file's path. */
  readonly source: string;
  readonly jobBatches: readonly JobBatch[];
  /** The campaign document to POST, when the scenario runs a campaign. */
  readonly campaign?: Readonly<Record<string, unknown>>;
}

export async function loadScenarioFile(path: string): Promise<LoadedScenario> {
  const source = resolve(path);
  const scenario = validateScenario(await readYaml(source, source), path);
  return resolveScenario(scenario, source);
}

/** Resolves the files a validated scenario names, relative to `source`. */
export async function resolveScenario(scenario: Scenario, source: string): Promise<LoadedScenario> {
  const folder = dirname(source);
  const jobBatches: JobBatch[] = [];
  for (const [index, group] of (scenario.jobs ?? []).entries()) {
    let body: Record<string, unknown>;
    if (group.template !== undefined) {
      const templatePath = relativeTo(folder, group.template);
      const document = await readYaml(templatePath, `${source}: jobs.${index}.template`);
      if (!isRecord(document) || !isRecord(document.config)) throw new ScenarioError(`${templatePath}: a job file needs a config mapping (jobs.${index}.template of ${source})`);
      body = document;
    } else {
      body = { ...group.job! };
    }
    const name = group.name ?? (typeof body.name === 'string' ? body.name : group.template ? basename(group.template, extname(group.template)) : `job${index}`);
    jobBatches.push({ name, body, count: group.count });
  }
  let campaign: Record<string, unknown> | undefined;
  if (scenario.campaign !== undefined) {
    const document = await readYaml(relativeTo(folder, scenario.campaign), `${source}: campaign`);
    if (!isRecord(document)) throw new ScenarioError(`${source}: campaign: ${scenario.campaign} is not a mapping`);
    campaign = document;
  }
  return { scenario, source, jobBatches, ...(campaign ? { campaign } : {}) };
}

/** A profile written as a path (has a slash or ends in .yaml/.yml) is resolved against the scenario's folder. */
export function resolveProfileReference(reference: string, source: string): string {
  return /[\\/]/.test(reference) || /\.ya?ml$/i.test(reference) ? relativeTo(dirname(source), reference) : reference;
}

function relativeTo(folder: string, path: string): string {
  return isAbsolute(path) ? path : resolve(folder, path);
}

async function readYaml(path: string, context: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ScenarioError(`${context}: cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return parseYaml(text);
  } catch (error) {
    throw new ScenarioError(`${path}: not valid YAML: ${(error as Error).message}`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
