// Campaigns → their REST DTOs: the summary, the whole campaign with its cells, devices and results, and the spec as
// normalised at start.
import type { CellParams } from '../../campaigns/campaign-matrix.js';
import type { CampaignSpec } from '../../campaigns/campaign-spec.js';
import type {
  CampaignResultView,
  CampaignSummary,
  CampaignView,
  CellJobStatus,
  CellStatus,
  DeviceSnapshot,
  DeviceStatus,
  JobCounts,
} from '../../campaigns/campaign-views.js';
import type {
  CampaignDto,
  CampaignResultDto,
  CampaignSpecDto,
  CampaignSummaryDto,
  CellJobStatusDto,
  CellParamsDto,
  CellStatusDto,
  DeviceSnapshotDto,
  DeviceStatusDto,
  JobCountsDto,
} from '../dto/campaign.dto.js';
import { toBenchmarkResultDto } from './benchmark.mapping.js';

export function toJobCountsDto(counts: JobCounts): JobCountsDto {
  return {
    queued: counts.queued,
    assigned: counts.assigned,
    running: counts.running,
    succeeded: counts.succeeded,
    failed: counts.failed,
    cancelled: counts.cancelled,
    total: counts.total,
  };
}

export function toCampaignSummaryDto(summary: CampaignSummary): CampaignSummaryDto {
  return {
    id: summary.id,
    name: summary.name,
    measure: summary.measure,
    state: summary.state,
    placement: summary.placement,
    cellCount: summary.cellCount,
    counts: toJobCountsDto(summary.counts),
    createdAt: summary.createdAt,
    updatedAt: summary.updatedAt,
    finishedAt: summary.finishedAt,
  };
}

export function toCampaignDto(view: CampaignView): CampaignDto {
  return {
    ...toCampaignSummaryDto(view),
    spec: toCampaignSpecDto(view.spec),
    devices: view.devices.map((device) => ({ id: device.id, displayName: device.displayName })),
    cells: view.cells.map(toCellStatusDto),
    perDevice: view.perDevice.map(toDeviceStatusDto),
    results: view.results.map(toCampaignResultDto),
  };
}

export function toCampaignSpecDto(spec: CampaignSpec): CampaignSpecDto {
  const { matrix, devices, runRules } = spec;
  return {
    name: spec.name,
    measure: spec.measure,
    matrix: {
      model: matrix.model ? [...matrix.model] : undefined,
      method: matrix.method ? [...matrix.method] : undefined,
      scheme: matrix.scheme ? [...matrix.scheme] : undefined,
      density: [...matrix.density],
      batchSize: matrix.batchSize ? [...matrix.batchSize] : undefined,
      backend: matrix.backend ? [...matrix.backend] : undefined,
      op: matrix.op ? [...matrix.op] : undefined,
      shape: matrix.shape ? matrix.shape.map((shape) => [...shape]) : undefined,
    },
    base: spec.base,
    devices: {
      selector: {
        labels: devices.selector.labels ? { ...devices.selector.labels } : undefined,
        backend: devices.selector.backend,
        minMemoryMb: devices.selector.minMemoryMb,
      },
      placement: devices.placement,
      count: devices.count,
    },
    runRules: {
      warmupIterations: runRules.warmupIterations,
      minIterations: runRules.minIterations,
      minDurationMs: runRules.minDurationMs,
      percentiles: [...runRules.percentiles],
      cooldownMs: runRules.cooldownMs,
      sustained: runRules.sustained ? { durationMs: runRules.sustained.durationMs, windowMs: runRules.sustained.windowMs } : undefined,
    },
    maxAttempts: spec.maxAttempts,
    report: spec.report ? { masks: spec.report.masks, fullMaskEvery: spec.report.fullMaskEvery } : undefined,
  };
}

function toCellParamsDto(params: CellParams): CellParamsDto {
  return {
    measure: params.measure,
    op: params.op,
    shape: params.shape ? [...params.shape] : undefined,
    model: params.model,
    method: params.method,
    scheme: params.scheme,
    density: params.density,
    batchSize: params.batchSize,
    backend: params.backend,
  };
}

function toCellJobStatusDto(job: CellJobStatus): CellJobStatusDto {
  return {
    jobId: job.jobId,
    deviceId: job.deviceId,
    state: job.state,
    attempt: job.attempt,
    waitingReason: job.waitingReason,
    progress: job.progress ? { step: job.progress.step, totalSteps: job.progress.totalSteps } : undefined,
    valid: job.valid,
  };
}

function toCellStatusDto(cell: CellStatus): CellStatusDto {
  return {
    id: cell.id,
    label: cell.label,
    params: toCellParamsDto(cell.params),
    counts: toJobCountsDto(cell.counts),
    jobs: cell.jobs.map(toCellJobStatusDto),
  };
}

function toDeviceStatusDto(device: DeviceStatus): DeviceStatusDto {
  return { id: device.id, displayName: device.displayName, counts: toJobCountsDto(device.counts), runningCell: device.runningCell };
}

function toDeviceSnapshotDto(device: DeviceSnapshot): DeviceSnapshotDto {
  return {
    id: device.id,
    displayName: device.displayName,
    platform: device.platform,
    arch: device.arch,
    cpuModel: device.cpuModel,
    deviceModel: device.deviceModel,
    cores: device.cores,
    memoryBytes: device.memoryBytes,
    chosenBackend: device.chosenBackend,
    wasmSimd: device.wasmSimd,
    wasmThreads: device.wasmThreads,
    runtime: device.runtime,
    agentVersion: device.agentVersion,
  };
}

export function toCampaignResultDto(result: CampaignResultView): CampaignResultDto {
  return {
    cellId: result.cellId,
    jobId: result.jobId,
    deviceId: result.deviceId,
    attempt: result.attempt,
    jobState: result.jobState,
    valid: result.valid,
    reasons: [...result.reasons],
    benchmark: result.benchmark ? toBenchmarkResultDto(result.benchmark) : null,
    device: toDeviceSnapshotDto(result.device),
    error: result.error,
    recordedAt: result.recordedAt,
  };
}
