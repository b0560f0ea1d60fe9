// Which devices may run a job: the operator's selector (labels, backend, minimum memory) plus the memory the job
// itself is estimated to need. Pure: the assignment feeds it candidates and gets a device or a precise reason.
import { z } from 'zod';
import { BACKEND_NAMES } from '../../../client/src/engine/spec.js';
import type { DeviceView, PresentDevice } from '../devices/device-view.js';
import { describeLabels, labelsMatch, labelsSchema, type Labels } from '../devices/labels.js';

export const jobSelectorSchema = z
  .object({
    labels: labelsSchema.optional(),
    backend: z.enum(BACKEND_NAMES, { error: () => `must be one of ${BACKEND_NAMES.join(', ')}` }).optional(),
    minMemoryMb: z.number().int('must be an integer').gte(1, 'must be >= 1').lte(16 * 1024 * 1024, 'is too large').optional(),
    /** Pins the job to one device (benchmark campaigns measure each cell on chosen devices). */
    deviceId: z.string().min(1, 'must not be empty').max(200, 'is too long').optional(),
  })
  .strict();

export type JobSelector = z.output<typeof jobSelectorSchema>;

const MIB = 1024 * 1024;
/**
 * Headroom between a job's estimate and the memory a device must have free: the estimate covers the job's own
 * tensors and buffers, not the runtime (Node or the browser, tfjs, the wasm heap) nor allocator slack, so a device
 * needs 25% more than the estimate plus a fixed 64 MiB.
 */
export const MEMORY_HEADROOM_FACTOR = 1.25;
export const MEMORY_HEADROOM_FIXED_BYTES = 64 * MIB;

export interface JobRequirements {
  readonly labels: Labels;
  /** A backend the device must have among its available backends. */
  readonly backend?: string;
  /** Free memory the device must have (bytes): max(selector minimum, estimate with headroom). */
  readonly memoryBytes: number;
  /** The one device allowed to run the job (a pinned job). */
  readonly deviceId?: string;
}

export function requirementsOf(selector: JobSelector, estimateTotalBytes: number, configBackend?: string): JobRequirements {
  const fromEstimate = Math.ceil(estimateTotalBytes * MEMORY_HEADROOM_FACTOR) + MEMORY_HEADROOM_FIXED_BYTES;
  return {
    labels: selector.labels ?? {},
    backend: selector.backend ?? configBackend,
    memoryBytes: Math.max((selector.minMemoryMb ?? 0) * MIB, estimateTotalBytes > 0 ? fromEstimate : 0),
    ...(selector.deviceId === undefined ? {} : { deviceId: selector.deviceId }),
  };
}

/** A device as matching sees it (the devices module decodes it from the stored row). */
export type MatchCandidate = PresentDevice;

/** A device as matching sees it: idle or not, labels, backends, free memory. */
export function matchCandidateOf(device: DeviceView): MatchCandidate {
  return {
    id: device.id,
    idle: device.state === 'online',
    labels: device.effectiveLabels,
    backends: device.capabilities.backends,
    availableMemoryBytes: device.availableMemoryBytes,
  };
}

export type MatchOutcome = { readonly deviceId: string } | { readonly waitingReason: string };

export interface MatchContext {
  /** Devices already given a job in this assignment run. */
  readonly taken: ReadonlySet<string>;
  /** Devices that refused this job before. */
  readonly refused: ReadonlySet<string>;
  /** The device of the last abandoned attempt: chosen only when no other device fits. */
  readonly previousDeviceId: string | null;
}

export const NO_ONLINE_DEVICE = 'no online device';

export function fits(requirements: JobRequirements, candidate: MatchCandidate): boolean {
  return (
    (requirements.deviceId === undefined || requirements.deviceId === candidate.id) &&
    labelsMatch(requirements.labels, candidate.labels) &&
    (requirements.backend === undefined || candidate.backends.includes(requirements.backend)) &&
    candidate.availableMemoryBytes >= requirements.memoryBytes
  );
}

/** Picks an idle fitting device, or says precisely why the job waits. `online` are the devices present now. */
export function matchJob(requirements: JobRequirements, online: readonly MatchCandidate[], context: MatchContext): MatchOutcome {
  if (online.length === 0) return { waitingReason: NO_ONLINE_DEVICE };
  const matching = online.filter((candidate) => fits(requirements, candidate));
  if (matching.length === 0) return { waitingReason: `no online device with ${describeRequirements(requirements)}` };
  const available = matching.filter((c) => c.idle && !context.taken.has(c.id) && !context.refused.has(c.id));
  const chosen = available.find((c) => c.id !== context.previousDeviceId) ?? available[0];
  if (chosen) return { deviceId: chosen.id };
  const refused = matching.filter((c) => context.refused.has(c.id)).length;
  const busy = matching.length - refused;
  const parts: string[] = [];
  if (busy > 0) parts.push(`${busy} matching ${busy === 1 ? 'device' : 'devices'} busy`);
  if (refused > 0) parts.push(`${refused} matching ${refused === 1 ? 'device' : 'devices'} refused this job`);
  return { waitingReason: parts.join(', ') };
}

/** "label site=lab, ≥ 512 MB free and backend wasm" */
export function describeRequirements(requirements: JobRequirements): string {
  const parts = requirements.deviceId === undefined ? [] : [`id ${requirements.deviceId}`];
  parts.push(...describeLabels(requirements.labels));
  if (requirements.memoryBytes > 0) parts.push(`≥ ${Math.ceil(requirements.memoryBytes / MIB)} MB free`);
  if (requirements.backend) parts.push(`backend ${requirements.backend}`);
  if (parts.length <= 1) return parts[0] ?? 'the required capabilities';
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}
