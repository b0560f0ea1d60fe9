// Federated sparse training benchmark (issue 18): Fashion-MNIST split over 20 clients by Dirichlet(α = 0.5) over
// labels, dense FedAvg (method dense, every weight uploaded) against sparse FedDST-style training (density 0.1, ERK,
// mask consensus, uploads against the global masks), both for the same rounds, with the same local work and
// optimizer. Reports accuracy per round and sparse vs dense at equal rounds and at equal upload bytes.
//   --via engine (default): the rounds run in this process on the engine (bench/support/federated-rounds.ts).
//   --via coordinator: each variant is a federated job on an in-process coordinator, trained by real agents in
//     worker threads over socket.io + protobuf (bench/support/federated-coordinator.ts); bytes as the coordinator
//     counted them.
//   node dist/bench/federated.js [--quick] [--via engine|coordinator] [--rounds N] [--local-epochs N]
//                                [--train-limit N] [--test-limit N] [--clients N] [--alpha A]
//                                [--upload-dtype f32|f16|int8] [--seed N] [--json FILE]
//                                [--dense-lr LR] [--sparse-lr LR] [--consensus-fraction F]
// Default: 12,000 training and 5,000 test examples, 25 rounds; --quick: 6,000 and 2,000, 6 rounds (under 2 minutes);
// --via coordinator --quick: 4 clients, 3 rounds, 2,400 and 1,000 examples.
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { Command } from 'commander';
import { loadFederatedData } from '../client/src/engine/federated/index.js';
import { parseTrainConfig, type TrainConfig } from '../client/src/engine/train/config.js';
import { compare, formatComparisons, formatRounds, verdicts } from './support/federated-report.js';
import { runVariantViaCoordinator, startCoordinatorRig } from './support/federated-coordinator.js';
import { formatEvalStall, measureEvaluationStall } from './support/federated-eval-stall.js';
import { trainConfigToJobSpec } from '../client/src/engine/spec.js';
import { runVariant, type Data, type RoundRecord, type VariantPlan } from './support/federated-rounds.js';

const DENSITY = 0.1;
const BATCH_SIZE = 64;
/** Round 0's swap share per layer (cosine decay to 0); 0.1 churned too much (bench/README.md). */
const CONSENSUS_FRACTION = 0.05;
/** Full-run size, chosen so both variants finish in about 10 minutes on this 2-core machine under nice. */
const FULL_ROUNDS = 25;
const QUICK_ROUNDS = 6;
const FULL_TRAIN_LIMIT = 12_000;
const FULL_TEST_LIMIT = 5_000;
/** --via coordinator --quick: small enough for agents in worker threads on a shared 2-core machine. */
const COORDINATOR_QUICK = { clients: 4, rounds: 3, trainLimit: 2400, testLimit: 1000 } as const;

interface BenchOptions {
  quick: boolean;
  via: 'engine' | 'coordinator';
  evalStall: boolean;
  rounds?: number;
  localEpochs: number;
  trainLimit?: number;
  testLimit?: number;
  clients?: number;
  alpha: number;
  uploadDtype: 'f32' | 'f16' | 'int8';
  denseLr: number;
  sparseLr: number;
  consensusFraction: number;
  seed: number;
  json?: string;
}

/**
 * Local SGD learning rates (bench/README.md has the runs): dense 0.2 beat 0.05 after 5 quick-size rounds; sparse 0.5
 * diverged at times in the full run (a round's mean train loss of 13.2) where 0.2 did not.
 */
const DEFAULT_LR = { dense: 0.2, sparse: 0.2 } as const;

/** The training config in its input form (what a federated job's `config` takes). */
function configInput(method: 'dense' | 'static', options: BenchOptions): Record<string, unknown> {
  const quick = options.quick ? (options.via === 'coordinator' ? COORDINATOR_QUICK : { trainLimit: 6000, testLimit: 2000 }) : undefined;
  return {
    model: 'mlp',
    data: { name: 'fashion-mnist', trainLimit: options.trainLimit ?? quick?.trainLimit ?? FULL_TRAIN_LIMIT, testLimit: options.testLimit ?? quick?.testLimit ?? FULL_TEST_LIMIT },
    method,
    density: method === 'dense' ? 1 : DENSITY,
    allocation: 'erk',
    batchSize: BATCH_SIZE,
    seed: options.seed,
    optimizer: { kind: 'sgd', lr: method === 'dense' ? options.denseLr : options.sparseLr, momentum: 0.9, weightDecay: 0, lrSchedule: 'constant' },
    threads: 1,
  };
}

function configFor(method: 'dense' | 'static', options: BenchOptions): TrainConfig {
  return parseTrainConfig(configInput(method, options));
}

function plans(options: BenchOptions): VariantPlan[] {
  const quickRounds = options.via === 'coordinator' ? COORDINATOR_QUICK.rounds : QUICK_ROUNDS;
  const rounds = options.rounds ?? (options.quick ? quickRounds : FULL_ROUNDS);
  const shared = {
    rounds,
    clients: options.clients ?? (options.quick && options.via === 'coordinator' ? COORDINATOR_QUICK.clients : 20),
    partition: { kind: 'dirichlet', alpha: options.alpha, seed: options.seed } as const,
    localEpochs: options.localEpochs,
  };
  return [
    { variant: 'dense-fedavg', config: configFor('dense', options), maskMode: 'fixed', uploadDtype: 'f32', ...shared },
    {
      variant: `sparse-consensus-d${DENSITY}`,
      config: configFor('static', options),
      maskMode: 'consensus',
      uploadDtype: options.uploadDtype,
      consensusFraction: options.consensusFraction,
      ...shared,
    },
  ];
}

function progress(line: string): void {
  console.error(line);
}

function positive(value: string, flag: string): number {
  const number = Number(value);
  if (!(number > 0)) throw new Error(`${flag} must be a positive number, got ${value}`);
  return number;
}

async function main(argv: readonly string[]): Promise<void> {
  const program = new Command()
    .name('bench:federated')
    .option('--quick', '6,000 training / 2,000 test examples, 6 rounds (--via coordinator: 4 clients, 3 rounds, 2,400 / 1,000)', false)
    .option('--via <path>', 'engine: rounds in this process; coordinator: jobs on a coordinator with agents in worker threads', (value) => {
      if (value !== 'engine' && value !== 'coordinator') throw new Error(`--via must be engine or coordinator, got ${value}`);
      return value;
    }, 'engine')
    .option('--rounds <n>', `rounds per variant (default ${FULL_ROUNDS}; --quick ${QUICK_ROUNDS})`, (value) => positive(value, '--rounds'))
    .option('--local-epochs <n>', 'local epochs per client per round', (value) => positive(value, '--local-epochs'), 1)
    .option('--train-limit <n>', `class-balanced training subset (default ${FULL_TRAIN_LIMIT}; --quick 6,000)`, (value) => positive(value, '--train-limit'))
    .option('--test-limit <n>', `held-out examples (default ${FULL_TEST_LIMIT}; --quick 2,000)`, (value) => positive(value, '--test-limit'))
    .option('--eval-stall', 'instead: event-loop delay of the held-out evaluation on the asking thread vs in the worker', false)
    .option('--clients <n>', 'clients, all of them in every round (default 20; --via coordinator --quick 4)', (value) => positive(value, '--clients'))
    .option('--alpha <a>', 'Dirichlet concentration over labels', (value) => positive(value, '--alpha'), 0.5)
    .option('--upload-dtype <dtype>', "sparse variant's upload values: f32, f16 or int8", 'f32')
    .option('--dense-lr <lr>', 'local learning rate of the dense variant', (value) => positive(value, '--dense-lr'), DEFAULT_LR.dense)
    .option('--sparse-lr <lr>', 'local learning rate of the sparse variant', (value) => positive(value, '--sparse-lr'), DEFAULT_LR.sparse)
    .option('--consensus-fraction <f>', "sparse variant: share of each layer's active weights swapped in round 0 (cosine decay to 0)", (value) => positive(value, '--consensus-fraction'), CONSENSUS_FRACTION)
    .option('--seed <n>', 'seed for models, masks, partitions and shuffles', (value) => positive(value, '--seed'), 1)
    .option('--json <file>', 'write one record per row (rounds, then comparisons) as JSON');
  program.parse(argv);
  const options = program.opts<BenchOptions>();
  const variants = plans(options);
  if (options.evalStall) return evalStall(variants[1], options);
  const data = await loadFederatedData(variants[0].config);
  if (data.train.synthetic) {
    if (!options.quick) throw new Error(`Fashion-MNIST is not available (${data.fallbackReason ?? 'files missing'}); the full benchmark needs it`);
    progress(`WARNING: Fashion-MNIST is not available (${data.fallbackReason ?? 'files missing'}); --quick runs on synthetic data, figures mean nothing`);
  }
  const loadAtStart = loadavg()[0];
  const [dense, sparse] = options.via === 'coordinator' ? await viaCoordinator(variants, options, data) : [await runVariant(variants[0], data, progress), await runVariant(variants[1], data, progress)];
  const comparisons = compare(dense, sparse);
  const shared = variants[0];
  console.log(
    `via ${options.via}: MLP on ${data.train.synthetic ? 'synthetic' : 'Fashion-MNIST'} (${data.train.size} training, ${data.test.size} test examples), ` +
      `${shared.clients} clients, Dirichlet α ${options.alpha}, ${shared.rounds} rounds, ${shared.localEpochs} local epoch(s), batch ${BATCH_SIZE}, ` +
      `SGD momentum 0.9, lr ${options.denseLr} dense / ${options.sparseLr} sparse; sparse: density ${DENSITY} ERK, consensus fraction ${options.consensusFraction} (${options.via === 'coordinator' ? 'constant: the coordinator swaps the same share every round' : 'cosine decay'}), upload ${options.uploadDtype}; seed ${options.seed}`,
  );
  console.log(formatRounds([...dense, ...sparse]));
  console.log('');
  console.log(formatComparisons(comparisons));
  for (const line of verdicts(comparisons)) console.log(line);
  console.log(`load average: ${loadAtStart.toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end`);
  if (options.json !== undefined) {
    const records = [
      ...[...dense, ...sparse].map((record) => ({ kind: 'round', via: options.via, ...record })),
      ...comparisons.map((row) => ({ kind: 'comparison', via: options.via, ...row })),
    ];
    await writeFile(options.json, `${JSON.stringify(records, null, 2)}\n`);
  }
}

async function evalStall(plan: VariantPlan, options: BenchOptions): Promise<void> {
  const loadAtStart = loadavg()[0];
  const records = await measureEvaluationStall(trainConfigToJobSpec(plan.config), options.quick ? 2 : 5, progress);
  console.log(`held-out evaluation of ${plan.variant}'s initial model (MLP, ${plan.config.data.name}):`);
  console.log(formatEvalStall(records));
  console.log(`load average: ${loadAtStart.toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end`);
  if (options.json !== undefined) await writeFile(options.json, `${JSON.stringify(records.map((record) => ({ kind: 'eval-stall', ...record })), null, 2)}\n`);
}

async function viaCoordinator(variants: readonly VariantPlan[], options: BenchOptions, data: Data): Promise<[RoundRecord[], RoundRecord[]]> {
  const rig = await startCoordinatorRig(variants[0].clients, progress);
  try {
    const dense = await runVariantViaCoordinator(rig, variants[0], configInput('dense', options), data, progress);
    const sparse = await runVariantViaCoordinator(rig, variants[1], configInput('static', options), data, progress);
    return [dense, sparse];
  } finally {
    await rig.stop();
  }
}

main(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
