// `sparsefleet removal create|list|show`: removal sets cut from a data set's merged forgetting statistics.
import { type Command, InvalidArgumentError } from 'commander';
import { addConnectionOptions, addJsonOption, exitWithUsageCode, operatorAction, type JsonFlag, type OperatorContext } from '../operator/command-kit.js';
import type { ConnectionFlags } from '../operator/connection.js';
import { DatastatsApi, type RemovalRule } from '../operator/datastats-api.js';
import { formatRemovalSetDetails, formatRemovalSetTable } from '../operator/datastats-view.js';
import { UsageError } from '../operator/errors.js';
import { printJson } from '../operator/output.js';

export interface RemovalCreateOptions extends JsonFlag {
  fraction?: number;
  maxForgetting?: number;
  minEpochs?: number;
}

export interface RemovalListOptions extends JsonFlag {
  dataset?: string;
}

export const DEFAULT_MIN_EPOCHS = 1;

/** The rule the flags describe: exactly one of --fraction and --max-forgetting. Throws UsageError. */
export function removalRuleFromFlags(options: RemovalCreateOptions): RemovalRule {
  const minEpochs = options.minEpochs ?? DEFAULT_MIN_EPOCHS;
  const { fraction, maxForgetting } = options;
  if (fraction !== undefined && maxForgetting !== undefined) throw new UsageError('removal create: give --fraction or --max-forgetting, not both');
  if (fraction !== undefined) {
    if (!(fraction > 0 && fraction < 1)) throw new UsageError(`--fraction must lie strictly between 0 and 1, got ${fraction}`);
    return { kind: 'fraction', fraction, minEpochs };
  }
  if (maxForgetting !== undefined) return { kind: 'threshold', maxForgetting, minEpochs };
  throw new UsageError('removal create: give --fraction R (drop that share of the least forgotten examples) or --max-forgetting K');
}

export async function runRemovalCreate(context: OperatorContext, dataset: string, options: RemovalCreateOptions): Promise<number> {
  const rule = removalRuleFromFlags(options);
  const created = await api(context).createRemovalSet(dataset, rule);
  if (options.json) printJson(context.output, created);
  else {
    context.output.out(formatRemovalSetDetails(created));
    context.output.out(`  train on it: sparsefleet jobs submit JOB.yaml --removal-set ${created.id}`);
  }
  return 0;
}

export async function runRemovalList(context: OperatorContext, options: RemovalListOptions): Promise<number> {
  const sets = await api(context).listRemovalSets(options.dataset);
  if (options.json) printJson(context.output, { removalSets: sets });
  else if (sets.length === 0) context.output.out(options.dataset === undefined ? 'no removal sets' : `no removal sets of ${options.dataset}`);
  else context.output.out(formatRemovalSetTable(sets));
  return 0;
}

export async function runRemovalShow(context: OperatorContext, id: string, options: JsonFlag): Promise<number> {
  const set = await api(context).getRemovalSet(id);
  if (options.json) printJson(context.output, set);
  else context.output.out(formatRemovalSetDetails(set));
  return 0;
}

function api(context: OperatorContext): DatastatsApi {
  return new DatastatsApi(context.api.http);
}

function numberOption(flag: string, check: (value: number) => boolean, expected: string): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed) || !check(parsed)) throw new InvalidArgumentError(`${flag} must be ${expected}`);
    return parsed;
  };
}

type Flags<T = JsonFlag> = T & ConnectionFlags;

export function registerRemovalCommand(program: Command): void {
  const removal = program.command('removal').description('removal sets: the examples a rule drops from the fleet statistics');
  const leaf = (command: Command) => exitWithUsageCode(addJsonOption(addConnectionOptions(command)));

  leaf(
    removal
      .command('create')
      .description('cut a new removal set from the merged statistics of a data set')
      .argument('<dataset>', 'content hash, or a name registered under one hash')
      .option('--fraction <r>', 'drop this fraction of all examples, least forgotten first (0 < r < 1)', numberOption('--fraction', (r) => r > 0 && r < 1, 'between 0 and 1'))
      .option('--max-forgetting <k>', 'drop learned examples forgotten at most k times', numberOption('--max-forgetting', (k) => Number.isSafeInteger(k) && k >= 0, 'an integer >= 0'))
      .option('--min-epochs <e>', `only examples presented in at least e epochs (default ${DEFAULT_MIN_EPOCHS})`, numberOption('--min-epochs', (e) => Number.isSafeInteger(e) && e >= 1, 'an integer >= 1')),
  ).action(operatorAction<Flags<RemovalCreateOptions>>((context, args, options) => runRemovalCreate(context, args[0]!, options)));
  leaf(removal.command('list').description('removal sets, oldest first').option('--dataset <dataset>', 'only sets of this data set (hash or name)')).action(
    operatorAction<Flags<RemovalListOptions>>((context, _args, options) => runRemovalList(context, options)),
  );
  leaf(removal.command('show').description('rule, size and provenance of one removal set').argument('<id>', 'removal set id')).action(
    operatorAction<Flags>((context, args, options) => runRemovalShow(context, args[0]!, options)),
  );
}
