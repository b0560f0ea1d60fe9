// The demo's benchmark campaigns: posts a small campaign file to the coordinator over REST, follows it until it is
// done and writes its self-contained HTML report. By default the demo runs two (a campaign has one measure): the
// kernel cells of profiles/campaigns/smoke.yaml (the demo networks' layer shapes) and the training-step cell of
// profiles/campaigns/smoke-step.yaml, one after the other, each with its own report. REST only: the demo talks to
// the coordinator the way an operator would.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DemoRestTarget {
  readonly url: string;
  readonly apiKey: string;
}

export interface DemoCampaignOptions {
  /** Campaign YAML; default: the shipped smoke campaign. */
  readonly file?: string;
  readonly reportPath: string;
  readonly timeoutMs: number;
  readonly log: (line: string) => void;
  readonly pollIntervalMs?: number;
}

interface Counts {
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly cancelled: number;
}

interface CampaignState {
  readonly id: string;
  readonly name: string;
  readonly state: string;
  readonly counts: Counts;
  readonly results: ReadonlyArray<{ readonly valid: boolean }>;
}

export interface DemoCampaignOutcome {
  readonly campaign: CampaignState;
  readonly reportPath: string;
}

const SMOKE_CAMPAIGN = 'smoke.yaml';
const SMOKE_STEP_CAMPAIGN = 'smoke-step.yaml';

/** A shipped campaign profile, found from this module's folder upwards (sources and dist/ alike), else cwd. */
export function shippedCampaignFile(name: string): string {
  const relative = join('profiles', 'campaigns', name);
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 8; depth += 1) {
    const candidate = join(folder, relative);
    if (existsSync(candidate)) return candidate;
    folder = dirname(folder);
  }
  return resolve(relative);
}

/** The shipped smoke (kernel) campaign. */
export function defaultCampaignFile(): string {
  return shippedCampaignFile(SMOKE_CAMPAIGN);
}

export interface DemoCampaignPlan {
  readonly file: string;
  readonly reportPath: string;
}

/**
 * What the demo runs: the given file with its report at `reportPath`, or by default the kernel smoke campaign
 * (report at `reportPath`) and then the training-step smoke campaign (report at `reportPath` with "-step" before
 * its extension).
 */
export function demoCampaignPlan(file: string | undefined, reportPath: string): DemoCampaignPlan[] {
  if (file !== undefined) return [{ file, reportPath }];
  return [
    { file: shippedCampaignFile(SMOKE_CAMPAIGN), reportPath },
    { file: shippedCampaignFile(SMOKE_STEP_CAMPAIGN), reportPath: withSuffix(reportPath, '-step') },
  ];
}

/** "report.html" + "-step" -> "report-step.html" (appended when the name has no extension). */
export function withSuffix(path: string, suffix: string): string {
  const base = basename(path);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? `${path}${suffix}` : join(dirname(path), `${base.slice(0, dot)}${suffix}${base.slice(dot)}`);
}

export async function runDemoCampaign(target: DemoRestTarget, options: DemoCampaignOptions): Promise<DemoCampaignOutcome> {
  const file = options.file ?? defaultCampaignFile();
  const yaml = await readFile(file, 'utf8');
  const started = await rest<CampaignState>(target, 'POST', '/api/campaigns', { yaml });
  options.log(`campaign ${started.name} (${started.id}): ${started.counts.total} jobs from ${file}`);
  const deadline = Date.now() + options.timeoutMs;
  let last = '';
  let campaign = started;
  for (;;) {
    campaign = await rest<CampaignState>(target, 'GET', `/api/campaigns/${started.id}`);
    const done = campaign.counts.succeeded + campaign.counts.failed + campaign.counts.cancelled;
    const line = `campaign ${campaign.name}: ${campaign.state}, ${done}/${campaign.counts.total} cells measured`;
    if (line !== last) options.log(line);
    last = line;
    if (campaign.state !== 'running') break;
    if (Date.now() > deadline) {
      options.log(`campaign still running after ${Math.round(options.timeoutMs / 1000)} s; cancelling it`);
      campaign = await rest<CampaignState>(target, 'POST', `/api/campaigns/${started.id}/cancel`);
      break;
    }
    await new Promise((resolvePoll) => setTimeout(resolvePoll, options.pollIntervalMs ?? 500));
  }
  const html = await restText(target, `/api/campaigns/${started.id}/report?format=html`);
  await writeFile(options.reportPath, html);
  const valid = campaign.results.filter((result) => result.valid).length;
  options.log(`campaign ${campaign.name} ${campaign.state}: ${campaign.results.length} results, ${valid} valid`);
  return { campaign, reportPath: options.reportPath };
}

async function rest<T>(target: DemoRestTarget, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  return JSON.parse(await send(target, method, path, body)) as T;
}

function restText(target: DemoRestTarget, path: string): Promise<string> {
  return send(target, 'GET', path);
}

async function send(target: DemoRestTarget, method: 'GET' | 'POST', path: string, body?: unknown): Promise<string> {
  const headers: Record<string, string> = { authorization: `Bearer ${target.apiKey}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${target.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}: ${text}`);
  return text;
}
