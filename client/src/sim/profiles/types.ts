// A simulated device's profile: how fast it trains, how much memory it has, its network link, when it is online,
// and how heat and battery limit it. Plain data; parsed and checked by ./schema.ts, read by the modelled engine and
// the virtual fleet. Every duration here is device (simulated) time; the simulation divides it by its timeScale.

export type Distribution =
  | { readonly kind: 'fixed'; readonly value: number }
  | { readonly kind: 'uniform'; readonly min: number; readonly max: number }
  | { readonly kind: 'exponential'; readonly mean: number }
  | { readonly kind: 'lognormal'; readonly median: number; readonly sigma: number };

export interface ComputeModel {
  /** Step-time divisor against the reference machine (the project's 2-core build box = 1; 2 = twice as fast). */
  readonly speedFactor: number;
  /** Measured step times on this device (ms), keyed by `${model}/${scheme}/${density}/b${batch}`; win over the factor. */
  readonly stepMs?: Readonly<Record<string, number>>;
}

export interface MemoryModel {
  readonly totalMb: number;
  /** What a training job may use: the coordinator matches jobs against it, the modelled engine fails beyond it. */
  readonly availableMb: number;
}

export interface NetworkModel {
  readonly latencyMs: number;
  readonly jitterMs: number;
  readonly bandwidthKbps: number;
  /** Fraction of outgoing envelopes lost (0..1). */
  readonly lossRate: number;
}

export interface SessionAvailability {
  readonly sessionMinutes: Distribution;
  readonly offlineMinutes: Distribution;
}

/** Availability replayed from a trace file (see ./trace.ts); the path is relative to the profile's file. */
export interface TraceAvailability {
  readonly trace: string;
}

export type Availability = SessionAvailability | TraceAvailability;

export interface ThermalModel {
  /** Minutes of continuous training after which the device throttles. */
  readonly throttleAfterMinutes: number;
  /** Step-time multiplier while throttled (≥ 1). */
  readonly throttleFactor: number;
}

export interface BatteryModel {
  /** Minutes of training a full battery lasts. */
  readonly capacityMinutes: number;
  readonly rechargeWhileOffline: boolean;
}

export interface DeviceProfile {
  readonly name: string;
  readonly description: string;
  /** e.g. 'linux-arm64', 'android-browser', 'ios-safari'. */
  readonly platform: string;
  readonly compute: ComputeModel;
  readonly memory: MemoryModel;
  /** tfjs backends the device offers, best first ('tensorflow', 'wasm', 'cpu'). */
  readonly backends: readonly string[];
  readonly simd: boolean;
  readonly threads: number;
  readonly network: NetworkModel;
  readonly availability: Availability;
  readonly thermal?: ThermalModel;
  readonly battery?: BatteryModel;
}

export function isTraceAvailability(availability: Availability): availability is TraceAvailability {
  return 'trace' in availability;
}

/** What a step time depends on. `dataset` picks the input shape for models the reference table lacks. */
export interface StepJob {
  readonly model: string;
  readonly scheme: string;
  readonly density: number;
  readonly batchSize: number;
  readonly dataset?: string;
}

/** The key of a step time in `compute.stepMs` and the reference table. */
export function stepKey(job: StepJob): string {
  return `${job.model}/${job.scheme}/${job.density}/b${job.batchSize}`;
}
