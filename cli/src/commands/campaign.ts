// `sparsefleet campaign run|list|show|cancel|report|compare`: fleet-wide benchmark campaigns.
import { readFile, writeFile } from 'node:fs/promises';
import { interruptible } from '../operator/interruptible.js';
import { type Command, Option } from 'commander';
import {
  CampaignSpecError,
  COMPARE_METRICS,
  CompareOptionError,
  DEFAULT_ACCURACY_THRESHOLD_POINTS,
  DEFAULT_THRESHOLD_PERCENT,
  expandMatrix,
  parseCampaignYaml,
  parseMetrics,
  parseThreshold,
  REPORT_FORMATS,
  validateCells,
  type CampaignSpec,
  type ReportFormat,
} from '../../../server/src/campaigns/index.js';
import { CampaignApi, type CampaignComparison, type CompareQuery } from '../operator/campaign-api.js';
import { formatComparison } from '../operator/campaign-compare-view.js';
import { formatCampaignDetails, formatCampaignTable, formatCounts } from '../operator/campaign-view.js';
import { CampaignBarsView, CampaignLinesView, watchCampaign, type CampaignWatchView } from '../operator/campaign-watch.js';
import { addConnectionOptions, addJsonOption, exitWithUsageCode, operatorAction, type JsonFlag, type OperatorContext } from '../operator/command-kit.js';
import type { ConnectionFlags } from '../operator/connection.js';
import { EXIT_INTERRUPTED, EXIT_NOTHING_COMPARABLE, EXIT_REGRESSION, EXIT_REQUEST_FAILED, UsageError } from '../operator/errors.js';
import { resolveIdPrefix } from '../operator/id-prefix.js';
import { printJson } from '../operator/output.js';

/** Reads and validates a campaign file locally; every problem becomes a usage error naming its field. */
export async function loadCampaignFile(file: string): Promise<CampaignSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    const spec = parseCampaignYaml(text);
    validateCells(spec, expandMatrix(spec));
    return spec;
  } catch (error) {
    if (error instanceof CampaignSpecError) throw new UsageError(error.issues.map((issue) => `${file}: ${issue}`));
    throw error;
  }
}

export interface CampaignRunOptions extends JsonFlag {
  wait?: boolean;
  intervalMs?: number;
  signal?: AbortSignal;
  view?: CampaignWatchView;
}

/** Exit code with --wait: 0 when every result is valid, 1 otherwise, 130 when interrupted. */
export async function runCampaignRun(context: OperatorContext, file: string, options: CampaignRunOptions): Promise<number> {
  const spec = await loadCampaignFile(file);
  const api = new CampaignApi(context.api.http);
  const started = await api.start(spec);
  if (!options.wait) {
    if (options.json) printJson(context.output, started);
    else {
      context.output.out(`started campaign ${started.id} (${started.name}): ${started.cellCount} cells, ${started.counts.total} jobs`);
      context.output.out(`  follow it: sparsefleet campaign show ${started.id}`);
    }
    return 0;
  }
  return interruptible(options.signal, async (signal) => {
    const view = options.view ?? defaultView(context, options.json === true);
    const final = await watchCampaign(api, started.id, view, { intervalMs: options.intervalMs, signal });
    if (options.json) printJson(context.output, final);
    else context.output.out(formatCampaignDetails(final));
    if (signal.aborted) return EXIT_INTERRUPTED;
    const allValid = final.state === 'completed' && final.results.length === final.counts.total && final.results.every((r) => r.valid);
    return allValid ? 0 : EXIT_REQUEST_FAILED;
  });
}

function defaultView(context: OperatorContext, json: boolean): CampaignWatchView {
  if (json) return { update: () => {}, stop: () => {} };
  if (process.stderr.isTTY) return new CampaignBarsView(process.stderr);
  return new CampaignLinesView((line) => context.output.err(line));
}

export async function runCampaignList(context: OperatorContext, options: JsonFlag): Promise<number> {
  const campaigns = await new CampaignApi(context.api.http).list();
  if (options.json) printJson(context.output, campaigns);
  else context.output.out(campaigns.length === 0 ? 'no campaigns' : formatCampaignTable(campaigns));
  return 0;
}

export async function runCampaignShow(context: OperatorContext, id: string, options: JsonFlag): Promise<number> {
  const api = new CampaignApi(context.api.http);
  const view = await api.get(await resolveCampaignId(api, id));
  if (options.json) printJson(context.output, view);
  else context.output.out(formatCampaignDetails(view));
  return 0;
}

export async function runCampaignCancel(context: OperatorContext, id: string, options: JsonFlag): Promise<number> {
  const api = new CampaignApi(context.api.http);
  const view = await api.cancel(await resolveCampaignId(api, id));
  if (options.json) printJson(context.output, view);
  else context.output.out(`campaign ${view.id} is ${view.state}: ${formatCounts(view.counts)}`);
  return 0;
}

export interface CampaignReportOptions {
  format: ReportFormat;
  out?: string;
}

export async function runCampaignReport(context: OperatorContext, id: string, options: CampaignReportOptions): Promise<number> {
  const api = new CampaignApi(context.api.http);
  const body = await api.report(await resolveCampaignId(api, id), options.format);
  if (options.out === undefined) context.output.out(body.replace(/\n$/, ''));
  else {
    await writeFile(options.out, body);
    context.output.err(`wrote ${options.format} report to ${options.out}`);
  }
  return 0;
}

export const COMPARE_OUTPUT_FORMATS = ['table', 'json', 'html'] as const;
export type CompareOutputFormat = (typeof COMPARE_OUTPUT_FORMATS)[number];

export interface CampaignCompareOptions {
  /** Percent: `5`, `5%`. */
  threshold?: string;
  /** Percentage points of test accuracy. */
  accuracyThreshold?: string;
  /** Comma-separated metrics. */
  metrics?: string;
  format?: CompareOutputFormat;
  out?: string;
}

/**
 * Campaign B against campaign A, cell by cell. Exit code: 0 when no cell regressed beyond the threshold,
 * EXIT_REGRESSION (3) when one did, EXIT_NOTHING_COMPARABLE (4) when no cell could be compared (a gate pointed at
 * the wrong campaigns must not pass), whatever the format.
 */
export async function runCampaignCompare(context: OperatorContext, a: string, b: string, options: CampaignCompareOptions): Promise<number> {
  const format = options.format ?? 'table';
  if (!(COMPARE_OUTPUT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${COMPARE_OUTPUT_FORMATS.join(', ')}`);
  }
  const query = compareQuery(options);
  const api = new CampaignApi(context.api.http);
  // One listing serves both prefixes.
  let listing: Promise<string[]> | undefined;
  const listIds = () => (listing ??= api.list().then((campaigns) => campaigns.map((campaign) => campaign.id)));
  const idA = await resolveIdPrefix('campaign', a, listIds);
  const idB = await resolveIdPrefix('campaign', b, listIds);
  const json = await api.compareText(idA, idB, 'json', query);
  const comparison = JSON.parse(json) as CampaignComparison;
  const body = format === 'json' ? json : format === 'html' ? await api.compareText(idA, idB, 'html', query) : `${formatComparison(comparison)}\n`;
  if (options.out === undefined) context.output.out(body.replace(/\n$/, ''));
  else {
    await writeFile(options.out, body);
    context.output.err(`wrote the ${format} comparison to ${options.out}`);
    if (format !== 'table') context.output.err(formatVerdictOnly(comparison));
  }
  if (comparison.verdict === 'regression') return EXIT_REGRESSION;
  return comparison.verdict === 'incomparable' ? EXIT_NOTHING_COMPARABLE : 0;
}

function formatVerdictOnly(comparison: CampaignComparison): string {
  return formatComparison(comparison).split('\n').at(-1)!;
}

function compareQuery(options: CampaignCompareOptions): CompareQuery {
  try {
    return {
      threshold: options.threshold === undefined ? undefined : parseThreshold(options.threshold, '--threshold'),
      accuracyThreshold: options.accuracyThreshold === undefined ? undefined : parseThreshold(options.accuracyThreshold, '--accuracy-threshold'),
      metrics: options.metrics === undefined ? undefined : parseMetrics(options.metrics),
    };
  } catch (error) {
    if (error instanceof CompareOptionError) throw new UsageError(error.message.replace(/^metrics/, '--metrics'));
    throw error;
  }
}

function resolveCampaignId(api: CampaignApi, id: string): Promise<string> {
  return resolveIdPrefix('campaign', id, async () => (await api.list()).map((campaign) => campaign.id));
}

type Flags<T = JsonFlag> = T & ConnectionFlags;

export function registerCampaignCommand(program: Command): void {
  const campaign = program.command('campaign').description('fleet-wide benchmark campaigns: run, follow, report');
  const leaf = (command: Command) => exitWithUsageCode(addConnectionOptions(command));

  leaf(
    addJsonOption(
      campaign
        .command('run')
        .description('validate a campaign file locally, start it on the fleet; --wait follows it until done')
        .argument('<file>', 'campaign file, e.g. profiles/campaigns/kernels.yaml')
        .option('--wait', 'show progress per device and cell until the campaign is done', false),
    ),
  ).action(operatorAction<Flags<CampaignRunOptions>>((context, args, options) => runCampaignRun(context, args[0]!, options)));
  leaf(addJsonOption(campaign.command('list').description('list campaigns, oldest first'))).action(
    operatorAction<Flags>((context, _args, options) => runCampaignList(context, options)),
  );
  leaf(addJsonOption(campaign.command('show').description('progress per device and cell, and results so far').argument('<id>', 'campaign id or unique prefix'))).action(
    operatorAction<Flags>((context, args, options) => runCampaignShow(context, args[0]!, options)),
  );
  leaf(addJsonOption(campaign.command('cancel').description('cancel the unfinished jobs of a campaign').argument('<id>', 'campaign id or unique prefix'))).action(
    operatorAction<Flags>((context, args, options) => runCampaignCancel(context, args[0]!, options)),
  );
  leaf(
    campaign
      .command('report')
      .description('the results as JSON, CSV or one self-contained HTML file with charts')
      .argument('<id>', 'campaign id or unique prefix')
      .addOption(new Option('--format <format>', 'report format').choices(REPORT_FORMATS).default('html'))
      .option('--out <file>', 'write the report to this file (default: stdout)'),
  ).action(operatorAction<Flags<CampaignReportOptions>>((context, args, options) => runCampaignReport(context, args[0]!, options)));
  leaf(
    campaign
      .command('compare')
      .description(
        'per-cell differences of campaign B against campaign A (two agent versions, two fleets, before/after); ' +
          `exit code ${EXIT_REGRESSION} when a cell regressed beyond the threshold, ${EXIT_NOTHING_COMPARABLE} when no cell could be compared`,
      )
      .argument('<a>', 'the baseline campaign: id or unique prefix')
      .argument('<b>', 'the campaign compared against it: id or unique prefix')
      .option('--threshold <percent>', `relative change of speedup and latency p50 (and points of memory saved) that counts, e.g. 5 or 5% (default ${DEFAULT_THRESHOLD_PERCENT}%)`)
      .option('--accuracy-threshold <points>', `change of test accuracy in percentage points that counts (default ${DEFAULT_ACCURACY_THRESHOLD_POINTS})`)
      .option('--metrics <list>', `comma-separated metrics to compare: ${COMPARE_METRICS.join(', ')} (default all)`)
      .addOption(new Option('--format <format>', 'output format').choices(COMPARE_OUTPUT_FORMATS).default('table'))
      .option('--out <file>', 'write the comparison to this file (default: stdout)'),
  ).action(operatorAction<Flags<CampaignCompareOptions>>((context, args, options) => runCampaignCompare(context, args[0]!, args[1]!, options)));
}
