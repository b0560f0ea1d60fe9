// `sparsefleet fed submit|list|status|watch|cancel|report`: federated sparse training across the fleet (issue 18).
// The coordinator validates the job file (YAML or JSON, the REST body of POST /api/federated) and says what is wrong.
import { readFile, writeFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import { parseDocument } from 'yaml';
import { interruptible } from '../operator/interruptible.js';
import { addConnectionOptions, addJsonOption, exitWithUsageCode, operatorAction, type JsonFlag, type OperatorContext } from '../operator/command-kit.js';
import type { ConnectionFlags } from '../operator/connection.js';
import { EXIT_INTERRUPTED, UsageError } from '../operator/errors.js';
import { FederatedApi, type FederatedJob } from '../operator/federated-api.js';
import { formatFederatedJob, formatFederatedTable } from '../operator/federated-view.js';
import { printJson } from '../operator/output.js';

type Flags<T = JsonFlag> = T & ConnectionFlags;

export interface FedWatchOptions {
  /** Poll interval in milliseconds (default 2000). */
  interval?: number;
}

export async function runFedSubmit(context: OperatorContext, file: string, options: JsonFlag): Promise<number> {
  const body = await loadFederatedFile(file);
  const job = await api(context).submit(body);
  if (options.json) printJson(context.output, job);
  else {
    context.output.out(`submitted federated job ${job.id}: ${job.plan.rounds} rounds, ${job.plan.clients} clients (K=${job.plan.targetUpdates})`);
    context.output.out(`  follow it: sparsefleet fed watch ${job.id}`);
  }
  return 0;
}

export async function runFedList(context: OperatorContext, options: JsonFlag): Promise<number> {
  const jobs = await api(context).list();
  if (options.json) printJson(context.output, jobs);
  else context.output.out(jobs.length === 0 ? 'no federated jobs' : formatFederatedTable(jobs));
  return 0;
}

export async function runFedStatus(context: OperatorContext, id: string, options: JsonFlag): Promise<number> {
  const job = await api(context).get(await resolveId(context, id));
  if (options.json) printJson(context.output, job);
  else context.output.out(formatFederatedJob(job));
  return 0;
}

/** Redraws the round table whenever it changes until the job ends (or Ctrl-C). */
export async function runFedWatch(context: OperatorContext, id: string, options: FedWatchOptions, signal?: AbortSignal): Promise<number> {
  const federated = api(context);
  const jobId = await resolveId(context, id);
  const interval = options.interval ?? 2000;
  return interruptible(signal, async (aborted) => {
    let shown = '';
    for (;;) {
      const job = await federated.get(jobId);
      const text = formatFederatedJob(job);
      if (text !== shown) {
        context.output.out(shown === '' ? text : `\n${text}`);
        shown = text;
      }
      if (job.state !== 'running') return job.state === 'completed' ? 0 : 1;
      const interrupted = await sleep(interval, aborted);
      if (interrupted) return EXIT_INTERRUPTED;
    }
  });
}

export async function runFedCancel(context: OperatorContext, id: string, options: JsonFlag): Promise<number> {
  const job = await api(context).cancel(await resolveId(context, id));
  if (options.json) printJson(context.output, job);
  else context.output.out(`federated job ${job.id} is ${job.state}`);
  return 0;
}

export async function runFedReport(context: OperatorContext, id: string, options: { out?: string }): Promise<number> {
  if (options.out === undefined) throw new UsageError('fed report: give --out FILE.html');
  const jobId = await resolveId(context, id);
  await writeFile(options.out, await api(context).reportHtml(jobId));
  context.output.err(`wrote the report of federated job ${jobId} to ${options.out}`);
  return 0;
}

export function registerFedCommand(program: Command): void {
  const fed = program.command('fed').description('federated sparse training: one sparse model trained across the fleet in rounds');
  const leaf = (command: Command) => exitWithUsageCode(addConnectionOptions(command));
  leaf(addJsonOption(fed.command('submit').description('submit a federated job from a YAML or JSON file').argument('<file>', 'the job file'))).action(
    operatorAction<Flags>((context, args, options) => runFedSubmit(context, args[0]!, options)),
  );
  leaf(addJsonOption(fed.command('list').description('federated jobs with their round, accuracy and bytes'))).action(
    operatorAction<Flags>((context, _args, options) => runFedList(context, options)),
  );
  leaf(addJsonOption(fed.command('status').description('one federated job: plan, shards and round table').argument('<id>', 'job id or unique prefix'))).action(
    operatorAction<Flags>((context, args, options) => runFedStatus(context, args[0]!, options)),
  );
  leaf(
    fed
      .command('watch')
      .description('the live round table until the job ends')
      .argument('<id>', 'job id or unique prefix')
      .option('--interval <ms>', 'poll interval (default 2000)', positiveInteger),
  ).action(operatorAction<Flags<FedWatchOptions>>((context, args, options) => runFedWatch(context, args[0]!, options)));
  leaf(addJsonOption(fed.command('cancel').description('cancel a federated job and its client tasks').argument('<id>', 'job id or unique prefix'))).action(
    operatorAction<Flags>((context, args, options) => runFedCancel(context, args[0]!, options)),
  );
  leaf(
    fed
      .command('report')
      .description('self-contained HTML report: accuracy vs round and vs uploaded bytes, the round table')
      .argument('<id>', 'job id or unique prefix')
      .option('--out <file>', 'where to write the HTML'),
  ).action(operatorAction<Flags<{ out?: string }>>((context, args, options) => runFedReport(context, args[0]!, options)));
}

function api(context: OperatorContext): FederatedApi {
  return new FederatedApi(context.api.http);
}

async function loadFederatedFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const document = parseDocument(text);
  if (document.errors.length > 0) throw new UsageError(`${path}: ${document.errors[0]!.message.split('\n')[0]}`);
  const body: unknown = document.toJS();
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new UsageError(`${path}: must be a mapping with 'config', 'rounds' and 'clients'`);
  return body;
}

/** A full id, or a prefix matching exactly one federated job. */
async function resolveId(context: OperatorContext, id: string): Promise<string> {
  if (id.length >= 36) return id;
  const matches = (await api(context).list()).filter((job: FederatedJob) => job.id.startsWith(id));
  if (matches.length === 1) return matches[0]!.id;
  throw new UsageError(matches.length === 0 ? `no federated job starts with ${id}` : `${id} matches ${matches.length} federated jobs; give more of the id`);
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a positive integer');
  return parsed;
}

/** Resolves true when aborted first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(true);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(false);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(true);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
