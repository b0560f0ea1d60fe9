// A job's stored masks → their REST DTOs, field by field, so the masks module's views can change without REST
// clients seeing it.
import type { LayerMaskView, MaskAtView, MaskStatsEntry, MaskStatsView } from '../../masks/mask.service.js';
import type { DivergedMaskUpdateDto, LayerMaskDto, MaskAtDto, MaskStatsDto, MaskStatsEntryDto } from '../dto/mask.dto.js';

export function toMaskAtDto(view: MaskAtView): MaskAtDto {
  return {
    jobId: view.jobId,
    step: view.step,
    updateStep: view.updateStep,
    attempt: view.attempt,
    updateIndex: view.updateIndex,
    epoch: view.epoch,
    active: view.active,
    total: view.total,
    density: view.density,
    layers: view.layers.map(toLayerMaskDto),
  };
}

function toLayerMaskDto(layer: LayerMaskView): LayerMaskDto {
  return {
    layer: layer.layer,
    shape: [...layer.shape],
    size: layer.size,
    active: layer.active,
    density: layer.density,
    checksum: layer.checksum,
    encoding: layer.encoding,
    data: layer.data,
  };
}

export function toMaskStatsDto(view: MaskStatsView): MaskStatsDto {
  return {
    jobId: view.jobId,
    updates: view.updates.map(toMaskStatsEntryDto),
    diverged: view.diverged.map(toDivergedMaskUpdateDto),
    storedBytes: view.storedBytes,
  };
}

function toMaskStatsEntryDto(entry: MaskStatsEntry): MaskStatsEntryDto {
  return {
    attempt: entry.attempt,
    updateIndex: entry.updateIndex,
    step: entry.step,
    epoch: entry.epoch,
    active: entry.active,
    total: entry.total,
    density: entry.density,
    pruned: entry.pruned,
    grown: entry.grown,
    churn: entry.churn,
    everActive: entry.everActive,
    itopRate: entry.itopRate,
    storedBytes: entry.storedBytes,
  };
}

function toDivergedMaskUpdateDto(diverged: MaskStatsView['diverged'][number]): DivergedMaskUpdateDto {
  return { attempt: diverged.attempt, updateIndex: diverged.updateIndex, step: diverged.step, reason: diverged.reason };
}
