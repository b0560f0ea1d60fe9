// REST shapes of a job's stored masks: the mask in force at a step (per layer, encoded), and churn + ITOP
// exploration rate per mask update with the updates that could not be rebuilt.
import { z } from 'zod';
import { restDto } from './registry.js';

const int = z.number().int();

export const MASK_ENCODING_NAMES = ['bitmap', 'indices'] as const;

export const LayerMaskDto = restDto(
  'LayerMask',
  z.strictObject({
    layer: z.string(),
    shape: z.array(int),
    /** Weights in the layer (the product of the shape). */
    size: int,
    active: int,
    density: z.number(),
    /** CRC-32 of the layer's bitmap, 8 hex digits. */
    checksum: z.string(),
    /** The smaller of the two: a bitmap (one bit per weight, LSB first) or the delta-varint list of active indices. */
    encoding: z.enum(MASK_ENCODING_NAMES),
    /** The encoded mask, base64. */
    data: z.string(),
  }),
  "One layer's mask: shape, size, active count, density, CRC-32 and the mask as base64 bitmap or delta-varint indices.",
);
export type LayerMaskDto = z.output<typeof LayerMaskDto>;

export const MaskAtDto = restDto(
  'MaskAt',
  z.strictObject({
    jobId: z.string(),
    /** The step asked for. */
    step: int,
    /** The step of the stored update in force at `step` (<= step). */
    updateStep: int,
    attempt: int,
    updateIndex: int,
    epoch: int,
    active: int,
    total: int,
    density: z.number(),
    layers: z.array(LayerMaskDto),
  }),
  'The mask of a job in force at a step: the last stored update at or before it, layer by layer.',
);
export type MaskAtDto = z.output<typeof MaskAtDto>;

export const MaskStatsEntryDto = restDto(
  'MaskStatsEntry',
  z.strictObject({
    attempt: int,
    updateIndex: int,
    step: int,
    epoch: int,
    active: int,
    total: int,
    density: z.number(),
    /** Weights pruned since the previous mask (null for the first). */
    pruned: int.nullable(),
    /** Weights grown since the previous mask (null for the first). */
    grown: int.nullable(),
    /** Fraction of the active weights that changed since the previous mask (null for the first). */
    churn: z.number().nullable(),
    /** Weights active at some update of the timeline so far (null when it was not computed). */
    everActive: int.nullable(),
    /** ITOP exploration rate: fraction of the weights ever active so far (null when it was not computed). */
    itopRate: z.number().nullable(),
    /** Bytes the update takes in the store. */
    storedBytes: int,
  }),
  'One mask update of a job: step, active count, pruned/grown, churn and ITOP exploration rate.',
);
export type MaskStatsEntryDto = z.output<typeof MaskStatsEntryDto>;

export const DivergedMaskUpdateDto = restDto(
  'DivergedMaskUpdate',
  z.strictObject({ attempt: int, updateIndex: int, step: int, reason: z.string() }),
  'A mask update that could not be rebuilt (the agent was asked for full masks).',
);
export type DivergedMaskUpdateDto = z.output<typeof DivergedMaskUpdateDto>;

export const MaskStatsDto = restDto(
  'MaskStats',
  z.strictObject({
    jobId: z.string(),
    updates: z.array(MaskStatsEntryDto),
    /** Updates that could not be rebuilt. */
    diverged: z.array(DivergedMaskUpdateDto),
    /** Bytes all of the job's mask updates take in the store. */
    storedBytes: int,
  }),
  'Per mask update of a job: churn and ITOP exploration rate; the updates that diverged; bytes stored.',
);
export type MaskStatsDto = z.output<typeof MaskStatsDto>;
