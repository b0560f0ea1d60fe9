// REST shapes of devices: facts, capabilities, labels, state, latest telemetry; the list entry with the job a device
// holds, the detail with its telemetry history; and the request bodies of the device routes. Telemetry says
// `loadAverage1m` (the wire's JavaScript name is `loadAverage_1m`).
import { z } from 'zod';
import { labelsSchema } from '../../devices/labels.js';
import { LabelsDto, Timestamp } from './common.dto.js';
import { JobDto } from './job.dto.js';
import { restDto } from './registry.js';

const int = z.number().int();

export const DEVICE_STATE_NAMES = ['online', 'offline', 'busy'] as const;
export const DeviceStateDto = z.enum(DEVICE_STATE_NAMES);
export type DeviceStateDto = z.output<typeof DeviceStateDto>;

export const DeviceFactsDto = restDto(
  'DeviceFacts',
  z.strictObject({
    /** "linux", "darwin", "android", "browser". */
    platform: z.string(),
    arch: z.string(),
    cpuModel: z.string(),
    cores: int,
    memoryBytes: int,
    backendsAvailable: z.array(z.string()),
    wasmSimd: z.boolean(),
    wasmThreads: z.boolean(),
    deviceModel: z.string(),
    agentVersion: z.string(),
    chosenBackend: z.string(),
    runtime: z.string(),
    /** Labels the agent reports about itself. */
    labels: LabelsDto,
  }),
  'The hardware facts a device reported when it last said hello.',
);
export type DeviceFactsDto = z.output<typeof DeviceFactsDto>;

export const TelemetryDto = restDto(
  'Telemetry',
  z.strictObject({
    freeMemoryBytes: int,
    rssBytes: int,
    loadAverage1m: z.number(),
    /** Negative when the platform does not expose it. */
    temperatureCelsius: z.number(),
    /** 0..1, negative when unknown. */
    batteryLevel: z.number(),
    charging: z.boolean(),
    /** Browser agents: whether the page is 'visible' or 'hidden'; null for agents without a page. */
    visibility: z.string().nullable(),
    /** 'nominal' | 'fair' | 'serious' | 'critical' where the host exposes it (Compute Pressure API); else null. */
    thermalState: z.string().nullable(),
  }),
  'What a heartbeat reported. Negative temperature or battery level: unknown; null visibility or thermal state: not reported.',
);
export type TelemetryDto = z.output<typeof TelemetryDto>;

export const DeviceCapabilitiesDto = restDto(
  'DeviceCapabilities',
  z.strictObject({
    backends: z.array(z.string()),
    chosenBackend: z.string(),
    wasmSimd: z.boolean(),
    wasmThreads: z.boolean(),
    cores: int,
    memoryBytes: int,
    platform: z.string(),
    arch: z.string(),
    runtime: z.string(),
  }),
);
export type DeviceCapabilitiesDto = z.output<typeof DeviceCapabilitiesDto>;

export const DeviceDto = restDto(
  'Device',
  z.strictObject({
    id: z.string(),
    displayName: z.string(),
    state: DeviceStateDto,
    chosenBackend: z.string(),
    facts: DeviceFactsDto,
    capabilities: DeviceCapabilitiesDto,
    /** Operator labels (from the enrollment token and PUT /api/devices/:id/labels). */
    labels: LabelsDto,
    /** Operator labels over the labels the agent reports: what job selectors match. */
    effectiveLabels: LabelsDto,
    telemetry: TelemetryDto.nullable(),
    /** min(facts memory, latest free memory): the memory a job may count on before headroom. */
    availableMemoryBytes: int,
    onlineUntil: Timestamp.nullable(),
    lastSeen: Timestamp.nullable(),
    createdAt: Timestamp,
    revokedAt: Timestamp.nullable(),
    enrollmentTokenId: z.string().nullable(),
  }),
  'A registered device: facts, capabilities, labels, state and latest telemetry.',
);
export type DeviceDto = z.output<typeof DeviceDto>;

export const DeviceListEntryDto = restDto(
  'DeviceListEntry',
  DeviceDto.extend({
    /** The job the device holds now (assigned or running), if any. */
    currentJobId: z.string().nullable(),
  }),
  'A device in the fleet list, with the id of the job it holds now.',
);
export type DeviceListEntryDto = z.output<typeof DeviceListEntryDto>;

export const TelemetrySampleDto = restDto('TelemetrySample', z.strictObject({ recordedAt: Timestamp, telemetry: TelemetryDto }));
export type TelemetrySampleDto = z.output<typeof TelemetrySampleDto>;

export const DeviceDetailDto = restDto(
  'DeviceDetail',
  DeviceDto.extend({
    /** Newest first. */
    telemetryHistory: z.array(TelemetrySampleDto),
    /** The job the device holds now (assigned or running), if any. */
    currentJob: JobDto.nullable(),
  }),
  'One device with its telemetry history (newest first) and the job it holds now.',
);
export type DeviceDetailDto = z.output<typeof DeviceDetailDto>;

/** PUT /api/devices/:id/labels. */
export const deviceLabelsBodySchema = z.strictObject({ labels: labelsSchema });
export type DeviceLabelsBody = z.output<typeof deviceLabelsBodySchema>;

/** POST /api/devices/:id/reclaim (the body may be left out). */
export const reclaimDeviceBodySchema = z.strictObject({
  ttlSeconds: z.number().int('must be an integer').min(60, 'must be >= 60').max(7 * 24 * 3600, 'must be <= 7 days').optional(),
});
export type ReclaimDeviceBody = z.output<typeof reclaimDeviceBodySchema>;
