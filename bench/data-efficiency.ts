// Data-efficiency benchmark (issue 11): MEST EM&S at density 0.1 on Fashion-MNIST, trained on all data and then on
// the examples kept after removing 10/20/30/40 % of them, the removal set built (a) from one device's forgetting
// statistics (the all-data run's) and (b) from the merged statistics of 4 devices that each trained on one shard.
// Removal sets come from the coordinator's own merge and removal code (server/src/datastats/forgetting-aggregate.ts).
//   node dist/bench/data-efficiency.js [--quick] [--models mlp,cnn] [--mlp-epochs N] [--cnn-epochs N]
//                                      [--train-limit N] [--seed N] [--json FILE]
//                                      [--random-control]
// --quick: MLP only, 6,000 training and 2,000 test examples, 2 epochs, 20/40 % removed (under 2 minutes).
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { Command } from 'commander';
import { loadDatasets } from '../client/src/engine/data/index.js';
import { parseTrainConfig, type TrainConfig } from '../client/src/engine/train/config.js';
import type { FleetRemoval } from '../client/src/engine/train/fleet-removal.js';
import { runTraining, type RunOptions } from '../client/src/engine/train/run.js';
import type { ForgettingReport, TrainResult } from '../client/src/engine/train/types.js';
import { formatTable, verdictLine, type DataEfficiencyRow, type RowSource } from './support/data-efficiency-report.js';
import {
  fractionRemovalSet,
  mergeStatistics,
  overlapShare,
  randomRemovalSet,
  summarizeStatistics,
  type MergedStatistics,
  type StatisticsRun,
  type StatisticsSummary,
} from './support/removal-sets.js';

const MODELS = ['mlp', 'cnn'] as const;
type BenchModel = (typeof MODELS)[number];

const FULL_FRACTIONS = [10, 20, 30, 40] as const;
const QUICK_FRACTIONS = [20, 40] as const;
const FLEET_DEVICES = 4;
const DENSITY = 0.1;
const BATCH_SIZE = 64;
/**
 * Full-run epochs, chosen so the whole run (2 models × 14 runs ≈ 2 × 8 full-data runs) takes about 30 minutes on this
 * 2-core machine: measured 1.4 ms (MLP) and 21 ms (CNN) per step of 64, 938 steps per 60k epoch.
 */
const DEFAULT_EPOCHS: Record<BenchModel, number> = { mlp: 15, cnn: 6 };

interface BenchOptions {
  quick: boolean;
  models?: string;
  mlpEpochs?: number;
  cnnEpochs?: number;
  trainLimit?: number;
  seed: number;
  randomControl: boolean;
  json?: string;
}

interface ModelPlan {
  readonly model: BenchModel;
  readonly epochs: number;
  readonly trainLimit?: number;
  readonly testLimit?: number;
  readonly fractions: readonly number[];
  readonly randomControl: boolean;
}

/** Cost and accuracy of one of the fleet's statistics runs (not a table row: the fleet pays it anyway). */
interface StatisticsRunRecord {
  readonly model: string;
  readonly shardIndex: number;
  readonly examples: number;
  readonly testAccuracy: number;
  readonly wallMs: number;
}

/** The statistics a model's removal sets were built from. */
interface StatisticsRecord extends StatisticsSummary {
  readonly model: string;
  readonly source: 'single' | 'fleet';
}

interface Trained {
  readonly result: TrainResult;
  /** This process's CPU time (user + system) during the run: unlike wall time, hardly moved by other processes. */
  readonly cpuMs: number;
  readonly report?: ForgettingReport;
}

function plansFor(options: BenchOptions): ModelPlan[] {
  const models = options.quick ? ['mlp'] : (options.models ?? MODELS.join(',')).split(',').map((name) => name.trim());
  return models.map((name) => {
    if (!(MODELS as readonly string[]).includes(name)) throw new Error(`--models: unknown model '${name}' (known: ${MODELS.join(', ')})`);
    const model = name as BenchModel;
    const flagEpochs = model === 'mlp' ? options.mlpEpochs : options.cnnEpochs;
    return {
      model,
      epochs: flagEpochs ?? (options.quick ? 2 : DEFAULT_EPOCHS[model]),
      trainLimit: options.trainLimit ?? (options.quick ? 6000 : undefined),
      testLimit: options.quick ? 2000 : undefined,
      fractions: options.quick ? QUICK_FRACTIONS : FULL_FRACTIONS,
      randomControl: options.randomControl,
    };
  });
}

/** The same optimizer (SGD defaults: lr 0.05, momentum 0.9, cosine), seed, batch and epochs for every run of a model. */
function configFor(plan: ModelPlan, seed: number, shardIndex = 0, shardCount = 1): TrainConfig {
  return parseTrainConfig({
    model: plan.model,
    data: { name: 'fashion-mnist', trainLimit: plan.trainLimit, testLimit: plan.testLimit, shardIndex, shardCount },
    method: 'mest-ems',
    density: DENSITY,
    compute: 'sparse-kernels',
    epochs: plan.epochs,
    batchSize: BATCH_SIZE,
    seed,
  });
}

async function train(label: string, config: TrainConfig, options: RunOptions): Promise<Trained> {
  const started = performance.now();
  progress(`${label}: training ${config.epochs} epoch(s)`);
  let report: ForgettingReport | undefined;
  const cpuBefore = process.cpuUsage();
  const result = await runTraining(
    config,
    {
      onProgress: (state) => {
        if (state.testAccuracy === undefined) return;
        progress(
          `${label}: epoch ${state.epoch + 1}/${config.epochs}, test ${(state.testAccuracy * 100).toFixed(2)} %, ` +
            `${((performance.now() - started) / 1000).toFixed(0)} s`,
        );
      },
      onForgettingStats: (received) => {
        if (received.final) report = received;
      },
    },
    options,
  );
  const cpu = process.cpuUsage(cpuBefore);
  if (options.forgettingReport !== undefined && report === undefined) throw new Error(`${label}: no final forgetting report`);
  return { result, cpuMs: (cpu.user + cpu.system) / 1000, ...(report === undefined ? {} : { report }) };
}

function rowOf(
  plan: ModelPlan,
  source: RowSource,
  removedPercent: number,
  run: Trained,
  baselineRun: Trained | undefined,
  trainExamples: number,
  overlapPercent?: number,
): DataEfficiencyRow {
  const trained = run.result;
  const reference = (baselineRun ?? run).result;
  const referenceCpuMs = (baselineRun ?? run).cpuMs;
  return {
    model: plan.model,
    source,
    removedPercent,
    removedCount: trained.removedExamples,
    keptCount: trainExamples - trained.removedExamples,
    testAccuracy: trained.testAccuracy,
    deltaPt: (trained.testAccuracy - reference.testAccuracy) * 100,
    epochs: trained.epochs,
    steps: trained.steps,
    examplesSeen: trained.examplesSeen,
    wallMs: Math.round(trained.wallMs),
    wallSavingPercent: ((reference.wallMs - trained.wallMs) / reference.wallMs) * 100,
    cpuMs: Math.round(run.cpuMs),
    cpuSavingPercent: ((referenceCpuMs - run.cpuMs) / referenceCpuMs) * 100,
    ...(overlapPercent === undefined ? {} : { overlapPercent }),
    compute: trained.compute ?? 'unknown',
    dataSource: trained.dataSource,
  };
}

async function benchModel(
  plan: ModelPlan,
  seed: number,
  rows: DataEfficiencyRow[],
  statisticsRuns: StatisticsRunRecord[],
  statistics: StatisticsRecord[],
  nextVersion: () => number,
): Promise<void> {
  const model = plan.model;
  // The fleet's statistics runs go first: the process's first run of a model pays the backend and kernel warm-up,
  // which would otherwise inflate the baseline's wall time and every saving measured against it.
  const fleetReports: StatisticsRun[] = [];
  for (let shard = 0; shard < FLEET_DEVICES; shard++) {
    const run = await train(`${model} fleet stats, shard ${shard + 1}/${FLEET_DEVICES}`, configFor(plan, seed, shard, FLEET_DEVICES), {
      forgettingReport: 'final',
    });
    const report = run.report!;
    fleetReports.push({ jobId: `${model}-shard-${shard}`, deviceId: `device-${shard}`, report });
    statisticsRuns.push({
      model,
      shardIndex: shard,
      examples: report.stats.ids.length,
      testAccuracy: run.result.testAccuracy,
      wallMs: Math.round(run.result.wallMs),
    });
  }
  const fleet = mergeStatistics(fleetReports);
  const baseline = await train(`${model} all`, configFor(plan, seed), { forgettingReport: 'final' });
  const baselineReport = baseline.report!;
  const trainExamples = baselineReport.stats.ids.length;
  rows.push(rowOf(plan, 'all', 0, baseline, undefined, trainExamples));
  const single = mergeStatistics([{ jobId: `${model}-all`, deviceId: 'device-single', report: baselineReport }]);
  for (const [source, merged] of [['single', single], ['fleet', fleet]] as const) {
    const summary = summarizeStatistics(merged);
    statistics.push({ model, source, ...summary });
    progress(
      `${model} ${source} statistics: ${summary.coveredExamples} examples, ${summary.neverLearned} never learned, ` +
        `${summary.unforgettable} learned and never forgotten, ${summary.epochsObserved} epochs observed in all`,
    );
  }
  progress(
    `${model}: fleet statistics from ${fleet.aggregate.jobs.length} jobs cover ${fleet.aggregate.coveredExamples} examples ` +
      `(single device: ${single.aggregate.coveredExamples})`,
  );

  for (const percent of plan.fractions) {
    const sets = {
      single: removalSetFor(single, percent, plan.epochs, nextVersion()),
      fleet: removalSetFor(fleet, percent, plan.epochs, nextVersion()),
    };
    for (const source of ['single', 'fleet'] as const) {
      const other = source === 'single' ? sets.fleet : sets.single;
      const overlap = overlapShare(sets[source].removedIds, other.removedIds) * 100;
      const run = await train(`${model} ${source} −${percent} %`, configFor(plan, seed), { removal: sets[source] });
      rows.push(rowOf(plan, source, percent, run, baseline, trainExamples, overlap));
    }
    if (plan.randomControl) {
      const random = randomRemovalSet(single, sets.single.removedIds.length, seed, nextVersion());
      const run = await train(`${model} random −${percent} %`, configFor(plan, seed), { removal: random });
      const overlap = overlapShare(random.removedIds, sets.single.removedIds) * 100;
      rows.push(rowOf(plan, 'random', percent, run, baseline, trainExamples, overlap));
    }
  }
}

function removalSetFor(merged: MergedStatistics, percent: number, minEpochs: number, version: number): FleetRemoval {
  const set = fractionRemovalSet(merged, percent / 100, minEpochs, version);
  if (set.removal.removedIds.length < set.requestedCount) {
    progress(`warning: only ${set.removal.removedIds.length} of ${set.requestedCount} requested examples were eligible`);
  }
  return set.removal;
}

/** Full runs need the real files; --quick may stand in synthetic data (with a warning). */
async function checkData(quick: boolean, seed: number): Promise<void> {
  const probe = await loadDatasets({ name: 'fashion-mnist', trainLimit: 10, testLimit: 10, seed });
  if (!probe.train.synthetic) return;
  const reason = probe.fallbackReason ?? 'files missing';
  if (!quick) throw new Error(`Fashion-MNIST is not available (${reason}); the full benchmark needs the real data set`);
  progress(`WARNING: Fashion-MNIST is not available (${reason}); --quick runs on synthetic data, figures mean nothing`);
}

async function main(argv: readonly string[]): Promise<void> {
  const program = new Command()
    .name('bench:data-efficiency')
    .option('--quick', 'MLP only, 6,000 examples, 2 epochs, 20/40 % removed', false)
    .option('--models <list>', `comma-separated models (${MODELS.join(', ')})`)
    .option('--mlp-epochs <n>', `MLP epochs for every run (default ${DEFAULT_EPOCHS.mlp})`, (value) => positive(value, '--mlp-epochs'))
    .option('--cnn-epochs <n>', `CNN epochs for every run (default ${DEFAULT_EPOCHS.cnn})`, (value) => positive(value, '--cnn-epochs'))
    .option('--train-limit <n>', 'class-balanced training subset (default: all 60,000)', (value) => positive(value, '--train-limit'))
    .option('--seed <n>', 'seed for every run', (value) => positive(value, '--seed'), 1)
    .option('--random-control', 'also train on a uniformly random set of each size (control rows, source random)', false)
    .option('--json <file>', 'write one record per row as JSON');
  program.parse(argv);
  const options = program.opts<BenchOptions>();
  const plans = plansFor(options);
  await checkData(options.quick, options.seed);
  const started = performance.now();
  const loadAtStart = loadavg()[0];
  const rows: DataEfficiencyRow[] = [];
  const statisticsRuns: StatisticsRunRecord[] = [];
  const statistics: StatisticsRecord[] = [];
  let version = 0;
  for (const plan of plans) await benchModel(plan, options.seed, rows, statisticsRuns, statistics, () => ++version);
  const totalMs = performance.now() - started;

  const described = plans.map((plan) => `${plan.model} ${plan.epochs} epoch(s)`).join(', ');
  console.log(
    `MEST EM&S, density ${DENSITY}, ${rows[0]?.compute ?? '?'}, batch ${BATCH_SIZE}, seed ${options.seed}, on ` +
      `${rows[0]?.dataSource ?? '?'} (${plans[0]?.trainLimit ?? 60000} training examples): ${described}`,
  );
  console.log(formatTable(rows));
  for (const record of statisticsRuns) {
    console.log(
      `fleet statistics run ${record.model} shard ${record.shardIndex}: ${record.examples} examples, ` +
        `test ${(record.testAccuracy * 100).toFixed(2)} %, ${(record.wallMs / 1000).toFixed(1)} s`,
    );
  }
  for (const record of statistics) {
    console.log(
      `${record.model} ${record.source} statistics: ${record.coveredExamples} examples, ${record.neverLearned} never learned, ` +
        `${record.unforgettable} learned and never forgotten`,
    );
  }
  for (const plan of plans) console.log(verdictLine(plan.model, rows));
  const loadAtEnd = loadavg()[0];
  console.log(`total ${(totalMs / 1000).toFixed(0)} s, load average ${loadAtStart.toFixed(1)} → ${loadAtEnd.toFixed(1)}`);
  if (options.json !== undefined) {
    const meta = {
      method: 'mest-ems',
      density: DENSITY,
      batchSize: BATCH_SIZE,
      seed: options.seed,
      fleetDevices: FLEET_DEVICES,
      models: plans,
      statisticsRuns,
      statistics,
      totalMs: Math.round(totalMs),
      loadAverage: { start: loadAtStart, end: loadAtEnd },
      verdicts: plans.map((plan) => verdictLine(plan.model, rows)),
    };
    await writeFile(options.json, `${JSON.stringify({ meta, rows }, null, 2)}\n`);
  }
}

function progress(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

function positive(value: string, flag: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${flag} must be a positive integer, got '${value}'`);
  return parsed;
}

await main(process.argv);
