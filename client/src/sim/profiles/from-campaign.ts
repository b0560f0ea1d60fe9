// Device profiles derived from a campaign's results (`sparsefleet sim profile from-campaign <id>`), one per device
// (or per device model). From a training-step campaign: the measured step time of every valid cell in
// compute.stepMs and a speed factor fitted against the reference step table; from a kernel campaign: a speed factor
// fitted from the cells' GFLOP/s against the reference kernel rates. Memory, backends, SIMD and threads from the
// device as the results recorded it; thermal slow-down from the sustained phase's drift samples when the campaign ran one. What a
// campaign cannot measure (network, availability, battery) comes from a base profile.
//
// The input is the campaign as the coordinator's REST API returns it (GET /api/campaigns/<id>), typed here by the
// fields this module reads, so the client needs no server types.
import { referenceKernelGflops } from './reference-kernels.js';
import { referenceStepMs } from './reference-steps.js';
import { validateDeviceProfile } from './schema.js';
import { stepKey, type DeviceProfile, type StepJob, type ThermalModel } from './types.js';

export interface CampaignForProfiles {
  readonly id: string;
  readonly name: string;
  readonly measure: string;
  readonly spec: { readonly base?: Readonly<Record<string, unknown>> };
  readonly cells: readonly {
    readonly id: string;
    readonly params: {
      readonly op?: string;
      readonly model?: string;
      readonly scheme: string;
      readonly density: number;
      readonly batchSize?: number;
    };
  }[];
  readonly results: readonly CampaignResultForProfiles[];
}

export interface CampaignResultForProfiles {
  readonly cellId: string;
  readonly deviceId: string;
  readonly valid: boolean;
  readonly benchmark: {
    readonly latencyMs: readonly { readonly percentile: number; readonly value: number }[];
    readonly threads: number;
    readonly gflops: number;
    readonly start?: { readonly freeMemoryBytes: number };
    readonly drift: readonly { readonly offsetMs: number; readonly medianMs: number }[];
  } | null;
  readonly device: {
    readonly displayName: string;
    readonly platform: string;
    readonly arch: string;
    readonly cpuModel: string;
    readonly deviceModel: string;
    readonly memoryBytes: number;
    readonly chosenBackend: string;
    readonly wasmSimd: boolean;
  };
}

export type ProfileGrouping = 'device' | 'model';

export interface DerivedProfile {
  readonly profile: DeviceProfile;
  /** The devices whose results went into it. */
  readonly deviceIds: readonly string[];
  /** Cells measured, and how far the fitted factor is off per cell: max |measured / modelled - 1|. */
  readonly cells: number;
  readonly worstFitError: number;
}

export class CampaignProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CampaignProfileError';
  }
}

const MIB = 1024 * 1024;
/** Without a free-memory reading, a job may use this share of the device's memory. */
const DEFAULT_AVAILABLE_SHARE = 0.6;
/** A sustained phase whose median step grows by more than this counts as thermal throttling. */
const THROTTLE_THRESHOLD = 1.05;

interface Measurement {
  readonly job: StepJob;
  readonly stepMs: number;
}

export function profilesFromCampaign(campaign: CampaignForProfiles, options: { groupBy: ProfileGrouping; base: DeviceProfile }): DerivedProfile[] {
  if (campaign.measure !== 'training-step' && campaign.measure !== 'kernel') {
    throw new CampaignProfileError(`campaign ${campaign.id} measures ${campaign.measure}; profiles need a training-step or kernel campaign`);
  }
  const cells = new Map(campaign.cells.map((cell) => [cell.id, cell.params]));
  const dataset = datasetOf(campaign.spec.base);
  const groups = new Map<string, CampaignResultForProfiles[]>();
  for (const result of campaign.results) {
    if (!result.valid || result.benchmark === null) continue;
    const key = options.groupBy === 'device' ? result.deviceId : groupModel(result.device);
    groups.set(key, [...(groups.get(key) ?? []), result]);
  }
  if (groups.size === 0) throw new CampaignProfileError(`campaign ${campaign.id} has no valid ${campaign.measure} results yet`);
  const usedNames = new Set<string>();
  return [...groups.entries()].map(([key, results]) => {
    const name = uniqueName(profileName(options.groupBy, key, results[0].device), usedNames);
    return deriveProfile(name, campaign, results, cells, dataset, options.base);
  });
}

function deriveProfile(
  name: string,
  campaign: CampaignForProfiles,
  results: readonly CampaignResultForProfiles[],
  cells: ReadonlyMap<string, CellParams>,
  dataset: string | undefined,
  base: DeviceProfile,
): DerivedProfile {
  const fit = campaign.measure === 'kernel' ? fitKernels(name, results, cells) : fitSteps(name, results, cells, dataset);
  const device = results[0].device;
  const totalMb = Math.max(1, Math.round(device.memoryBytes / MIB));
  const free = results.map((r) => r.benchmark!.start?.freeMemoryBytes ?? 0).filter((bytes) => bytes > 0);
  const availableMb = Math.min(totalMb, Math.max(1, Math.round(free.length > 0 ? Math.min(...free) / MIB : totalMb * DEFAULT_AVAILABLE_SHARE)));
  const thermal = thermalFrom(results);
  const backends = [...new Set([device.chosenBackend, 'cpu'].filter((b) => ['tensorflow', 'wasm', 'cpu'].includes(b)))];
  const profile = validateDeviceProfile(
    {
      name,
      description: `${device.deviceModel || device.cpuModel} measured by ${campaign.measure} campaign ${campaign.name} (${campaign.id}); network, availability and battery from ${base.name}`,
      platform: `${device.platform}-${device.arch}`,
      compute: { speedFactor: round(fit.speedFactor, 4), ...(fit.stepMs ? { stepMs: fit.stepMs } : {}) },
      memory: { totalMb, availableMb },
      backends,
      simd: device.wasmSimd,
      threads: Math.max(1, ...results.map((r) => r.benchmark!.threads)),
      network: base.network,
      availability: base.availability,
      ...(thermal ?? base.thermal ? { thermal: thermal ?? base.thermal } : {}),
      ...(base.battery ? { battery: base.battery } : {}),
    },
    `${name}.yaml`,
  );
  return { profile, deviceIds: [...new Set(results.map((r) => r.deviceId))], cells: fit.cells, worstFitError: fit.worstFitError };
}

interface Fit {
  readonly speedFactor: number;
  readonly stepMs?: Record<string, number>;
  readonly cells: number;
  readonly worstFitError: number;
}

type CellParams = CampaignForProfiles['cells'][number]['params'];

/** Training steps: the measured p50s, and the factor that best maps the reference onto them. */
function fitSteps(name: string, results: readonly CampaignResultForProfiles[], cells: ReadonlyMap<string, CellParams>, dataset: string | undefined): Fit {
  const measurements: Measurement[] = [];
  for (const result of results) {
    const params = cells.get(result.cellId);
    const median = p50(result.benchmark!.latencyMs);
    if (params?.model === undefined || params.batchSize === undefined || median === undefined || !(median > 0)) continue;
    const dense = params.density >= 1;
    const job: StepJob = {
      model: params.model,
      scheme: dense ? 'dense' : params.scheme,
      density: dense ? 1 : params.density,
      batchSize: params.batchSize,
      ...(dataset === undefined ? {} : { dataset }),
    };
    measurements.push({ job, stepMs: median });
  }
  if (measurements.length === 0) throw new CampaignProfileError(`${name}: no valid result names a model and a batch size`);
  const stepMs: Record<string, number> = {};
  for (const m of averageByKey(measurements)) stepMs[stepKey(m.job)] = round(m.stepMs, 3);
  const ratios = measurements.flatMap((m) => {
    try {
      return [referenceStepMs(m.job) / m.stepMs];
    } catch {
      return []; // a model the catalog does not know: measured, but no reference to fit against
    }
  });
  if (ratios.length === 0) throw new CampaignProfileError(`${name}: none of the measured models has a reference step time`);
  return { ...geometricFit(ratios), stepMs, cells: measurements.length };
}

/** Kernels: the factor that best maps the reference GFLOP/s of each cell's op and scheme onto the device's. */
function fitKernels(name: string, results: readonly CampaignResultForProfiles[], cells: ReadonlyMap<string, CellParams>): Fit {
  const ratios: number[] = [];
  for (const result of results) {
    const params = cells.get(result.cellId);
    const reference = params?.op === undefined ? undefined : referenceKernelGflops(params.op, params.scheme);
    const gflops = result.benchmark!.gflops;
    if (reference === undefined || !(gflops > 0)) continue;
    ratios.push(gflops / reference);
  }
  if (ratios.length === 0) throw new CampaignProfileError(`${name}: no valid kernel result of an op and scheme with a reference rate`);
  return { ...geometricFit(ratios), cells: ratios.length };
}

/** The geometric mean of the per-cell factors, and how far the worst cell is from it. */
function geometricFit(ratios: readonly number[]): { speedFactor: number; worstFitError: number } {
  const speedFactor = Math.exp(ratios.reduce((total, r) => total + Math.log(r), 0) / ratios.length);
  return { speedFactor, worstFitError: Math.max(...ratios.map((r) => Math.abs(speedFactor / r - 1))) };
}

/** Thermal slow-down seen in the sustained phase: when the median step first exceeded the first window's by 5 %. */
function thermalFrom(results: readonly CampaignResultForProfiles[]): ThermalModel | undefined {
  let found: ThermalModel | undefined;
  for (const result of results) {
    const drift = [...result.benchmark!.drift].sort((a, b) => a.offsetMs - b.offsetMs);
    if (drift.length < 2 || !(drift[0].medianMs > 0)) continue;
    const first = drift[0].medianMs;
    const hot = drift.findIndex((sample) => sample.medianMs > first * THROTTLE_THRESHOLD);
    if (hot < 0) continue;
    const after = drift.slice(hot).map((sample) => sample.medianMs / first);
    const factor = after.reduce((total, r) => total + r, 0) / after.length;
    const candidate = { throttleAfterMinutes: round(drift[hot].offsetMs / 60_000, 3), throttleFactor: round(factor, 3) };
    if (found === undefined || candidate.throttleFactor > found.throttleFactor) found = candidate;
  }
  return found;
}

function averageByKey(measurements: readonly Measurement[]): Measurement[] {
  const byKey = new Map<string, Measurement[]>();
  for (const m of measurements) byKey.set(stepKey(m.job), [...(byKey.get(stepKey(m.job)) ?? []), m]);
  return [...byKey.values()].map((group) => ({ job: group[0].job, stepMs: group.reduce((total, m) => total + m.stepMs, 0) / group.length }));
}

function p50(latencies: readonly { percentile: number; value: number }[]): number | undefined {
  return latencies.find((entry) => entry.percentile === 50)?.value;
}

function datasetOf(base: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const data = base?.data;
  if (typeof data !== 'object' || data === null) return undefined;
  const name = (data as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

function groupModel(device: CampaignResultForProfiles['device']): string {
  return device.deviceModel || device.cpuModel || `${device.platform}-${device.arch}`;
}

function profileName(groupBy: ProfileGrouping, key: string, device: CampaignResultForProfiles['device']): string {
  const source = groupBy === 'device' ? device.displayName || key : key;
  return slug(source) || 'device';
}

function uniqueName(name: string, used: Set<string>): string {
  let candidate = name;
  for (let n = 2; used.has(candidate); n += 1) candidate = `${name}-${n}`;
  used.add(candidate);
  return candidate;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|-+$/g, '')
    .slice(0, 64);
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
