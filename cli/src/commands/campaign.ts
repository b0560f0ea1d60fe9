// `sparsefleet campaign run|list|show|cancel|report`: fleet-wide benchmark campaigns.
import { readFile, writeFile } from 'node:fs/promises';
import { interruptible } from '../operator/interruptible.js';
import { type Command, Option } from 'commander';
import { CampaignSpecError, parseCampaignYaml, type CampaignSpec } from '../../../server/src/campaigns/campaign-spec.js';
import { expandMatrix } from '../../../server/src/campaigns/campaign-matrix.js';
import { validateCells } from '../../../server/src/campaigns/cell-job-spec.js';
import { REPORT_FORMATS, type ReportFormat } from '../../../server/src/campaigns/report/report-format.js';
import { CampaignApi } from '../operator/campaign-api.js';
import { formatCampaignDetails, formatCampaignTable, formatCounts } from '../operator/campaign-view.js';
import { CampaignBarsView, CampaignLinesView, watchCampaign, type CampaignWatchView } from '../operator/campaign-watch.js';
import { addConnectionOptions, addJsonOption, exitWithUsageCode, operatorAction, type JsonFlag, type OperatorContext } from '../operator/command-kit.js';
import type { ConnectionFlags } from '../operator/connection.js';
import { EXIT_INTERRUPTED, EXIT_REQUEST_FAILED, UsageError } from '../operator/errors.js';
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
}
