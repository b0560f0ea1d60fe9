// The whole-training-step cases of bench:step and bench:browser: which models, computes, schemes and densities (and,
// with more than one thread, the N-thread sparse rows), the round-robin plan, and how one model's configurations are
// measured into records (the same code in Node and in headless Chromium; the host supplies its memory reading and
// the thread count tfjs-wasm actually runs with).
import * as tf from '@tensorflow/tfjs';
import { summarizeLatencies } from '../../client/src/engine/bench/latency.js';
import { executeRunRules } from '../../client/src/engine/bench/run-rules.js';
import { stepIteration } from '../../client/src/engine/bench/step-bench.js';
import { benchTarget, buildTrainee, measureState, type BenchConfig, type Trainee } from '../../client/src/engine/bench/trainee.js';
import type { RunRules } from '../../client/src/engine/bench/types.js';

export interface StepRecord {
  model: string;
  data: string;
  batch: number;
  compute: string;
  scheme: string;
  /** The sparse method whose step ran ('static' for every row but VRPGE's, whose step is its own). */
  method: string;
  density: number;
  /**
   * Threads of the sparse kernels (requested, 'auto' as a job's default; kernel_threads is the pool that ran) and of
   * tfjs-wasm (what it ran with).
   */
  threads: number | 'auto';
  kernel_threads: number | null;
  /** Why the kernels ran fewer threads than asked (absent when they ran all). */
  kernel_thread_fallback?: string;
  tfjs_threads: number;
  step_ms: number | null;
  step_ms_p90: number | null;
  /** Fastest step: the least disturbed by other processes on a shared machine. */
  step_ms_min: number | null;
  /**
   * Median CPU time of the process per step (hosts with a CPU clock: Node): on a saturated machine it drops the time
   * spent waiting for a core, so one-thread rows compare more steadily than by wall time (threaded rows add up every
   * thread's time, so it measures their work, not their speed).
   */
  step_cpu_ms: number | null;
  speedup_vs_dense: number | null;
  /** The dense row's step_cpu_ms over this row's. */
  cpu_speedup_vs_dense: number | null;
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

/** The command line of bench:step and bench:browser: [--quick] [--json FILE] [--model NAME]. */
export function stepBenchArgs(args: readonly string[]): { quick: boolean; jsonFile: string | undefined; only: string | undefined } {
  const quick = args.includes('--quick');
  const jsonIndex = args.indexOf('--json');
  const jsonFile = jsonIndex >= 0 ? args[jsonIndex + 1] : undefined;
  if (jsonIndex >= 0 && !jsonFile) throw new Error('--json needs a file name');
  const modelIndex = args.indexOf('--model');
  const only = modelIndex >= 0 ? args[modelIndex + 1] : undefined;
  if (only !== undefined && !MODEL_CHOICES.includes(only)) throw new Error(`--model takes one of ${MODEL_CHOICES.join(', ')}`);
  return { quick, jsonFile, only };
}

/** Rounds × timed steps (after warm-up) per configuration of the small models; see planFor for the seed networks. */
export function stepPlan(quick: boolean): Plan {
  return quick ? { rounds: 3, steps: 4, warmup: 2 } : { rounds: 5, steps: 10, warmup: 3 };
}

export interface Plan {
  readonly rounds: number;
  readonly steps: number;
  readonly warmup: number;
}

const DENSITIES = [0.5, 0.2, 0.1, 0.05];
const SMALL_MODELS = [['mlp', 128], ['cnn', 64]] as const;
/** The seeds' networks, CIFAR stem, smallest first. */
const SEED_NETWORKS = ['mobilenetv2', 'wrn-22-2', 'resnet18'] as const;
const SEED_DENSITIES = [0.2, 0.1];
export const MODEL_CHOICES: readonly string[] = [...SMALL_MODELS.map(([model]) => model), ...SEED_NETWORKS];

/**
 * Every configuration, grouped by model (a group is built, timed and disposed together). With `threads` > 1 the
 * small models add sparse-kernel rows at d = 0.1 on that many kernel threads, and an irregular row with threads:
 * 'auto' (a job's default: only calls of at least AUTO_MIN_PARALLEL_WORK split, see threads/partition.ts).
 */
export function configurations(quick: boolean, only: string | undefined, threads = 1): BenchConfig[][] {
  const groups: BenchConfig[][] = [];
  for (const [model, batch] of SMALL_MODELS) {
    if (only !== undefined && only !== model) continue;
    const out: BenchConfig[] = [];
    out.push({ model, batch, compute: 'stock', scheme: 'irregular', density: 1 });
    out.push({ model, batch, compute: 'dense', scheme: 'irregular', density: 1 });
    out.push({ model, batch, compute: 'masked-dense', scheme: 'irregular', density: 0.1 });
    // VRPGE's score phase: every weight kept, K sampled channel gates per step.
    if (model === 'mlp') for (const compute of ['masked-dense', 'sparse-kernels'] as const) out.push({ model, batch, compute, scheme: 'channel', density: 0.1, method: 'vrpge' });
    for (const density of DENSITIES) out.push({ model, batch, compute: 'sparse-kernels', scheme: 'irregular', density });
    for (const density of quick ? [0.1] : DENSITIES) out.push({ model, batch, compute: 'sparse-kernels', scheme: 'block', density });
    if (threads > 1) {
      for (const scheme of ['irregular', 'block'] as const) out.push({ model, batch, compute: 'sparse-kernels', scheme, density: 0.1, threads });
      out.push({ model, batch, compute: 'sparse-kernels', scheme: 'irregular', density: 0.1, threads: 'auto' });
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
export function planFor(group: readonly BenchConfig[], plan: Plan, quick: boolean): Plan {
  if (group[0]?.data === undefined) return plan;
  return quick ? { rounds: 1, steps: 2, warmup: 1 } : { rounds: 2, steps: 4, warmup: 1 };
}

const SEED_BATCHES = 17;

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

/** What the host supplies: its memory reading, and how many threads tfjs-wasm runs with (default 1). */
export interface MeasureHost {
  readonly memory?: () => { rss: number | null; peak: number | null };
  /** CPU time of the whole process so far, in ms (absent where the host cannot read it: a browser). */
  readonly cpuClock?: () => number;
  readonly tfjsThreads?: number;
}

/** Builds one model's configurations, times them round-robin, measures their state and disposes them. */
export async function measureGroup(
  configs: readonly BenchConfig[],
  plan: Plan,
  stockConvGradient: tf.GradConfig | undefined,
  host: MeasureHost = {},
): Promise<StepRecord[]> {
  const memory = host.memory ?? (() => ({ rss: null, peak: null }));
  const tfjsThreads = host.tfjsThreads ?? 1;
  const trainees: (Trainee | Error)[] = [];
  for (const config of configs) {
    trainees.push(await buildTrainee(benchTarget(config)).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))));
  }
  try {
    const cpuSamples = trainees.map(() => [] as number[]);
    const iterations = trainees.map((trainee, i) => (trainee instanceof Error ? undefined : withCpuTime(stepIteration(trainee, SEED_BATCHES), host.cpuClock, cpuSamples[i]!)));
    const samples = trainees.map(() => [] as number[]);
    const errors = trainees.map((t) => (t instanceof Error ? t.message : undefined));
    for (let round = 0; round < plan.rounds; round++) {
      for (let i = 0; i < trainees.length; i++) {
        const iteration = iterations[i];
        if (iteration === undefined || errors[i] !== undefined) continue;
        const stockConv = configs[i]!.compute === 'stock' ? stockConvGradient : undefined;
        try {
          const cpuBefore = cpuSamples[i]!.length;
          const measured = await withConvGradient(stockConv, () => executeRunRules(iteration, { rules: roundRules(plan, round) }));
          samples[i]!.push(...measured.latencies);
          // Only the timed steps: the run rules' warm-up steps ran first.
          cpuSamples[i]!.splice(cpuBefore, cpuSamples[i]!.length - cpuBefore - measured.latencies.length);
        } catch (error) {
          errors[i] = error instanceof Error ? error.message : String(error);
        }
      }
    }
    const records = trainees.map((trainee, i) => toRecord(configs[i]!, trainee, samples[i]!, cpuSamples[i]!, errors[i], tfjsThreads));
    // While this model's trainees are alive.
    const { rss, peak } = memory();
    return records.map((record) => ({ ...record, rss_bytes: rss, peak_rss_bytes: peak }));
  } finally {
    for (const trainee of trainees) if (!(trainee instanceof Error)) trainee.dispose();
  }
}

/** The iteration, timing each call's process CPU time into `samples` when the host has a CPU clock. */
function withCpuTime(iteration: () => void, cpuClock: (() => number) | undefined, samples: number[]): () => void {
  if (cpuClock === undefined) return iteration;
  return () => {
    const start = cpuClock();
    iteration();
    samples.push(cpuClock() - start);
  };
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function toRecord(config: BenchConfig, trainee: Trainee | Error, samples: number[], cpuSamples: number[], error: string | undefined, tfjsThreads: number): StepRecord {
  if (trainee instanceof Error) {
    return {
      ...emptyRecord(tfjsThreads),
      model: config.model,
      data: config.data ?? 'fashion-mnist',
      batch: config.batch,
      compute: config.compute,
      method: methodOf(config),
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
    method: methodOf(config),
    density: config.density,
    threads: config.threads ?? 1,
    kernel_threads: config.compute === 'sparse-kernels' ? trainee.kernelThreads : null,
    ...(config.compute === 'sparse-kernels' && trainee.kernelThreadFallbackReason !== undefined ? { kernel_thread_fallback: trainee.kernelThreadFallbackReason } : {}),
    tfjs_threads: tfjsThreads,
    step_ms: stats?.percentiles[0].value ?? null,
    step_ms_p90: stats?.percentiles[1].value ?? null,
    step_ms_min: stats?.minMs ?? null,
    step_cpu_ms: error === undefined ? median(cpuSamples) : null,
    speedup_vs_dense: null,
    cpu_speedup_vs_dense: null,
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

function methodOf(config: BenchConfig): string {
  return config.compute === 'stock' || config.compute === 'dense' ? 'dense' : (config.method ?? 'static');
}

function emptyRecord(tfjsThreads: number): StepRecord {
  return {
    model: '?', data: '?', batch: 0, compute: '?', scheme: '?', method: '?', density: 0, threads: 1, kernel_threads: null, tfjs_threads: tfjsThreads, step_ms: null,
    step_ms_p90: null, step_ms_min: null, step_cpu_ms: null, speedup_vs_dense: null, cpu_speedup_vs_dense: null, speedup_vs_stock: null, thread_scaling: null, state_bytes: null, dense_state_bytes: null, state_ratio: null, kernel_heap_bytes: null,
    kernel_layers: [], layer_densities: {}, rss_bytes: null, peak_rss_bytes: null,
  };
}

export function addSpeedups(records: StepRecord[]): void {
  for (const record of records) {
    const base = (compute: string) => records.find((r) => r.model === record.model && r.compute === compute)?.step_ms ?? null;
    const dense = base('dense');
    const stock = base('stock');
    if (record.step_ms !== null) {
      record.speedup_vs_dense = dense === null ? null : dense / record.step_ms;
      const denseCpu = records.find((r) => r.model === record.model && r.compute === 'dense')?.step_cpu_ms ?? null;
      record.cpu_speedup_vs_dense = denseCpu === null || record.step_cpu_ms === null ? null : denseCpu / record.step_cpu_ms;
      record.speedup_vs_stock = stock === null ? null : stock / record.step_ms;
      const twin = records.find(
        (r) => r.threads === 1 && r.model === record.model && r.compute === record.compute && r.scheme === record.scheme && r.density === record.density,
      );
      if (record.threads !== 1 && twin?.step_ms != null) record.thread_scaling = twin.step_ms / record.step_ms;
    }
  }
}

