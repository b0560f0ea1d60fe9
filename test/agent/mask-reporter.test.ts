// Which mask events become MaskUpdateChunk reports, under which index, in full or as changes.
import { describe, expect, it } from 'vitest';
import { MaskReporter } from '../../client/src/agent/mask-reporter.js';
import { linearShape } from '../../client/src/engine/sparse/types.js';
import type { MaskEvent, MaskEventKind } from '../../client/src/engine/train/types.js';
import {
  LayerMaskForm,
  MaskReportCadence,
  decodeMaskUpdate,
  joinBodyChunks,
  reconstructLayerMask,
  type MaskUpdate,
  type MaskUpdateChunk,
} from '../../protocol/src/index.js';

const SIZE = 400;

/** A 5 %-dense mask (every 20th weight) with its first `moved` active weights moved one place on. */
function mask(moved: number): Uint8Array {
  const bits = new Uint8Array(SIZE);
  for (let i = 0; i < 20; i++) bits[i * 20 + (i < moved ? 1 : 0)] = 1;
  return bits;
}

function event(kind: MaskEventKind, updates: number, step: number, shift: number): MaskEvent {
  return { kind, updates, step, epoch: 0, layers: [{ name: 'fc1', shape: linearShape(20, 20), mask: mask(shift) }] };
}

function decode(chunks: MaskUpdateChunk[]): MaskUpdate | undefined {
  return chunks.length === 0 ? undefined : decodeMaskUpdate(joinBodyChunks(chunks));
}

function reporter(cadence: MaskReportCadence, fullEvery = 3): MaskReporter {
  return new MaskReporter({ jobId: 'job', attempt: 1, reporting: { cadence, fullEvery } });
}

describe('MaskReporter', () => {
  it("'every' sends the initial masks in full, each update, full every K, and a changed final", () => {
    const sut = reporter(MaskReportCadence.MASK_REPORT_CADENCE_EVERY);
    const sent = [
      event('initial', 0, 0, 0),
      event('update', 1, 10, 1),
      event('update', 2, 20, 2),
      event('update', 3, 30, 3),
      event('update', 4, 40, 4),
      event('final', 4, 50, 4),
    ].map((e) => decode(sut.onEvent(e)));
    expect(sent.map((u) => u?.updateIndex)).toEqual([0, 1, 2, 3, 4, undefined]);
    expect(sent.map((u) => u?.layers[0].form)).toEqual([
      LayerMaskForm.LAYER_MASK_FORM_INDICES,
      LayerMaskForm.LAYER_MASK_FORM_DELTA,
      LayerMaskForm.LAYER_MASK_FORM_DELTA,
      LayerMaskForm.LAYER_MASK_FORM_INDICES, // 3 % K = 0
      LayerMaskForm.LAYER_MASK_FORM_DELTA,
      undefined,
    ]);
    // Each rebuilds from the previous one.
    let previous: Uint8Array | undefined;
    sent.slice(0, 5).forEach((update, i) => {
      previous = reconstructLayerMask(update!.layers[0], previous);
      expect(previous).toEqual(mask(i));
    });
    // A training-end hook that changed the masks: sent under the next free index.
    expect(decode(sut.onEvent(event('final', 4, 50, 9)))?.updateIndex).toBe(5);
  });

  it("'final' sends the initial and the final masks only; 'off' and unset send nothing", () => {
    const sut = reporter(MaskReportCadence.MASK_REPORT_CADENCE_FINAL);
    const sent = [event('initial', 0, 0, 0), event('update', 1, 10, 1), event('update', 2, 20, 2), event('final', 2, 30, 2)].map((e) =>
      decode(sut.onEvent(e)),
    );
    expect(sent.map((u) => u?.updateIndex)).toEqual([0, undefined, undefined, 2]);
    expect(reconstructLayerMask(sent[3]!.layers[0], mask(0))).toEqual(mask(2));
    for (const off of [reporter(MaskReportCadence.MASK_REPORT_CADENCE_OFF), new MaskReporter({ jobId: 'j', attempt: 1, reporting: undefined })]) {
      expect(off.enabled).toBe(false);
      expect(off.onEvent(event('initial', 0, 0, 0))).toEqual([]);
    }
  });

  it('sends the next update in full after the coordinator asked, and a resumed attempt starts in full', () => {
    const sut = reporter(MaskReportCadence.MASK_REPORT_CADENCE_EVERY, 100);
    sut.onEvent(event('initial', 0, 0, 0));
    sut.requestFullMasks();
    expect(decode(sut.onEvent(event('update', 1, 10, 1)))?.layers[0].form).toBe(LayerMaskForm.LAYER_MASK_FORM_INDICES);
    expect(decode(sut.onEvent(event('update', 2, 20, 2)))?.layers[0].form).toBe(LayerMaskForm.LAYER_MASK_FORM_DELTA);

    const resumed = new MaskReporter({ jobId: 'job', attempt: 2, reporting: { cadence: MaskReportCadence.MASK_REPORT_CADENCE_EVERY, fullEvery: 100 } });
    const first = resumed.onEvent(event('initial', 7, 70, 7));
    expect(first[0].attempt).toBe(2);
    expect(decode(first)).toMatchObject({ updateIndex: 7, step: 70 });
    expect(decode(first)?.layers[0].form).toBe(LayerMaskForm.LAYER_MASK_FORM_INDICES);
  });
});
