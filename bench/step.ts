// Whole-training-step benchmark: the MLP 784-300-100-10 (batch 128) and the Fashion-MNIST CNN (batch 64), and the
// seeds' networks on CIFAR-10 shapes (WRN-22-2, ResNet-18, MobileNetV2; batch 32, 8 with --quick) at d = 0.2 and
// 0.1, each step = forward + backward + SGD(momentum, weight decay) update + re-masking, all in one process on
// tfjs-wasm:
//   stock          plain tfjs autodiff (tf.matMul / tf.conv2d gradients as registered by tfjs)
//   dense          the engine's corrected dense path (explicit-transpose linear gradients, wasm-safe conv gradients)
//   masked-dense   the engine's sparse training on dense storage (ERK masks), for reference
//   sparse-kernels compressed weights on the WASM SIMD kernels (ERK masks, irregular CSR or 4×1 blocks), on 1 thread
//                  and, for the small models at d = 0.1, on every core (the threads build and its worker pool)
// Dense tfjs-wasm is asked for the same thread count (setThreadsCount before the backend starts); the figure it
// actually ran with is printed: tfjs-backend-wasm 4.22 runs one thread on Node whatever is asked.
//   npm run build && node dist/bench/step.js [--quick] [--json FILE] [--model NAME]
// Each model's configurations are built together, run round-robin (rounds × steps each) so machine noise hits them
// alike, then disposed before the next model; each round of each
// configuration runs under the engine's run-rules executor (client/src/engine/bench/run-rules.ts; warm-up steps in
// the first round only), and each figure is a percentile (numpy 'linear') of all timed steps. The trainees and the
// step are the engine's (client/src/engine/bench/trainee.ts), the same a campaign's training-step cell times.
// Model-state memory is measured after the last step (models/memory.ts). The process's RSS is read after each
// model's steps, before its trainees are disposed (`rss_bytes`), with the peak so far (`peak_rss_bytes`, getrusage): models run smallest first, so a
// rise in the peak belongs to the model that caused it.
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../client/src/engine/backend/init.js';
import { summarizeLatencies } from '../client/src/engine/bench/latency.js';
import { executeRunRules } from '../client/src/engine/bench/run-rules.js';
import { stepIteration } from '../client/src/engine/bench/step-bench.js';
import { benchTarget, buildTrainee, measureState, type BenchConfig, type Trainee } from '../client/src/engine/bench/trainee.js';
import type { RunRules } from '../client/src/engine/bench/types.js';

interface StepRecord {
  model: string;
  data: string;
  batch: number;
  compute: string;
  scheme: string;
  density: number;
  /** Threads of the sparse kernels (requested; kernel_threads is what ran) and of tfjs-wasm. */
  threads: number;
  kernel_threads: number | null;
  tfjs_threads: number;
  step_ms: number | null;
  step_ms_p90: number | null;
  /** Fastest step: the least disturbed by other processes on a shared machine. */
  step_ms_min: number | null;
  speedup_vs_dense: number | null;
  speedup_vs_stock: number | null;
  /** This row's 1-thread twin's step time over this row's (the kernels' thread scaling); null for 1-thread rows. */
  thread_scaling: number | null;
  state_bytes: number | null;
  dense_state_bytes: number | null;
  state_ratio: number | null;
  kernel_heap_bytes: number | null;
  kernel_layers: string[];
  layer_densities: Record<string, number>;
  /** Process RSS after this model's steps (its trainees still alive), and the process's peak RSS so far. */
  rss_bytes: number | null;
  peak_rss_bytes: number | null;
  error?: string;
}

interface Plan {
  readonly rounds: number;
  readonly steps: number;
  readonly warmup: number;
}

const DENSITIES = [0.5, 0.2, 0.1, 0.05];
const SMALL_MODELS = [['mlp', 128], ['cnn', 64]] as const;
/** The seeds' networks, CIFAR stem, smallest first. */
const SEED_NETWORKS = ['mobilenetv2', 'wrn-22-2', 'resnet18'] as const;
const SEED_DENSITIES = [0.2, 0.1];
const MODEL_CHOICES: readonly string[] = [...SMALL_MODELS.map(([model]) => model), ...SEED_NETWORKS];

/** Every configuration, grouped by model (a group is built, timed and disposed together). */
function configurations(quick: boolean, only: string | undefined, threads: number): BenchConfig[][] {
  const groups: BenchConfig[][] = [];
  for (const [model, batch] of SMALL_MODELS) {
    if (only !== undefined && only !== model) continue;
    const out: BenchConfig[] = [];
    out.push({ model, batch, compute: 'stock', scheme: 'irregular', density: 1 });
    out.push({ model, batch, compute: 'dense', scheme: 'irregular', density: 1 });
    out.push({ model, batch, compute: 'masked-dense', scheme: 'irregular', density: 0.1 });
    for (const density of DENSITIES) out.push({ model, batch, compute: 'sparse-kernels', scheme: 'irregular', density });
    for (const density of quick ? [0.1] : DENSITIES) out.push({ model, batch, compute: 'sparse-kernels', scheme: 'block', density });
    if (threads > 1) {
      for (const scheme of ['irregular', 'block'] as const) out.push({ model, batch, compute: 'sparse-kernels', scheme, density: 0.1, threads });
    }
    groups.push(out);
  }
  const batch = quick ? 8 : 32;
  for (const model of SEED_NETWORKS) {
    if (only !== undefined && only !== model) continue;
    const data = 'cifar10' as const;
    groups.push([
      { model, batch, data, compute: 'dense', scheme: 'irregular', density: 1 },
      ...SEED_DENSITIES.map((density) => ({ model, batch, data, compute: 'sparse-kernels' as const, scheme: 'irregular' as const, density })),
    ]);
  }
  return groups;
}

/** The seeds' networks take seconds per step here: fewer rounds and steps than the small models. */
function planFor(group: readonly BenchConfig[], plan: Plan, quick: boolean): Plan {
  if (group[0]?.data === undefined) return plan;
  return quick ? { rounds: 1, steps: 2, warmup: 1 } : { rounds: 2, steps: 4, warmup: 1 };
}

const SEED_BATCHES = 17;

/** Threads tfjs-wasm actually runs with (getThreadsCount after the backend started). */
let tfjsThreads = 1;

/** One round of one configuration: `steps` timed steps (after `warmup` untimed ones). */
function roundRules(plan: Plan, round: number): RunRules {
  return { warmupIterations: round === 0 ? plan.warmup : 0, minIterations: plan.steps, minDurationMs: 0, percentiles: [50, 90], cooldownMs: 0, sustainedDurationMs: 0, driftWindowMs: 0 };
}

/** tfjs-wasm has no Conv2DBackpropFilter: stock conv gradients fail there, so stock CNN steps run with them swapped in. */
async function withConvGradient<T>(gradient: tf.GradConfig | undefined, body: () => Promise<T>): Promise<T> {
  const current = tf.getGradient('Conv2D');
  if (gradient === undefined || current === undefined) return body();
  tf.registerGradient(gradient);
  try {
    return await body();
  } finally {
    tf.registerGradient(current);
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const jsonIndex = args.indexOf('--json');
  const jsonFile = jsonIndex >= 0 ? args[jsonIndex + 1] : undefined;
  if (jsonIndex >= 0 && !jsonFile) throw new Error('--json needs a file name');
  const modelIndex = args.indexOf('--model');
  const only = modelIndex >= 0 ? args[modelIndex + 1] : undefined;
  if (only !== undefined && !MODEL_CHOICES.includes(only)) throw new Error(`--model takes one of ${MODEL_CHOICES.join(', ')}`);
  const plan: Plan = quick ? { rounds: 3, steps: 4, warmup: 2 } : { rounds: 5, steps: 10, warmup: 3 };
  const stockConvGradient = tf.getGradient('Conv2D'); // before initBackend replaces it
  const threads = Math.max(2, Math.min(8, availableParallelism()));
  setThreadsCount(threads); // before the backend starts; ignored on Node by tfjs-backend-wasm 4.22
  const backend = await initBackend('wasm');
  tfjsThreads = getThreadsCount();
  if (backend.name !== 'wasm') throw new Error(`tfjs wasm backend unavailable (got ${backend.name})`);
  const silenced = console.warn;
  console.warn = () => undefined; // tfjs warns on every gradient re-registration
  const meta = {
    node: process.version,
    tfjs: tf.version.tfjs,
    backend: backend.name,
    simd: backend.simd,
    kernel_threads_requested: threads,
    tfjs_threads_requested: threads,
    tfjs_threads: tfjsThreads,
    quick,
    plan,
    loadavg_start: loadavg(),
    date: new Date().toISOString(),
  };
  process.stdout.write(`# whole training steps (${JSON.stringify(meta)})\n`);
  process.stdout.write(`# tfjs-wasm: setThreadsCount(${threads}) -> getThreadsCount() = ${tfjsThreads}; every dense figure ran on ${tfjsThreads} thread(s)\n`);
  const started = performance.now();
  const records: StepRecord[] = [];
  for (const group of configurations(quick, only, threads)) {
    records.push(...(await measureGroup(group, planFor(group, plan, quick), stockConvGradient)));
  }
  addSpeedups(records);
  console.warn = silenced;
  printTable(records);
  process.stdout.write(`# ${records.length} configurations in ${((performance.now() - started) / 1000).toFixed(1)} s, load average now ${loadavg().map((v) => v.toFixed(2)).join(' ')}\n`);
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify({ meta: { ...meta, loadavg_end: loadavg() }, records }, null, 2));
}

/** Builds one model's configurations, times them round-robin, measures their state and disposes them. */
async function measureGroup(configs: readonly BenchConfig[], plan: Plan, stockConvGradient: tf.GradConfig | undefined): Promise<StepRecord[]> {
  const trainees: (Trainee | Error)[] = [];
  for (const config of configs) {
    trainees.push(await buildTrainee(benchTarget(config)).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))));
  }
  try {
    const iterations = trainees.map((trainee) => (trainee instanceof Error ? undefined : stepIteration(trainee, SEED_BATCHES)));
    const samples = trainees.map(() => [] as number[]);
    const errors = trainees.map((t) => (t instanceof Error ? t.message : undefined));
    for (let round = 0; round < plan.rounds; round++) {
      for (let i = 0; i < trainees.length; i++) {
        const iteration = iterations[i];
        if (iteration === undefined || errors[i] !== undefined) continue;
        const stockConv = configs[i]!.compute === 'stock' ? stockConvGradient : undefined;
        try {
          const measured = await withConvGradient(stockConv, () => executeRunRules(iteration, { rules: roundRules(plan, round) }));
          samples[i]!.push(...measured.latencies);
        } catch (error) {
          errors[i] = error instanceof Error ? error.message : String(error);
        }
      }
    }
    const records = trainees.map((trainee, i) => toRecord(configs[i]!, trainee, samples[i]!, errors[i]));
    // While this model's trainees are alive; getrusage reports kilobytes on Linux.
    const rss = process.memoryUsage().rss;
    const peak = process.resourceUsage().maxRSS * 1024;
    return records.map((record) => ({ ...record, rss_bytes: rss, peak_rss_bytes: peak }));
  } finally {
    for (const trainee of trainees) if (!(trainee instanceof Error)) trainee.dispose();
  }
}

function toRecord(config: BenchConfig, trainee: Trainee | Error, samples: number[], error: string | undefined): StepRecord {
  if (trainee instanceof Error) {
    return {
      ...emptyRecord(),
      model: config.model,
      data: config.data ?? 'fashion-mnist',
      batch: config.batch,
      compute: config.compute,
      density: config.density,
      threads: config.threads ?? 1,
      error: trainee.message,
    };
  }
  const state = error === undefined ? measureState(trainee) : undefined;
  const stats = samples.length > 0 && error === undefined ? summarizeLatencies(samples, [50, 90], 0) : undefined;
  return {
    model: config.model,
    data: config.data ?? 'fashion-mnist',
    batch: config.batch,
    compute: config.compute,
    scheme: config.compute === 'stock' || config.compute === 'dense' ? '-' : config.scheme,
    density: config.density,
    threads: config.threads ?? 1,
    kernel_threads: config.compute === 'sparse-kernels' ? trainee.kernelThreads : null,
    tfjs_threads: tfjsThreads,
    step_ms: stats?.percentiles[0].value ?? null,
    step_ms_p90: stats?.percentiles[1].value ?? null,
    step_ms_min: stats?.minMs ?? null,
    speedup_vs_dense: null,
    speedup_vs_stock: null,
    thread_scaling: null,
    state_bytes: state?.totalBytes ?? null,
    dense_state_bytes: state?.denseTotalBytes ?? null,
    state_ratio: state?.ratio ?? null,
    kernel_heap_bytes: state?.kernelHeapBytes ?? null,
    kernel_layers: [...trainee.kernelLayers],
    layer_densities: Object.fromEntries(trainee.layerDensities),
    rss_bytes: null,
    peak_rss_bytes: null,
    ...(error === undefined ? {} : { error }),
  };
}

function emptyRecord(): StepRecord {
  return {
    model: '?', data: '?', batch: 0, compute: '?', scheme: '?', density: 0, threads: 1, kernel_threads: null, tfjs_threads: tfjsThreads, step_ms: null,
    step_ms_p90: null, step_ms_min: null, speedup_vs_dense: null, speedup_vs_stock: null, thread_scaling: null, state_bytes: null, dense_state_bytes: null, state_ratio: null, kernel_heap_bytes: null,
    kernel_layers: [], layer_densities: {}, rss_bytes: null, peak_rss_bytes: null,
  };
}

function addSpeedups(records: StepRecord[]): void {
  for (const record of records) {
    const base = (compute: string) => records.find((r) => r.model === record.model && r.compute === compute)?.step_ms ?? null;
    const dense = base('dense');
    const stock = base('stock');
    if (record.step_ms !== null) {
      record.speedup_vs_dense = dense === null ? null : dense / record.step_ms;
      record.speedup_vs_stock = stock === null ? null : stock / record.step_ms;
      const twin = records.find(
        (r) => r.threads === 1 && r.model === record.model && r.compute === record.compute && r.scheme === record.scheme && r.density === record.density,
      );
      if (record.threads > 1 && twin?.step_ms != null) record.thread_scaling = twin.step_ms / record.step_ms;
    }
  }
}

function printTable(records: readonly StepRecord[]): void {
  const columns = [
    'model (batch)', 'data', 'compute', 'scheme', 'density', 'threads (ran)', 'ms/step median (p90)', 'min', 'x vs dense', 'x vs stock', 'min x vs dense',
    'x vs 1 thread', 'model state', '% of dense', 'RSS (peak) MiB',
  ];
  process.stdout.write(`| ${columns.join(' | ')} |\n|${columns.map(() => ' --- ').join('|')}|\n`);
  const fixed = (v: number | null, digits: number) => (v === null ? '–' : v.toFixed(digits));
  for (const r of records) {
    const time = r.step_ms === null ? `fails: ${r.error ?? '?'}` : `${fixed(r.step_ms, 2)} (${fixed(r.step_ms_p90, 2)})`;
    const state = r.state_bytes === null ? '–' : `${(r.state_bytes / 2 ** 20).toFixed(2)} MiB`;
    const ratio = r.state_ratio === null ? '–' : `${(100 * r.state_ratio).toFixed(0)} %`;
    const dense = records.find((d) => d.model === r.model && d.compute === 'dense')?.step_ms_min ?? null;
    const minSpeedup = dense === null || r.step_ms_min === null ? null : dense / r.step_ms_min;
    const mib = (v: number | null) => (v === null ? '–' : (v / 2 ** 20).toFixed(0));
    const rss = `${mib(r.rss_bytes)} (${mib(r.peak_rss_bytes)})`;
    const threads = r.compute === 'sparse-kernels' ? `${r.threads} (${r.kernel_threads ?? '–'})` : `tfjs ${r.tfjs_threads}`;
    const cells = [
      `${r.model} (${r.batch})`, r.data, r.compute, r.scheme, String(r.density), threads, time, fixed(r.step_ms_min, 2), fixed(r.speedup_vs_dense, 1),
      fixed(r.speedup_vs_stock, 1), fixed(minSpeedup, 1), fixed(r.thread_scaling, 2), state, ratio, rss,
    ];
    process.stdout.write(`| ${cells.join(' | ')} |\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});

