// Turns the engine's mask events of one job attempt into MaskUpdateChunk reports, as the job's MaskReporting asks:
//   - 'every': the initial masks (update 0 of a fresh run, or the restored masks of a resumed attempt) and every
//     mask update, plus the final masks when the method's training-end hook changed them;
//   - 'final': the initial masks and the final ones;
//   - 'off' (or unset): nothing.
// An update is sent in full at the attempt's first report, when its index is a multiple of K (`full_every`) and
// after the coordinator asked for full masks (it could not follow a delta); otherwise each layer goes as the
// change since the previously sent masks or in full, whichever is smaller.
import {
  DEFAULT_FULL_MASK_EVERY,
  MaskReportCadence,
  fullLayerMask,
  layerMaskMessage,
  maskUpdateChunks,
  type LayerMaskInput,
  type MaskReporting,
  type MaskUpdate,
  type MaskUpdateChunk,
} from '../../../protocol/src/index.js';
import type { MaskEvent } from '../engine/train/types.js';

export interface MaskReporterOptions {
  readonly jobId: string;
  readonly attempt: number;
  readonly reporting: MaskReporting | undefined;
  /** Piece size of the encoded update (default 512 KiB, at most 1 MiB). */
  readonly chunkBytes?: number;
}

export function reportsMasks(reporting: MaskReporting | undefined): boolean {
  const cadence = reporting?.cadence ?? MaskReportCadence.MASK_REPORT_CADENCE_UNSPECIFIED;
  return cadence === MaskReportCadence.MASK_REPORT_CADENCE_EVERY || cadence === MaskReportCadence.MASK_REPORT_CADENCE_FINAL;
}

export class MaskReporter {
  private readonly cadence: MaskReportCadence;
  private readonly fullEvery: number;
  /** The masks of the last update sent, by layer: the base of the next change. */
  private sent: Map<string, Uint8Array> | undefined;
  private lastIndex = -1;
  private fullRequested = false;

  constructor(private readonly options: MaskReporterOptions) {
    this.cadence = options.reporting?.cadence ?? MaskReportCadence.MASK_REPORT_CADENCE_UNSPECIFIED;
    this.fullEvery = options.reporting?.fullEvery || DEFAULT_FULL_MASK_EVERY;
  }

  get enabled(): boolean {
    return reportsMasks(this.options.reporting);
  }

  /** The coordinator could not rebuild a change: the next update carries every layer in full. */
  requestFullMasks(): void {
    this.fullRequested = true;
  }

  /** The chunks to send for this event, in order (none when the cadence skips it). */
  onEvent(event: MaskEvent): MaskUpdateChunk[] {
    const index = this.indexFor(event);
    if (index === undefined) return [];
    const full = this.sent === undefined || this.fullRequested || index % this.fullEvery === 0;
    const layers = event.layers.map((layer) => {
      const input: LayerMaskInput = { name: layer.name, shape: [layer.shape.out, layer.shape.in, layer.shape.kh, layer.shape.kw], mask: layer.mask };
      return full ? fullLayerMask(input) : layerMaskMessage(input, this.sent?.get(layer.name));
    });
    const update: MaskUpdate = { updateIndex: index, step: event.step, epoch: event.epoch, layers };
    this.sent = new Map(event.layers.map((layer) => [layer.name, layer.mask]));
    this.lastIndex = index;
    this.fullRequested = false;
    return maskUpdateChunks({ jobId: this.options.jobId, attempt: this.options.attempt }, update, this.options.chunkBytes);
  }

  /** The update index this event is sent under, or undefined when the cadence (or an unchanged mask) skips it. */
  private indexFor(event: MaskEvent): number | undefined {
    if (!this.enabled) return undefined;
    if (this.sent === undefined) return event.kind === 'initial' ? event.updates : undefined;
    if (event.kind === 'update') return this.cadence === MaskReportCadence.MASK_REPORT_CADENCE_EVERY ? event.updates : undefined;
    if (event.kind !== 'final' || this.unchanged(event)) return undefined;
    // A training-end hook may change the masks without counting an update: the next index is then free.
    return Math.max(event.updates, this.lastIndex + 1);
  }

  private unchanged(event: MaskEvent): boolean {
    return event.layers.every((layer) => {
      const sent = this.sent?.get(layer.name);
      if (sent === undefined || sent.length !== layer.mask.length) return false;
      for (let i = 0; i < sent.length; i++) if (sent[i] !== layer.mask[i]) return false;
      return true;
    });
  }
}
