// `sparsefleet train`: one training run in this process (no coordinator). Flags and YAML files become a
// TrainConfig; bad input exits with code 2 and a message naming the field. Prints a progress bar and a line per
// epoch, and optionally writes the full result as JSON.
import { readFile, writeFile } from 'node:fs/promises';
import { Command, CommanderError, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import {
  ALLOCATION_NAMES,
  BACKEND_NAMES,
  describeSchemeNames,
  LR_SCHEDULE_NAMES,
  METHOD_NAMES,
  MODEL_NAMES,
  OPTIMIZER_NAMES,
  parseTrainConfig,
  runTraining,
  ScheduleValidationError,
  TrainConfigError,
  type TrainConfig,
  type TrainResult,
} from '../../../client/src/engine/index.js';
import { TrainProgressView } from './train-progress.js';

export const USAGE_ERROR_EXIT_CODE = 2;

interface TrainFlags {
  model?: string;
  data?: string;
  dataPath?: string;
  trainLimit?: string;
  testLimit?: string;
  augment?: boolean;
  method?: string;
  scheme?: string;
  density?: string;
  allocation?: string;
  profile?: string;
  schedule?: string;
  optimizer?: string;
  lr?: string;
  momentum?: string;
  weightDecay?: string;
  lrSchedule?: string;
  clipNorm?: string;
  epochs?: string;
  batchSize?: string;
  seed?: string;
  maxSteps?: string;
  backend?: string;
  json?: string;
  quiet?: boolean;
}

/** A usage problem: printed as `error: <line>` per issue, exit code 2. */
class UsageError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(issues.join('; '));
  }
}

export function registerTrainCommand(program: Command): void {
  const command = program
    .command('train')
    .description('train one model on this machine (dense or sparse) and report test accuracy and density')
    .addOption(new Option('--model <name>', 'model').choices(MODEL_NAMES))
    .option('--data <name>', 'data set: fashion-mnist, cifar10 or synthetic')
    .option('--data-path <dir>', 'directory holding the data set files (default: its standard location)')
    .option('--train-limit <n>', 'use at most n training examples')
    .option('--test-limit <n>', 'use at most n test examples')
    .option('--augment', 'CIFAR augmentation (pad 4, random crop, horizontal flip)')
    .option('--method <name>', `training method: ${METHOD_NAMES.join(', ')}`)
    .option('--scheme <name>', `sparsity scheme: ${describeSchemeNames()}`)
    .option('--density <d>', 'overall density of the maskable layers, in (0, 1]')
    .option('--allocation <name>', `layer-wise densities: ${ALLOCATION_NAMES.join(', ')}`)
    .option('--profile <file.yaml>', "MEST-format per-layer profile (implies --allocation profile)")
    .option('--schedule <file.yaml>', 'method schedule (YAML with a `kind` field)')
    .option('--optimizer <name>', `optimizer: ${OPTIMIZER_NAMES.join(', ')}`)
    .option('--lr <rate>', 'learning rate')
    .option('--momentum <m>', 'SGD momentum / Adam beta1')
    .option('--weight-decay <wd>', 'L2 weight decay of conv/linear weights')
    .option('--lr-schedule <name>', `learning-rate schedule: ${LR_SCHEDULE_NAMES.join(', ')}`)
    .option('--clip-norm <n>', 'clip the global gradient norm')
    .option('--epochs <n>', 'epochs')
    .option('--batch-size <n>', 'minibatch size')
    .option('--seed <n>', 'seed for initialisation, data order and masks')
    .option('--max-steps <n>', 'stop after n optimizer steps')
    .option('--backend <name>', `preferred backend: ${BACKEND_NAMES.join(', ')}`)
    .option('--json <file>', "write the result as JSON to this file ('-' = stdout)")
    .option('-q, --quiet', 'no progress bar')
    .action(async (flags: TrainFlags) => {
      process.exitCode = await train(flags);
    });
  // Parse errors of this command (unknown flag, missing value) are usage errors too.
  command.exitOverride((error: CommanderError) => {
    process.exit(error.exitCode === 0 ? 0 : USAGE_ERROR_EXIT_CODE);
  });
}

async function train(flags: TrainFlags): Promise<number> {
  let config: TrainConfig;
  try {
    config = await configFromFlags(flags);
  } catch (error) {
    return reportUsageError(error);
  }
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  const view = new TrainProgressView(config, !flags.quiet && process.stderr.isTTY === true);
  try {
    const result = await runTraining(config, {
      signal: controller.signal,
      progressEverySteps: 5,
      onProgress: (progress) => view.update(progress),
    });
    view.finish(result);
    if (flags.json !== undefined) await writeJson(flags.json, config, result);
    return 0;
  } catch (error) {
    view.stop();
    if (controller.signal.aborted) {
      console.error('training interrupted');
      return 130;
    }
    if (error instanceof ScheduleValidationError || error instanceof TrainConfigError) return reportUsageError(error);
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
  }
}

export async function configFromFlags(flags: TrainFlags): Promise<TrainConfig> {
  const raw: Record<string, unknown> = {};
  const data: Record<string, unknown> = {};
  const optimizer: Record<string, unknown> = {};
  set(raw, 'model', flags.model);
  set(data, 'name', flags.data);
  set(data, 'path', flags.dataPath);
  set(data, 'trainLimit', numeric(flags.trainLimit));
  set(data, 'testLimit', numeric(flags.testLimit));
  set(data, 'augment', flags.augment);
  set(raw, 'method', flags.method);
  set(raw, 'scheme', flags.scheme);
  set(raw, 'density', numeric(flags.density));
  set(raw, 'allocation', flags.allocation ?? (flags.profile !== undefined ? 'profile' : undefined));
  if (flags.profile !== undefined) raw.profile = await readText(flags.profile, '--profile');
  if (flags.schedule !== undefined) raw.schedule = parseYamlFile(await readText(flags.schedule, '--schedule'), '--schedule');
  set(optimizer, 'kind', flags.optimizer);
  set(optimizer, 'lr', numeric(flags.lr));
  set(optimizer, 'momentum', numeric(flags.momentum));
  set(optimizer, 'weightDecay', numeric(flags.weightDecay));
  set(optimizer, 'lrSchedule', flags.lrSchedule);
  set(optimizer, 'clipNorm', numeric(flags.clipNorm));
  set(raw, 'epochs', numeric(flags.epochs));
  set(raw, 'batchSize', numeric(flags.batchSize));
  set(raw, 'seed', numeric(flags.seed));
  set(raw, 'maxSteps', numeric(flags.maxSteps));
  set(raw, 'backend', flags.backend);
  if (Object.keys(data).length > 0) raw.data = data;
  if (Object.keys(optimizer).length > 0) raw.optimizer = optimizer;
  return parseTrainConfig(raw);
}

function set(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

/** A number when the flag parses as one; otherwise the text, so validation names the field. */
function numeric(value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  return value.trim() !== '' && Number.isFinite(parsed) ? parsed : value;
}

async function readText(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError([`${flag}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
}

function parseYamlFile(text: string, flag: string): unknown {
  try {
    return parseYaml(text);
  } catch (error) {
    throw new UsageError([`${flag}: invalid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`]);
  }
}

function reportUsageError(error: unknown): number {
  let issues: readonly string[];
  if (error instanceof UsageError || error instanceof TrainConfigError) issues = error.issues;
  else if (error instanceof ScheduleValidationError) issues = error.issues.map((issue) => `${issue.path}: ${issue.message}`);
  else throw error;
  for (const issue of issues) console.error(`error: ${issue}`);
  return USAGE_ERROR_EXIT_CODE;
}

async function writeJson(target: string, config: TrainConfig, result: TrainResult): Promise<void> {
  const text = `${JSON.stringify({ config, result }, null, 2)}\n`;
  if (target === '-') process.stdout.write(text);
  else await writeFile(target, text);
}
