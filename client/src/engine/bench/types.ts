// What a benchmark run is asked (BenchmarkRequest, built from a TrainingJobSpec by ./request.ts) and what it
// reports (BenchmarkOutcome; the agent maps it onto the wire's BenchmarkResult). Plain data, no tfjs.
import type { KernelOp } from '../sparse/schemes/kernel-ops.js';
import type { SchemeName } from '../sparse/schemes/types.js';
import type { TrainConfig } from '../train/config.js';
import type { MaskEvent } from '../train/types.js';

export type BenchmarkKindName = 'kernel' | 'training-step' | 'training-run';

export { KERNEL_OPS, type KernelOp } from '../sparse/schemes/kernel-ops.js';

/** A kernel cell's scheme: its canonical name (see sparse/schemes/descriptors.ts for the format it maps to). */
export type KernelScheme = SchemeName;

/** MLPerf-style run rules (see ./run-rules.ts for how they are applied). */
export interface RunRules {
  readonly warmupIterations: number;
  readonly minIterations: number;
  readonly minDurationMs: number;
  /** In [0, 100], e.g. 50, 90, 99. */
  readonly percentiles: readonly number[];
  readonly cooldownMs: number;
  /** > 0: measure for at least this long and record a drift sample per window. */
  readonly sustainedDurationMs: number;
  readonly driftWindowMs: number;
}

export interface BenchmarkIdentity {
  readonly campaignId: string;
  readonly cellId: string;
}

export interface KernelBenchmarkRequest extends BenchmarkIdentity {
  readonly kind: 'kernel';
  readonly op: KernelOp;
  readonly scheme: KernelScheme;
  /** linear: [batch, in, out]; conv: [batch, height, width, in, out, k]. */
  readonly shape: readonly number[];
  readonly density: number;
  readonly seed: number;
  /** tfjs backend of the dense baseline (the job spec's backend); absent = wasm, as on the devices. */
  readonly denseBackend?: 'tensorflow' | 'wasm' | 'cpu';
  readonly rules: RunRules;
}

export interface TrainingBenchmarkRequest extends BenchmarkIdentity {
  readonly kind: 'training-step' | 'training-run';
  /** Model, method, scheme, density, batch size, optimizer, compute and backend of the measured training. */
  readonly config: TrainConfig;
  readonly rules: RunRules;
}

export type BenchmarkRequest = KernelBenchmarkRequest | TrainingBenchmarkRequest;

export interface DeviceConditions {
  /** Negative when unknown. */
  readonly temperatureCelsius: number;
  /** 0..1, negative when unknown. */
  readonly batteryLevel: number;
  readonly charging: boolean;
  readonly freeMemoryBytes: number;
  readonly loadAverage_1m: number;
  /** Wall-clock time of the reading (ms since the epoch). */
  readonly atMs: number;
}

export interface PercentileValue {
  readonly percentile: number;
  readonly value: number;
}

export interface DriftSample {
  /** Since the start of the measured phase. */
  readonly offsetMs: number;
  readonly medianMs: number;
  readonly iterations: number;
  readonly temperatureCelsius: number;
  readonly batteryLevel: number;
}

/** Latency statistics of one measured side (sparse or dense). */
export interface LatencySummary {
  readonly iterations: number;
  readonly durationMs: number;
  readonly percentiles: readonly PercentileValue[];
  readonly meanMs: number;
  readonly minMs: number;
}

/**
 * The speedup's denominator, always measured in the same harness as the sparse side:
 *   dense-simd-kernel     kernel cells: the project's own dense WASM SIMD kernels (every weight kept), same layout,
 *                         same thread count, same timing loop as the sparse kernel;
 *   corrected-dense-step  training-step cells: whole steps of the engine's corrected dense path (same model,
 *                         optimizer and batch, density 1).
 */
export type BaselineName = 'dense-simd-kernel' | 'corrected-dense-step';

/** Threads each side computed with; 0 for a side that was not measured. */
export interface SideThreads {
  readonly measured: number;
  readonly baseline: number;
  readonly tfjs: number;
}

export interface BenchmarkOutcome extends BenchmarkIdentity {
  readonly kind: BenchmarkKindName;
  /** The measured side: the sparse kernel call, the sparse training step, or a training step of the run. */
  readonly latency: LatencySummary;
  /** The dense baseline (`baseline`) measured in the same run (kernel and training-step kinds). */
  readonly dense?: LatencySummary;
  /** Absent without a dense baseline (training runs). */
  readonly baseline?: BaselineName;
  /** Baseline p50 / sparse p50; 0 without a dense baseline. */
  readonly speedup: number;
  /** The stock tfjs op of the same computation (kernel cells), a second labelled figure. */
  readonly tfjs?: LatencySummary;
  /** tfjs p50 / sparse p50; 0 when no tfjs figure was measured. */
  readonly speedupVsTfjs: number;
  readonly threads: SideThreads;
  /** The run rules as applied (after the agent's defaults). */
  readonly rules: RunRules;
  /** Useful FLOPs per second of the sparse side (kernel kind); 0 when not counted. */
  readonly gflops: number;
  readonly peakMemoryBytes: number;
  readonly modelStateBytes: number;
  readonly denseModelStateBytes: number;
  /** Training runs; negative otherwise. */
  readonly testAccuracy: number;
  readonly drift: readonly DriftSample[];
  readonly valid: boolean;
  readonly invalidReasons: readonly string[];
  readonly start: DeviceConditions;
  readonly end: DeviceConditions;
  readonly backend: string;
  /** "sparse-kernels" | "masked-dense" | "dense". */
  readonly compute: string;
  /** Free-form details: the baseline and tfjs variants that were measured (densePath, tfjsPath), the kernel format, nnz, compute fallback reason. */
  readonly details: Readonly<Record<string, string | number>>;
}

export type BenchmarkPhase = 'setup' | 'cooldown' | 'warmup' | 'measuring';

export interface BenchmarkProgress {
  readonly phase: BenchmarkPhase;
  /** Which side is being measured. */
  readonly side: 'sparse' | 'dense' | 'tfjs' | 'training';
  readonly iterations: number;
  /** Iterations the rules require (at least; duration may need more). */
  readonly targetIterations: number;
  readonly elapsedMs: number;
  /** Duration the rules require. */
  readonly targetMs: number;
}

export interface BenchmarkCallbacks {
  onProgress?(progress: BenchmarkProgress): void;
  /** Training-run cells: the run's mask events (see TrainCallbacks.onMaskEvent). */
  onMaskEvent?(event: MaskEvent): void;
  readonly signal?: AbortSignal;
}
