// `sparsefleet jobs submit|list|show|cancel|watch`: training jobs on the fleet.
import { type Command, Option } from 'commander';
import { interruptible } from '../operator/interruptible.js';
import { FORGETTING_CADENCES, JOB_STATE_NAMES, REMOVAL_REFRESH, type Job } from '../operator/api-types.js';
import {
  addConnectionOptions,
  addJsonOption,
  exitWithUsageCode,
  operatorAction,
  type JsonFlag,
  type OperatorContext,
} from '../operator/command-kit.js';
import type { ConnectionFlags } from '../operator/connection.js';
import { EXIT_INTERRUPTED, EXIT_REQUEST_FAILED, UsageError } from '../operator/errors.js';
import { resolveIdPrefix } from '../operator/id-prefix.js';
import { loadJobFile, withDataEfficiencyFlags, type DataEfficiencyFlags } from '../operator/job-file.js';
import { describeSpec, formatJobDetails, formatJobTable } from '../operator/job-view.js';
import { latestProgress, watchJobs, type JobWatchView } from '../operator/job-watch.js';
import { formatWatchSummary, LineWatchView, ProgressBarWatchView } from '../operator/job-watch-view.js';
import { printJson } from '../operator/output.js';

export type JobsSubmitOptions = JsonFlag & DataEfficiencyFlags;

export async function runJobsSubmit(context: OperatorContext, file: string, options: JobsSubmitOptions): Promise<number> {
  const loaded = await loadJobFile(file);
  const { config } = loaded;
  const request = withDataEfficiencyFlags(loaded, options);
  const created = await context.api.submitJob(request);
  if (options.json) {
    printJson(context.output, created);
    return 0;
  }
  const training = describeSpec({ ...config, dataset: { name: config.data.name } });
  context.output.out(`submitted job ${created.id} (${created.state}): ${training}`);
  context.output.out(`  follow it: sparsefleet jobs watch ${created.id}`);
  return 0;
}

export interface JobsListOptions extends JsonFlag {
  state?: string;
}

export async function runJobsList(context: OperatorContext, options: JobsListOptions): Promise<number> {
  const jobs = await context.api.listJobs(options.state);
  if (options.json) printJson(context.output, jobs);
  else if (jobs.length === 0) context.output.out(options.state === undefined ? 'no jobs' : `no ${options.state} jobs`);
  else context.output.out(formatJobTable(jobs));
  return 0;
}

export async function runJobsShow(context: OperatorContext, id: string, options: JsonFlag): Promise<number> {
  const job = await context.api.getJob(await resolveJobId(context, id));
  const [reports, result, masks] = await Promise.all([
    context.api.listProgress(job.id),
    context.api.getResult(job.id),
    context.api.getMaskStats(job.id),
  ]);
  const latest = latestProgress(reports);
  if (options.json) printJson(context.output, { ...job, latestProgress: latest ?? null, result: result ?? null, masks });
  else context.output.out(formatJobDetails(job, latest, result, new Date(), masks));
  return 0;
}

export async function runJobsCancel(context: OperatorContext, id: string, options: JsonFlag): Promise<number> {
  const jobId = await resolveJobId(context, id);
  const answer = await context.api.cancelJob(jobId);
  if (options.json) printJson(context.output, answer ?? { id: jobId, state: 'cancelled' });
  else context.output.out(`cancelled job ${jobId}${answer?.state ? ` (state ${answer.state})` : ''}`);
  return 0;
}

export interface JobsWatchOptions extends JsonFlag {
  /** Poll interval; default 1000 ms. Tests shorten it. */
  intervalMs?: number;
  signal?: AbortSignal;
  /** Default: bars on a terminal, lines otherwise, nothing with --json. */
  view?: JobWatchView;
}

/** Exit code 0 when every job succeeded, 1 when any failed or was cancelled, 130 when interrupted. */
export async function runJobsWatch(context: OperatorContext, ids: readonly string[], options: JobsWatchOptions): Promise<number> {
  if (ids.length === 0) throw new UsageError('jobs watch: give at least one job id');
  const jobIds = await resolveJobIds(context, ids);
  return interruptible(options.signal, async (signal) => {
    const view = options.view ?? defaultWatchView(context, options.json === true);
    const final = await watchJobs(context.api, jobIds, view, { intervalMs: options.intervalMs, signal });
    if (options.json) printJson(context.output, final.map(({ job, progress, result }) => ({ ...job, latestProgress: progress ?? null, result: result ?? null })));
    else for (const entry of final) context.output.out(formatWatchSummary(entry));
    if (signal.aborted) return EXIT_INTERRUPTED;
    return final.every((entry) => entry.job.state === 'succeeded') ? 0 : EXIT_REQUEST_FAILED;
  });
}

function defaultWatchView(context: OperatorContext, json: boolean): JobWatchView {
  if (json) return { update: () => {}, stop: () => {} };
  if (process.stderr.isTTY) return new ProgressBarWatchView(process.stderr);
  return new LineWatchView((line) => context.output.err(line));
}

async function resolveJobIds(context: OperatorContext, ids: readonly string[]): Promise<string[]> {
  let jobs: Promise<Job[]> | undefined;
  const listIds = async () => (await (jobs ??= context.api.listJobs())).map((job) => job.id);
  const resolved: string[] = [];
  for (const id of ids) resolved.push(await resolveIdPrefix('job', id, listIds));
  return [...new Set(resolved)];
}

function resolveJobId(context: OperatorContext, id: string): Promise<string> {
  return resolveIdPrefix('job', id, async () => (await context.api.listJobs()).map((job) => job.id));
}

type Flags<T = JsonFlag> = T & ConnectionFlags;

export function registerJobsCommand(program: Command): void {
  const jobs = program.command('jobs').description('training jobs: submit, follow, cancel');
  const leaf = (command: Command) => exitWithUsageCode(addJsonOption(addConnectionOptions(command)));

  leaf(
    jobs
      .command('submit')
      .description('submit a job file (YAML: name?, config, selector?, maxAttempts?, checkpointEverySteps?, report?, initialMask?, dataEfficiency?)')
      .argument('<file>', 'job file, e.g. profiles/jobs/cnn-rigl.yaml')
      .addOption(new Option('--forgetting <cadence>', 'report per-example forgetting statistics (report.forgetting)').choices(FORGETTING_CADENCES))
      .option('--removal-set <id>', "train on the examples this fleet removal set keeps ('latest': the newest of the job's data set)")
      .addOption(new Option('--refresh <when>', 'with --removal-set: pick up newer sets at epoch boundaries, or never').choices(REMOVAL_REFRESH)),
  ).action(operatorAction<Flags<JobsSubmitOptions>>((context, args, options) => runJobsSubmit(context, args[0]!, options)));
  leaf(
    jobs
      .command('list')
      .description('list jobs, oldest first')
      .addOption(new Option('--state <state>', 'only jobs in this state').choices(JOB_STATE_NAMES)),
  ).action(operatorAction<Flags<JobsListOptions>>((context, _args, options) => runJobsList(context, options)));
  leaf(jobs.command('show').description('state, device, latest progress and result of one job').argument('<id>', 'job id or unique prefix')).action(
    operatorAction<Flags>((context, args, options) => runJobsShow(context, args[0]!, options)),
  );
  leaf(jobs.command('cancel').description('cancel a job (the device is told to stop)').argument('<id>', 'job id or unique prefix')).action(
    operatorAction<Flags>((context, args, options) => runJobsCancel(context, args[0]!, options)),
  );
  leaf(
    jobs
      .command('watch')
      .description('live progress of jobs until all are finished; exit code 1 if any did not succeed')
      .argument('<ids...>', 'job ids or unique prefixes'),
  ).action(operatorAction<Flags>((context, args, options) => runJobsWatch(context, args, { json: options.json })));
}
