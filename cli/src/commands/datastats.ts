// `sparsefleet datastats list|show|export|register|report`: the fleet's forgetting statistics per data set.
import { writeFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import type { DatasetIdentity } from '../../../protocol/src/index.js';
import { addConnectionOptions, addJsonOption, exitWithUsageCode, operatorAction, type JsonFlag, type OperatorContext } from '../operator/command-kit.js';
import type { ConnectionFlags } from '../operator/connection.js';
import { DatastatsApi } from '../operator/datastats-api.js';
import { formatDatasetDetails, formatDatasetTable } from '../operator/datastats-view.js';
import { ApiError, UsageError } from '../operator/errors.js';
import { printJson } from '../operator/output.js';

export interface DatastatsShowOptions extends JsonFlag {
  /** Terminal width for the histogram (default: the terminal's, else 80). */
  width?: number;
}

export interface DatastatsExportOptions {
  /** CSV is the only export format; the flag is accepted so the command reads as it does in the docs. */
  csv?: boolean;
  out?: string;
}

export interface DatastatsRegisterOptions extends JsonFlag {
  path?: string;
  seed?: number;
  trainLimit?: number;
  hash?: string;
  size?: number;
}

/** The identity of a local data set, as the engine computes it (injected by tests). */
export type IdentityOf = (spec: { name: string; path?: string; seed: number; trainLimit?: number }) => Promise<DatasetIdentity>;

const SHA256_HEX = /^[0-9a-f]{64}$/;

export async function runDatastatsList(context: OperatorContext, options: JsonFlag): Promise<number> {
  const datasets = await api(context).list();
  if (options.json) printJson(context.output, { datasets });
  else context.output.out(datasets.length === 0 ? 'no data sets registered (register one: sparsefleet datastats register <name>)' : formatDatasetTable(datasets));
  return 0;
}

export async function runDatastatsShow(context: OperatorContext, dataset: string, options: DatastatsShowOptions): Promise<number> {
  const detail = await withDatasetHint(dataset, api(context).get(dataset));
  if (options.json) printJson(context.output, detail);
  else context.output.out(formatDatasetDetails(detail, options.width ?? process.stdout.columns ?? 80));
  return 0;
}

export async function runDatastatsExport(context: OperatorContext, dataset: string, options: DatastatsExportOptions): Promise<number> {
  const csv = await withDatasetHint(dataset, api(context).exportCsv(dataset));
  if (options.out === undefined) {
    context.output.out(csv.replace(/\n$/, ''));
    return 0;
  }
  await writeFile(options.out, csv);
  const rows = Math.max(0, csv.split('\n').filter((line) => line !== '').length - 1);
  context.output.err(`wrote ${rows} example rows to ${options.out}`);
  return 0;
}

export async function runDatastatsReport(context: OperatorContext, dataset: string, options: { out?: string }): Promise<number> {
  if (options.out === undefined) throw new UsageError('datastats report: give --out FILE.html');
  const html = await withDatasetHint(dataset, api(context).reportHtml(dataset));
  await writeFile(options.out, html);
  context.output.err(`wrote the report of ${dataset} to ${options.out}`);
  return 0;
}

/**
 * Registers a data set's identity: computed from the local files (or the synthetic generator) with the engine, or
 * given with --hash and --size for data this machine does not hold.
 */
export async function runDatastatsRegister(
  context: OperatorContext,
  name: string,
  options: DatastatsRegisterOptions,
  identityOf: IdentityOf = engineIdentityOf,
): Promise<number> {
  const identity = await identityToRegister(name, options, identityOf);
  const registered = await api(context).register(identity);
  if (options.json) printJson(context.output, registered);
  else context.output.out(`registered ${identity.name}: ${identity.size} examples, content hash ${identity.contentHash}`);
  return 0;
}

async function identityToRegister(name: string, options: DatastatsRegisterOptions, identityOf: IdentityOf): Promise<DatasetIdentity> {
  const given = options.hash !== undefined || options.size !== undefined;
  if (given) {
    const issues: string[] = [];
    if (options.hash === undefined || options.size === undefined) issues.push('--hash and --size go together');
    if (options.hash !== undefined && !SHA256_HEX.test(options.hash)) issues.push('--hash must be a SHA-256 in lower-case hex (64 characters)');
    if (options.path !== undefined || options.seed !== undefined || options.trainLimit !== undefined) {
      issues.push('--hash/--size register without local data: leave out --path, --seed and --train-limit');
    }
    if (issues.length > 0) throw new UsageError(issues);
    return { name, contentHash: options.hash!, size: options.size! };
  }
  try {
    return await identityOf({
      name,
      seed: options.seed ?? 0,
      ...(options.path !== undefined ? { path: options.path } : {}),
      ...(options.trainLimit !== undefined ? { trainLimit: options.trainLimit } : {}),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(`cannot compute the identity of ${name}: ${reason} (or give --hash and --size)`);
  }
}

async function engineIdentityOf(spec: Parameters<IdentityOf>[0]): Promise<DatasetIdentity> {
  // Loaded here only: the engine brings tfjs, which the other commands do without.
  const { datasetIdentityOf, isDatasetName } = await import('../../../client/src/engine/index.js');
  if (!isDatasetName(spec.name)) throw new Error(`unknown data set '${spec.name}'`);
  return datasetIdentityOf({ ...spec, name: spec.name });
}

/** A 404 for a data set names what to do about it. */
async function withDatasetHint<T>(dataset: string, answer: Promise<T>): Promise<T> {
  try {
    return await answer;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      throw new Error(`${error.message} (list the registered data sets: sparsefleet datastats list)`);
    }
    throw error;
  }
}

function api(context: OperatorContext): DatastatsApi {
  return new DatastatsApi(context.api.http);
}

function integerOption(flag: string, min: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed) || parsed < min) throw new InvalidArgumentError(`${flag} must be an integer >= ${min}`);
    return parsed;
  };
}

type Flags<T = JsonFlag> = T & ConnectionFlags;

export function registerDatastatsCommand(program: Command): void {
  const datastats = program.command('datastats').description("the fleet's forgetting statistics per data set");
  const leaf = (command: Command) => exitWithUsageCode(addConnectionOptions(command));

  leaf(addJsonOption(datastats.command('list').description('registered data sets with their coverage and latest removal set'))).action(
    operatorAction<Flags>((context, _args, options) => runDatastatsList(context, options)),
  );
  leaf(
    addJsonOption(
      datastats
        .command('show')
        .description('merged statistics of one data set: summary, histogram of forgetting counts, removal sets')
        .argument('<dataset>', 'content hash, or a name registered under one hash'),
    ),
  ).action(operatorAction<Flags<DatastatsShowOptions>>((context, args, options) => runDatastatsShow(context, args[0]!, options)));
  leaf(
    datastats
      .command('export')
      .description('per-example statistics as CSV (covered examples only)')
      .argument('<dataset>', 'content hash, or a name registered under one hash')
      .option('--csv', 'CSV (the only format; the default)')
      .option('--out <file>', 'write to this file instead of stdout'),
  ).action(operatorAction<Flags<DatastatsExportOptions>>((context, args, options) => runDatastatsExport(context, args[0]!, options)));
  leaf(
    addJsonOption(
      datastats
        .command('register')
        .description("register a data set's identity (name, content hash, size) so jobs can report statistics about it")
        .argument('<name>', 'engine data-set name, e.g. fashion-mnist or synthetic')
        .option('--path <dir>', 'directory holding the files (default: the data set\'s usual location)')
        .option('--seed <n>', 'synthetic data: the seed the jobs use (default 0)', integerOption('--seed', 0))
        .option('--train-limit <n>', 'synthetic data: the jobs\' trainLimit (it decides what is generated)', integerOption('--train-limit', 1))
        .option('--hash <sha256>', 'register without local files: the content hash')
        .option('--size <n>', 'register without local files: examples in the training split', integerOption('--size', 1)),
    ),
  ).action(operatorAction<Flags<DatastatsRegisterOptions>>((context, args, options) => runDatastatsRegister(context, args[0]!, options)));
  leaf(
    datastats
      .command('report')
      .description('self-contained HTML report: histogram, and accuracy vs removed fraction of jobs trained on removal sets')
      .argument('<dataset>', 'content hash, or a name registered under one hash')
      .requiredOption('--out <file>', 'the HTML file to write'),
  ).action(operatorAction<Flags<{ out?: string }>>((context, args, options) => runDatastatsReport(context, args[0]!, options)));
}
