// Accuracy benchmark: dense and every sparse method at density 0.1 (RigL and MEST-EM&S also at 0.05) on
// Fashion-MNIST, the same data, optimizer, batch, epochs and seed for every row; prints test accuracy, the gap to
// dense and the training FLOPs.
//   node dist/bench/accuracy.js [--full] [--quick] [--epochs N] [--multipliers 1,2,5] [--models cnn,mlp]
//                               [--methods a,b] [--train-limit N] [--jobs N] [--results F] [--json F] [--html F]
// Default: the CNN, every method on its seed's main scheme, 3 epochs on the full training set.
// --full: the issue-17 run: all 60,000 training images, the CNN and the MLP, every method on every scheme its seed
//   uses, 20 dense epochs, sparse rows also at 2× and 5× the dense epochs.
// --quick: the MLP (unless --models says otherwise), 1,024 training and 500 test images, 1 epoch, no extended rows: a
//   smoke run of the same plan (the CNN's rows took 4 minutes here; each row's process start dominates either way).
// Each row trains in its own process, --jobs at a time (default: the number of cores). Every finished row is
// appended to the results file; a run started again skips the rows it holds, and a row killed midway resumes from
// its last epoch-end checkpoint. --json writes one record per row, --html a table and plots (chart.js inlined).
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import type { MethodName } from '../client/src/engine/sparse/methods/types.js';
import { METHOD_NAMES } from '../client/src/engine/train/config.js';
import {
  planRows,
  rowKey,
  sharedSettings,
  type AccuracyModel,
  type PlanOptions,
} from './support/accuracy-plan.js';
import type { RowJob } from './support/accuracy-ipc.js';
import { runRows } from './support/accuracy-pool.js';
import { compareToDense, formatTable, renderHtml } from './support/accuracy-report.js';
import { ResultsFile } from './support/accuracy-results.js';

interface CliOptions {
  full: boolean;
  quick: boolean;
  epochs?: number;
  multipliers?: number[];
  models?: AccuracyModel[];
  methods?: MethodName[];
  trainLimit?: number;
  seed: number;
  jobs: number;
  results?: string;
  json?: string;
  html?: string;
}

const QUICK_TRAIN_LIMIT = 1024;
const QUICK_TEST_LIMIT = 500;
const FULL_DENSE_EPOCHS = 20;
const DEFAULT_EPOCHS = 3;
const BATCH_SIZE = 64;

function planFrom(options: CliOptions): PlanOptions {
  const epochs = options.epochs ?? (options.quick ? 1 : options.full ? FULL_DENSE_EPOCHS : DEFAULT_EPOCHS);
  return {
    models: options.models ?? (options.full ? ['cnn', 'mlp'] : options.quick ? ['mlp'] : ['cnn']),
    epochs,
    multipliers: options.multipliers ?? (options.full && !options.quick ? [1, 2, 5] : [1]),
    trainLimit: options.trainLimit ?? (options.quick ? QUICK_TRAIN_LIMIT : undefined),
    testLimit: options.quick ? QUICK_TEST_LIMIT : undefined,
    batchSize: BATCH_SIZE,
    seed: options.seed,
    allSchemes: options.full,
    methods: options.methods,
  };
}

function defaultResultsPath(options: CliOptions): string {
  const name = `accuracy${options.full ? '-full' : ''}${options.quick ? '-quick' : ''}.jsonl`;
  return join('bench', 'out', name);
}

async function main(argv: readonly string[]): Promise<number> {
  const program = new Command()
    .name('bench:accuracy')
    .option('--full', 'the full-length run: 60k images, CNN and MLP, every seed scheme, 1×/2×/5× epochs', false)
    .option('--quick', 'smoke run: the MLP, 1,024 training images, 1 epoch, no extended rows', false)
    .option('--epochs <n>', 'dense epochs (rows at multiplier m train m × this)', (v) => positiveInt(v, '--epochs'))
    .option('--multipliers <list>', 'extended lengths of the sparse rows, e.g. 2,5', (v) => list(v).map((m) => positiveInt(m, '--multipliers')))
    .option('--models <list>', 'cnn, mlp or both', (v) => list(v).map(model))
    .option('--methods <list>', `only these methods (${METHOD_NAMES.join(', ')})`, (v) => list(v).map(method))
    .option('--train-limit <n>', 'training examples (class-balanced subset)', (v) => positiveInt(v, '--train-limit'))
    .option('--seed <n>', 'seed of every row', (v) => positiveInt(v, '--seed'), 1)
    .option('--jobs <n>', 'rows trained at once, one process each', (v) => positiveInt(v, '--jobs'), availableParallelism())
    .option('--results <file>', 'results file (JSON lines) a killed run resumes from')
    .option('--json <file>', 'write one record per row as JSON')
    .option('--html <file>', 'write the table and plots as a self-contained HTML page');
  program.parse(argv);
  const options = program.opts<CliOptions>();
  const plan = planFrom(options);
  const shared = sharedSettings(plan);
  const results = await ResultsFile.open(options.results ?? defaultResultsPath(options));
  const checkpointDir = `${results.path}.checkpoints`;
  await mkdir(checkpointDir, { recursive: true });
  const rows = planRows(plan).map((row) => ({ row, key: rowKey(row, shared) }));
  const pending: RowJob[] = rows
    .filter(({ key }) => !results.has(key))
    .map(({ row, key }) => ({ row, shared, key, checkpointPath: join(checkpointDir, `${key.replaceAll('/', '_')}.ckpt`) }));
  process.stderr.write(
    `${rows.length} rows, ${rows.length - pending.length} already in ${results.path}; running ${pending.length} with ${options.jobs} job(s)\n`,
  );
  const outcome = await runRows(pending, { jobs: options.jobs, onRecord: (record) => results.add(record) });

  const finished = rows.map(({ key }) => results.get(key)).filter((record) => record !== undefined);
  const report = compareToDense(finished);
  const data = plan.trainLimit === undefined ? 'all training images' : `${plan.trainLimit} training images`;
  const meta =
    `Fashion-MNIST (${data}), ${plan.epochs} dense epochs, SGD 0.05 momentum 0.9 cosine, batch ${plan.batchSize}, ` +
    `seed ${plan.seed}; ${finished.length} of ${rows.length} rows finished`;
  console.log(meta);
  console.log(formatTable(report));
  if (options.json !== undefined) await writeOutput(options.json, `${JSON.stringify({ meta, rows: report }, null, 2)}\n`);
  if (options.html !== undefined) await writeOutput(options.html, renderHtml(report, 'Sparse training accuracy on Fashion-MNIST', meta));
  for (const failure of outcome.failed) process.stderr.write(`FAILED ${failure.job.key}:\n${failure.message}\n`);
  const synthetic = finished.filter((record) => record.dataSource !== 'fashion-mnist');
  if (synthetic.length > 0) process.stderr.write(`${synthetic.length} row(s) trained on ${synthetic[0].dataSource} data: the Fashion-MNIST files are missing\n`);
  return outcome.failed.length > 0 || synthetic.length > 0 ? 1 : 0;
}

async function writeOutput(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

function list(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

function model(value: string): AccuracyModel {
  if (value !== 'cnn' && value !== 'mlp') throw new Error(`--models takes cnn and mlp, got '${value}'`);
  return value;
}

function method(value: string): MethodName {
  const found = METHOD_NAMES.find((name) => name === value);
  if (found === undefined) throw new Error(`unknown method '${value}' (known: ${METHOD_NAMES.join(', ')})`);
  return found;
}

function positiveInt(value: string, flag: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${flag} must be a positive integer, got '${value}'`);
  return parsed;
}

process.exitCode = await main(process.argv);
