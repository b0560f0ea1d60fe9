// Accuracy benchmark: the CNN on Fashion-MNIST, dense and every sparse method at density 0.1 (plus RigL and
// MEST-EM&S at 0.05), the same epochs and seed for all; prints test accuracy and the gap to dense.
//   node dist/bench/accuracy.js [--quick] [--epochs N] [--train-limit N] [--json F]
// --quick: 2,048 training and 1,000 test examples, 1 epoch unless --epochs is given (a smoke run of minutes).
import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { parseScheduleForRun } from '../client/src/engine/sparse/schedules/defaults.js';
import type { MethodName } from '../client/src/engine/sparse/methods/types.js';
import type { SchemeName } from '../client/src/engine/sparse/schemes/types.js';
import { METHOD_NAMES, parseTrainConfig, type TrainConfig } from '../client/src/engine/train/config.js';
import { runTraining } from '../client/src/engine/train/run.js';
import type { TrainResult } from '../client/src/engine/train/types.js';

interface BenchOptions {
  quick: boolean;
  epochs?: number;
  trainLimit?: number;
  json?: string;
  seed: number;
}

interface Entry {
  readonly method: MethodName;
  readonly density: number;
  readonly scheme: SchemeName;
}

interface Row extends Entry {
  readonly testAccuracy: number;
  readonly gapToDense: number;
  readonly finalDensity: number;
  readonly wallMs: number;
  readonly stepMsP50: number;
  readonly dataSource: string;
}

const SPARSE_METHODS: readonly MethodName[] = METHOD_NAMES.filter((method) => method !== 'dense');

/** DSB/SSB need shuffled blocks and VRPGE samples channels; every other method runs on irregular sparsity. */
function schemeFor(method: MethodName): SchemeName {
  if (method === 'dsb' || method === 'ssb') return 'shuffled-block';
  if (method === 'vrpge') return 'channel';
  return 'irregular';
}

function benchEntries(): Entry[] {
  const entries: Entry[] = [{ method: 'dense', density: 1, scheme: 'irregular' }];
  for (const method of SPARSE_METHODS) entries.push({ method, density: 0.1, scheme: schemeFor(method) });
  for (const method of ['rigl', 'mest-ems'] as const) entries.push({ method, density: 0.05, scheme: schemeFor(method) });
  return entries;
}

function configFor(entry: Entry, options: BenchOptions): TrainConfig {
  const epochs = options.epochs ?? (options.quick ? 1 : 3);
  const trainLimit = options.trainLimit ?? (options.quick ? 2048 : undefined);
  const base = {
    model: 'cnn',
    data: { name: 'fashion-mnist', trainLimit, testLimit: options.quick ? 1000 : undefined },
    method: entry.method,
    scheme: entry.scheme,
    density: entry.density,
    epochs,
    batchSize: 64,
    seed: options.seed,
  };
  if (entry.method !== 'vrpge') return parseTrainConfig(base);
  // VRPGE's default keeps half the channels; hold its expected kept fraction to the row's density instead.
  const stepsPerEpoch = Math.ceil((trainLimit ?? 60000) / base.batchSize);
  const schedule = parseScheduleForRun({ kind: 'vrpge', keepFraction: entry.density }, 'vrpge', {
    epochs,
    stepsPerEpoch,
    density: entry.density,
  });
  return parseTrainConfig({ ...base, schedule });
}

function formatTable(rows: readonly Row[]): string {
  const header = ['method', 'scheme', 'density', 'final', 'test acc', 'gap to dense', 'step p50', 'wall'];
  const lines = rows.map((row) => [
    row.method,
    row.scheme,
    row.density.toFixed(2),
    row.finalDensity.toFixed(3),
    (row.testAccuracy * 100).toFixed(2) + '%',
    row.method === 'dense' ? '-' : `${(row.gapToDense * 100).toFixed(2)} pp`,
    `${row.stepMsP50.toFixed(1)} ms`,
    `${(row.wallMs / 1000).toFixed(1)} s`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
  const render = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ');
  return [render(header), render(widths.map((width) => '-'.repeat(width))), ...lines.map(render)].join('\n');
}

async function main(argv: readonly string[]): Promise<void> {
  const program = new Command()
    .name('bench:accuracy')
    .option('--quick', 'small subset, 1 epoch', false)
    .option('--epochs <n>', 'epochs for every run', (value) => positive(value, '--epochs'))
    .option('--train-limit <n>', 'training examples', (value) => positive(value, '--train-limit'))
    .option('--seed <n>', 'seed for every run', (value) => positive(value, '--seed'), 1)
    .option('--json <file>', 'write the rows as JSON');
  program.parse(argv);
  const options = program.opts<BenchOptions>();
  const rows: Row[] = [];
  let dense: TrainResult | undefined;
  for (const entry of benchEntries()) {
    const config = configFor(entry, options);
    process.stderr.write(`training ${entry.method} (${entry.scheme}, density ${entry.density}) ...\n`);
    const result = await runTraining(config);
    dense ??= entry.method === 'dense' ? result : undefined;
    rows.push({
      ...entry,
      testAccuracy: result.testAccuracy,
      gapToDense: result.testAccuracy - (dense?.testAccuracy ?? Number.NaN),
      finalDensity: result.finalDensity,
      wallMs: result.wallMs,
      stepMsP50: result.stepMsP50,
      dataSource: result.dataSource,
    });
  }
  const epochs = configFor(benchEntries()[0], options).epochs;
  console.log(`CNN on ${rows[0]?.dataSource ?? 'fashion-mnist'}, ${epochs} epoch(s), seed ${options.seed}`);
  console.log(formatTable(rows));
  if (options.json !== undefined) await writeFile(options.json, `${JSON.stringify({ epochs, rows }, null, 2)}\n`);
}

function positive(value: string, flag: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${flag} must be a positive integer, got '${value}'`);
  return parsed;
}

await main(process.argv);
