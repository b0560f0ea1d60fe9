// Devices → their REST DTOs. Facts and telemetry are copied field by field from the wire shapes: REST says
// `loadAverage1m` where the generated code says `loadAverage_1m`.
import type { DeviceFacts, Telemetry } from '../../../../protocol/src/index.js';
import type { DeviceCapabilities, DeviceView } from '../../devices/device-view.js';
import type { TelemetrySample } from '../../devices/device.service.js';
import type { JobView } from '../../jobs/job.service.js';
import type {
  DeviceCapabilitiesDto,
  DeviceDetailDto,
  DeviceDto,
  DeviceFactsDto,
  DeviceListEntryDto,
  TelemetryDto,
  TelemetrySampleDto,
} from '../dto/device.dto.js';
import { toJobDto } from './job.mapping.js';

export function toTelemetryDto(telemetry: Telemetry): TelemetryDto {
  return {
    freeMemoryBytes: telemetry.freeMemoryBytes,
    rssBytes: telemetry.rssBytes,
    loadAverage1m: telemetry.loadAverage_1m,
    temperatureCelsius: telemetry.temperatureCelsius,
    batteryLevel: telemetry.batteryLevel,
    charging: telemetry.charging,
    visibility: telemetry.visibility || null,
    thermalState: telemetry.thermalState || null,
  };
}

export function toDeviceFactsDto(facts: DeviceFacts): DeviceFactsDto {
  return {
    platform: facts.platform,
    arch: facts.arch,
    cpuModel: facts.cpuModel,
    cores: facts.cores,
    memoryBytes: facts.memoryBytes,
    backendsAvailable: [...facts.backendsAvailable],
    wasmSimd: facts.wasmSimd,
    wasmThreads: facts.wasmThreads,
    deviceModel: facts.deviceModel,
    agentVersion: facts.agentVersion,
    chosenBackend: facts.chosenBackend,
    runtime: facts.runtime,
    labels: { ...facts.labels },
  };
}

function toCapabilitiesDto(capabilities: DeviceCapabilities): DeviceCapabilitiesDto {
  return {
    backends: [...capabilities.backends],
    chosenBackend: capabilities.chosenBackend,
    wasmSimd: capabilities.wasmSimd,
    wasmThreads: capabilities.wasmThreads,
    cores: capabilities.cores,
    memoryBytes: capabilities.memoryBytes,
    platform: capabilities.platform,
    arch: capabilities.arch,
    runtime: capabilities.runtime,
  };
}

export function toDeviceDto(device: DeviceView): DeviceDto {
  return {
    id: device.id,
    displayName: device.displayName,
    state: device.state,
    chosenBackend: device.chosenBackend,
    facts: toDeviceFactsDto(device.facts),
    capabilities: toCapabilitiesDto(device.capabilities),
    labels: { ...device.labels },
    effectiveLabels: { ...device.effectiveLabels },
    telemetry: device.telemetry ? toTelemetryDto(device.telemetry) : null,
    availableMemoryBytes: device.availableMemoryBytes,
    onlineUntil: device.onlineUntil,
    lastSeen: device.lastSeen,
    createdAt: device.createdAt,
    revokedAt: device.revokedAt,
    enrollmentTokenId: device.enrollmentTokenId,
  };
}

export function toDeviceListEntryDto(device: DeviceView, currentJobId: string | null): DeviceListEntryDto {
  return { ...toDeviceDto(device), currentJobId };
}

export function toTelemetrySampleDto(sample: TelemetrySample): TelemetrySampleDto {
  return { recordedAt: sample.recordedAt, telemetry: toTelemetryDto(sample.telemetry) };
}

export function toDeviceDetailDto(
  device: DeviceView,
  telemetryHistory: readonly TelemetrySample[],
  currentJob: JobView | null,
): DeviceDetailDto {
  return {
    ...toDeviceDto(device),
    telemetryHistory: telemetryHistory.map(toTelemetrySampleDto),
    currentJob: currentJob ? toJobDto(currentJob) : null,
  };
}
