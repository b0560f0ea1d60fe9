// The run-rules executor every benchmark measures with (MLPerf Mobile's spirit, see notes/peers.md §1b):
//   1. cooldown: sleep `cooldownMs` (thermal settling) after reading the device's start conditions;
//   2. warm-up: `warmupIterations` untimed iterations, excluded from every statistic;
//   3. measurement: iterate until BOTH `minIterations` and the duration target (max of `minDurationMs` and
//      `sustainedDurationMs`) are met, timing each iteration; a hard cap (iterations and wall time) bounds runaway
//      runs, and a run stopped by the cap, by an abort, or with no iteration is marked invalid with the reason;
//   4. sustained mode (`sustainedDurationMs` > 0): iterations are binned by their start time into windows of
//      `driftWindowMs` (default a tenth of the sustained duration); each window becomes a DriftSample with its
//      median latency and the temperature and battery read when it closed.
// Thermal-throttling heuristic: with at least two complete drift windows, the run is invalid when the median of
// the last complete window exceeds 1.25x the median of the first (a 25 % slowdown that a cooler start does not
// explain; a trailing partial window, one the measurement did not run to the end of, is recorded but not judged
// because few iterations make its median noisy).
// The executor yields to the event loop (outside the timed region) every `yieldEveryMs`, so an abort sent from a
// socket message is seen while a synchronous kernel is being measured.
import { yieldToEventLoop } from '../train/yield.js';
import { readDeviceConditions, type ConditionsReader } from './device-conditions.js';
import { median, summarizeLatencies } from './latency.js';
import type { BenchmarkPhase, DeviceConditions, DriftSample, LatencySummary, RunRules } from './types.js';

export const THROTTLE_RATIO = 1.25;
const DEFAULT_DRIFT_WINDOWS = 10;

export interface BenchClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: BenchClock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export interface ExecutorProgress {
  readonly phase: BenchmarkPhase;
  readonly iterations: number;
  readonly targetIterations: number;
  readonly elapsedMs: number;
  readonly targetMs: number;
}

export interface ExecutorOptions {
  readonly rules: RunRules;
  readonly clock?: BenchClock;
  readonly readConditions?: ConditionsReader;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ExecutorProgress) => void;
  /** Calls one iteration makes (fast kernels are timed in batches); latencies are per call. Default 1. */
  readonly callsPerIteration?: number;
  /** Hard cap on measured iterations (default 1,000,000). */
  readonly maxIterations?: number;
  /** Hard cap on the measured phase (default 2x the duration target + 60 s). */
  readonly maxDurationMs?: number;
  readonly yieldEveryMs?: number;
  readonly progressEveryMs?: number;
  readonly yieldToEventLoop?: () => Promise<void>;
}

export interface RunRulesMeasurement {
  /** Per measured iteration, in ms per call (warm-up excluded). */
  readonly latencies: Float64Array;
  readonly summary: LatencySummary;
  readonly drift: readonly DriftSample[];
  readonly valid: boolean;
  readonly invalidReasons: readonly string[];
  readonly aborted: boolean;
  readonly start: DeviceConditions;
  readonly end: DeviceConditions;
}

export type Iteration = () => unknown;

export async function executeRunRules(iteration: Iteration, options: ExecutorOptions): Promise<RunRulesMeasurement> {
  const { rules, signal } = options;
  const clock = options.clock ?? realClock;
  const read = options.readConditions ?? readDeviceConditions;
  const yieldFn = options.yieldToEventLoop ?? yieldToEventLoop;
  const calls = options.callsPerIteration ?? 1;
  const targetMs = Math.max(rules.minDurationMs, rules.sustainedDurationMs);
  const maxIterations = options.maxIterations ?? 1_000_000;
  const maxDurationMs = options.maxDurationMs ?? 2 * targetMs + 60_000;
  const yieldEvery = options.yieldEveryMs ?? 50;
  const progressEvery = options.progressEveryMs ?? 250;
  const report = (phase: BenchmarkPhase, iterations: number, elapsedMs: number): void =>
    options.onProgress?.({ phase, iterations, targetIterations: rules.minIterations, elapsedMs, targetMs });

  const start = read();
  if (rules.cooldownMs > 0 && !signal?.aborted) {
    report('cooldown', 0, 0);
    await clock.sleep(rules.cooldownMs, signal);
  }
  let lastYield = clock.now();
  const pause = async (): Promise<void> => {
    if (clock.now() - lastYield < yieldEvery) return;
    await yieldFn();
    lastYield = clock.now();
  };

  report('warmup', 0, 0);
  for (let i = 0; i < rules.warmupIterations && !signal?.aborted; i++) {
    await settle(iteration());
    await pause();
  }

  const windows = new DriftWindows(rules, read);
  const latencies = new GrowableSeries();
  const t0 = clock.now();
  let elapsed = 0;
  let lastReport = t0;
  let capped = false;
  report('measuring', 0, 0);
  for (;;) {
    if (signal?.aborted) break;
    if (latencies.length >= rules.minIterations && elapsed >= targetMs && latencies.length > 0) break;
    if (latencies.length >= maxIterations || elapsed >= maxDurationMs) {
      capped = true;
      break;
    }
    const before = clock.now();
    await settle(iteration());
    const after = clock.now();
    const latency = (after - before) / calls;
    latencies.push(latency);
    elapsed = after - t0;
    windows.add(before - t0, latency);
    if (after - lastReport >= progressEvery) {
      report('measuring', latencies.length, elapsed);
      lastReport = after;
    }
    await pause();
  }
  const drift = windows.finish(elapsed);
  report('measuring', latencies.length, elapsed);
  const values = latencies.values();
  const invalidReasons = judge({ rules, iterations: values.length, elapsed, targetMs, capped, aborted: signal?.aborted ?? false, maxIterations, maxDurationMs, windows: windows.complete });
  return {
    latencies: values,
    summary: summarizeLatencies(values, rules.percentiles, elapsed),
    drift,
    valid: invalidReasons.length === 0,
    invalidReasons,
    aborted: signal?.aborted ?? false,
    start,
    end: read(),
  };
}

/** Awaits only what is a promise: a synchronous iteration is not delayed by a microtask inside the timed region. */
function settle(result: unknown): Promise<unknown> | undefined {
  return result instanceof Promise ? result : undefined;
}

interface Verdict {
  readonly rules: RunRules;
  readonly iterations: number;
  readonly elapsed: number;
  readonly targetMs: number;
  readonly capped: boolean;
  readonly aborted: boolean;
  readonly maxIterations: number;
  readonly maxDurationMs: number;
  readonly windows: readonly DriftSample[];
}

function judge(v: Verdict): string[] {
  const reasons: string[] = [];
  if (v.aborted) reasons.push(`aborted after ${v.iterations} measured iterations`);
  if (v.capped) {
    const cap = v.iterations >= v.maxIterations ? `the ${v.maxIterations}-iteration cap` : `the ${v.maxDurationMs} ms cap`;
    reasons.push(`stopped at ${cap}`);
  }
  if (v.iterations === 0) reasons.push('no iteration was measured');
  if (v.iterations < v.rules.minIterations) reasons.push(`minimum iterations not met: ${v.iterations} of ${v.rules.minIterations}`);
  if (v.elapsed < v.targetMs) reasons.push(`minimum duration not met: ${v.elapsed.toFixed(0)} ms of ${v.targetMs} ms`);
  if (v.windows.length >= 2) {
    const first = v.windows[0].medianMs;
    const last = v.windows[v.windows.length - 1].medianMs;
    if (first > 0 && last > THROTTLE_RATIO * first) {
      reasons.push(`thermal throttling suspected: last drift window median ${last.toFixed(3)} ms is ${(last / first).toFixed(2)}x the first (${first.toFixed(3)} ms)`);
    }
  }
  return reasons;
}

/** Bins measured iterations into drift windows by their start time (sustained mode only). */
class DriftWindows {
  readonly complete: DriftSample[] = [];
  private readonly widthMs: number;
  private index = 0;
  private current: number[] = [];

  constructor(rules: RunRules, private readonly read: ConditionsReader) {
    const sustained = rules.sustainedDurationMs;
    this.widthMs = sustained <= 0 ? 0 : rules.driftWindowMs > 0 ? rules.driftWindowMs : sustained / DEFAULT_DRIFT_WINDOWS;
  }

  add(offsetMs: number, latency: number): void {
    if (this.widthMs === 0) return;
    const index = Math.floor(offsetMs / this.widthMs);
    if (index !== this.index) {
      this.close(this.complete);
      this.index = index;
    }
    this.current.push(latency);
  }

  /** All windows, including a trailing partial one; the last window counts as complete when the run reached its end. */
  finish(endOffsetMs: number): DriftSample[] {
    if (this.widthMs > 0 && endOffsetMs >= (this.index + 1) * this.widthMs) this.close(this.complete);
    const all = [...this.complete];
    this.close(all);
    return all;
  }

  private close(into: DriftSample[]): void {
    if (this.current.length === 0) return;
    const conditions = this.read();
    into.push({
      offsetMs: this.index * this.widthMs,
      medianMs: median(this.current),
      iterations: this.current.length,
      temperatureCelsius: conditions.temperatureCelsius,
      batteryLevel: conditions.batteryLevel,
    });
    this.current = [];
  }
}

/** A Float64 series that doubles its storage, so a long kernel run does not allocate per iteration. */
class GrowableSeries {
  private data = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  values(): Float64Array {
    return this.data.slice(0, this.length);
  }
}
