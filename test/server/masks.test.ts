// The coordinator's mask store over a real SQLite database: idempotent pieces, conflicts, reconstruction with
// checksums (and what happens when it diverges), step lookups across attempts, and churn / ITOP on a hand-made
// sequence whose values are worked out below.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseTrainConfig } from '../../client/src/engine/train/config.js';
import { trainConfigToJobSpec } from '../../client/src/engine/train/job-spec.js';
import {
  ErrorCode,
  LayerMaskForm,
  ProtocolFault,
  decodeFullMask,
  encodeIndexList,
  fullLayerMask,
  maskChange,
  maskChecksum,
  maskUpdateChunks,
  type LayerMask,
  type MaskUpdateAck,
  type MaskUpdateChunk,
} from '../../protocol/src/index.js';
import { MaskAtDto, MaskStatsDto } from '../../server/src/api/dto/index.js';
import { JobService } from '../../server/src/jobs/job.service.js';
import { MaskController } from '../../server/src/api/mask.controller.js';
import { MaskRepository } from '../../server/src/masks/mask.repository.js';
import { MaskLookupError, MaskService } from '../../server/src/masks/mask.service.js';
import { DatabaseService } from '../../server/src/storage/database.service.js';
import { parseDto } from './support/rest-dto.js';
import { createServiceHarness, type ServiceHarness } from './support/service-harness.js';

const bits = (text: string) => Uint8Array.from([...text].map((c) => (c === '1' ? 1 : 0)));
const SHAPES: Record<string, number[]> = { a: [2, 4, 1, 1], b: [1, 4, 1, 1] };

function full(layer: string, mask: string): LayerMask {
  return fullLayerMask({ name: layer, shape: SHAPES[layer], mask: bits(mask) });
}

/** A DELTA layer whatever its size (the agent sends one only when it is smaller; these layers are tiny). */
function delta(layer: string, before: string, after: string): LayerMask {
  const change = maskChange(bits(before), bits(after));
  const { size, active, checksum, shape } = full(layer, after);
  return { layer, shape, size, active, checksum, form: LayerMaskForm.LAYER_MASK_FORM_DELTA, data: new Uint8Array(0), pruned: encodeIndexList(change.pruned), grown: encodeIndexList(change.grown) };
}

describe('MaskService', () => {
  let harness: ServiceHarness;
  let masks: MaskService;
  let jobId: string;

  beforeEach(async () => {
    harness = await createServiceHarness();
    masks = new MaskService(new MaskRepository(harness.get(DatabaseService)));
    const spec = trainConfigToJobSpec(parseTrainConfig({ model: 'mlp', method: 'set', density: 0.2, data: { name: 'synthetic' } }));
    jobId = (await harness.get(JobService).submit(spec, 'masks')).id;
  });

  afterEach(async () => {
    await harness.close();
  });

  async function send(attempt: number, updateIndex: number, step: number, layers: LayerMask[], chunkBytes?: number): Promise<MaskUpdateAck[]> {
    const chunks = maskUpdateChunks({ jobId, attempt }, { updateIndex, step, epoch: 0, layers }, chunkBytes);
    const acks: MaskUpdateAck[] = [];
    for (const chunk of chunks) acks.push(await masks.applyChunk(chunk));
    return acks;
  }

  async function maskStrings(step: number): Promise<Record<string, string>> {
    const view = await masks.maskAt(jobId, step);
    return Object.fromEntries(view.layers.map((l) => [l.layer, [...decodeFullMask({ encoding: l.encoding, data: Buffer.from(l.data, 'base64') }, l.size)].join('')]));
  }

  it('computes churn and ITOP exactly on a hand-made sequence, across a resumed attempt', async () => {
    // Attempt 1: update 0 at step 0, then changes at steps 10 and 20, then one at step 30 that attempt 2 replaces.
    await send(1, 0, 0, [full('a', '11000000'), full('b', '1000')]);
    await send(1, 1, 10, [delta('a', '11000000', '10100000'), delta('b', '1000', '0100')]);
    await send(1, 2, 20, [delta('a', '10100000', '00110000'), full('b', '0100')]);
    await send(1, 3, 30, [delta('a', '00110000', '00001100'), full('b', '0100')]);
    // Attempt 2 resumed from a checkpoint at step 25 (after update 2): the restored masks, in full, then one update.
    await send(2, 2, 25, [full('a', '00110000'), full('b', '0100')]);
    await send(2, 3, 35, [delta('a', '00110000', '00100001'), delta('b', '0100', '0010')]);

    const stats = await masks.stats(jobId);
    // Attempt 1's update 3 (step 30 >= 25) is not on the timeline.
    expect(stats.updates.map((u) => [u.attempt, u.updateIndex, u.step])).toEqual([
      [1, 0, 0],
      [1, 1, 10],
      [1, 2, 20],
      [2, 2, 25],
      [2, 3, 35],
    ]);
    // 12 weights, 3 active throughout.
    //   u0: first mask: no churn; ever active a{0,1} b{0} = 3 → 3/12.
    //   u1: a pruned {1} grown {2}, b pruned {0} grown {1}: 4 changes / (3 + 3) = 2/3; ever a{0,1,2} b{0,1} = 5/12.
    //   u2: a pruned {0} grown {3}: 2 / 6 = 1/3; ever a{0,1,2,3} b{0,1} = 6/12.
    //   attempt 2 u2: same masks as attempt 1's u2: churn 0; ever unchanged (attempt 1's u3 at step 30 does not count).
    //   u3: a pruned {3} grown {7}, b pruned {1} grown {2}: 4 / 6 = 2/3; ever a{0,1,2,3,7} b{0,1,2} = 8/12.
    expect(stats.updates.map((u) => u.churn)).toEqual([null, 4 / 6, 2 / 6, 0, 4 / 6]);
    expect(stats.updates.map((u) => u.itopRate)).toEqual([3 / 12, 5 / 12, 6 / 12, 6 / 12, 8 / 12]);
    expect(stats.updates.map((u) => [u.pruned, u.grown])).toEqual([[null, null], [2, 2], [1, 1], [0, 0], [2, 2]]);
    expect(stats.updates.every((u) => u.active === 3 && u.total === 12 && u.density === 0.25)).toBe(true);
    expect(stats.diverged).toEqual([]);

    // The mask in force at a step: the last timeline update at or before it.
    expect(await maskStrings(0)).toEqual({ a: '11000000', b: '1000' });
    expect(await maskStrings(9)).toEqual({ a: '11000000', b: '1000' });
    expect(await maskStrings(10)).toEqual({ a: '10100000', b: '0100' });
    expect(await maskStrings(24)).toEqual({ a: '00110000', b: '0100' });
    expect(await maskStrings(30)).toEqual({ a: '00110000', b: '0100' });
    expect(await maskStrings(1000)).toEqual({ a: '00100001', b: '0010' });
    const view = await masks.maskAt(jobId, 36);
    expect(view).toMatchObject({ attempt: 2, updateIndex: 3, updateStep: 35, active: 3, total: 12, density: 0.25 });
    expect(view.layers.map((l) => [l.layer, l.shape, l.size, l.active])).toEqual([
      ['a', [2, 4, 1, 1], 8, 2],
      ['b', [1, 4, 1, 1], 4, 1],
    ]);
    expect(view.layers[0].checksum).toBe(maskChecksum(bits('00100001')).toString(16).padStart(8, '0'));
  });

  it('applies a piece once: a resend is a no-op, other content under the same key is a CONFLICT', async () => {
    const layers = [full('a', '10101010'), full('b', '1111')];
    const chunks = maskUpdateChunks({ jobId, attempt: 1 }, { updateIndex: 0, step: 0, epoch: 0, layers }, 8);
    expect(chunks.length).toBeGreaterThan(2);
    const acks = [];
    for (const chunk of chunks) acks.push(await masks.applyChunk(chunk));
    expect(acks.map((a) => a.complete)).toEqual([...chunks.slice(1).map(() => false), true]);
    // Resending any piece, complete update or not, answers the same and stores nothing new.
    expect(await masks.applyChunk(chunks[0])).toEqual({ complete: true, fullMaskNeeded: false, reason: '' });
    expect(await masks.applyChunk(chunks.at(-1)!)).toEqual({ complete: true, fullMaskNeeded: false, reason: '' });
    expect((await masks.stats(jobId)).updates).toHaveLength(1);

    const other: MaskUpdateChunk = { ...chunks[1], data: chunks[1].data.map((b) => b ^ 0xff) };
    const conflict = await masks.applyChunk(other).catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(ProtocolFault);
    expect((conflict as ProtocolFault).code).toBe(ErrorCode.ERROR_CODE_CONFLICT);
    expect(await maskStrings(0)).toEqual({ a: '10101010', b: '1111' });
  });

  it('asks for full masks when a change does not rebuild the sender mask, and recovers with the next full update', async () => {
    await send(1, 0, 0, [full('a', '11000000'), full('b', '1000')]);
    // The sender's checksum says another mask than the change produces (its base diverged).
    const wrong = { ...delta('a', '11000000', '10100000'), checksum: maskChecksum(bits('10010000')) };
    const [diverged] = await send(1, 1, 10, [wrong, delta('b', '1000', '0100')]);
    expect(diverged.complete).toBe(true);
    expect(diverged.fullMaskNeeded).toBe(true);
    expect(diverged.reason).toMatch(/CRC-32/);
    // A resend of that piece answers the same.
    const again = maskUpdateChunks({ jobId, attempt: 1 }, { updateIndex: 1, step: 10, epoch: 0, layers: [wrong, delta('b', '1000', '0100')] });
    expect((await masks.applyChunk(again[0])).fullMaskNeeded).toBe(true);
    // A change following the diverged update has no base.
    const [orphan] = await send(1, 2, 20, [delta('a', '10100000', '00110000'), delta('b', '0100', '0010')]);
    expect(orphan).toMatchObject({ complete: true, fullMaskNeeded: true });
    expect(orphan.reason).toMatch(/without the mask it changes/);
    // The agent's next update is full: the chain goes on.
    const [recovered] = await send(1, 3, 30, [full('a', '00110000'), full('b', '0010')]);
    expect(recovered).toEqual({ complete: true, fullMaskNeeded: false, reason: '' });
    await send(1, 4, 40, [delta('a', '00110000', '00011000'), delta('b', '0010', '0010')]);

    const stats = await masks.stats(jobId);
    expect(stats.updates.map((u) => u.updateIndex)).toEqual([0, 3, 4]);
    expect(stats.diverged.map((d) => d.updateIndex)).toEqual([1, 2]);
    // Churn of update 3 is measured against the last mask the coordinator had (update 0): every weight moved.
    expect(stats.updates[1].churn).toBe(1);
    expect(await maskStrings(15)).toEqual({ a: '11000000', b: '1000' });
    expect(await maskStrings(45)).toEqual({ a: '00011000', b: '0010' });
  });

  it('answers the masks routes with their DTOs, carrying every field and value of the mask views unchanged', async () => {
    await send(1, 0, 0, [full('a', '11000000'), full('b', '1000')]);
    await send(1, 1, 10, [delta('a', '11000000', '10100000'), delta('b', '1000', '0100')]);
    const wrong = { ...delta('a', '10100000', '00110000'), checksum: maskChecksum(bits('10010000')) };
    await send(1, 2, 20, [wrong, delta('b', '0100', '0010')]);
    const controller = new MaskController(harness.get(JobService), masks);

    const maskAt = parseDto(MaskAtDto, await controller.maskAt(jobId, '15'), 'GET masks?step=15');
    const stats = parseDto(MaskStatsDto, await controller.stats(jobId), 'GET mask-stats');

    // The REST answer is the view as it was before the DTOs: same names, same values, nothing added.
    expect(maskAt).toEqual(await masks.maskAt(jobId, 15));
    expect(stats).toEqual(await masks.stats(jobId));
    expect(maskAt).toMatchObject({ step: 15, updateStep: 10, updateIndex: 1, layers: [{ layer: 'a', encoding: expect.any(String) }, { layer: 'b' }] });
    expect(stats.updates.map((u) => [u.updateIndex, u.pruned, u.grown, u.churn])).toEqual([
      [0, null, null, null],
      [1, 2, 2, 4 / 6],
    ]);
    expect(stats.diverged).toEqual([{ attempt: 1, updateIndex: 2, step: 20, reason: expect.stringMatching(/CRC-32/) }]);
    await expect(controller.maskAt(jobId, 'abc')).rejects.toMatchObject({ status: 400 });
    await expect(controller.stats('no-such-job')).rejects.toMatchObject({ status: 404 });
  });

  it('rebuilds the history after a restart (no cached state) with the same metrics', async () => {
    await send(1, 0, 0, [full('a', '11000000'), full('b', '1000')]);
    await send(1, 1, 10, [delta('a', '11000000', '10100000'), delta('b', '1000', '0100')]);
    const restarted = new MaskService(new MaskRepository(harness.get(DatabaseService)));
    const chunks = maskUpdateChunks({ jobId, attempt: 1 }, { updateIndex: 2, step: 20, epoch: 0, layers: [delta('a', '10100000', '00110000'), full('b', '0100')] });
    for (const chunk of chunks) await restarted.applyChunk(chunk);
    const stats = await restarted.stats(jobId);
    expect(stats.updates.map((u) => u.itopRate)).toEqual([3 / 12, 5 / 12, 6 / 12]);
    expect(stats.updates[2].churn).toBe(2 / 6);
  });

  it('answers lookups without a mask with the reason, and resolves initial masks against a model layout', async () => {
    await expect(masks.maskAt(jobId, 5)).rejects.toMatchObject({ kind: 'no-masks' });
    await send(1, 0, 10, [full('a', '11000000'), full('b', '1000')]);
    const early = await masks.maskAt(jobId, 5).catch((error: unknown) => error);
    expect(early).toBeInstanceOf(MaskLookupError);
    expect((early as MaskLookupError).kind).toBe('before-first');

    const layout = [
      { name: 'a', shape: [2, 4, 1, 1] },
      { name: 'b', shape: [1, 4, 1, 1] },
    ];
    expect(await masks.resolveInitialMask(jobId, 50, layout)).toEqual({
      ok: true,
      initialMask: { jobId, step: 50, attempt: 1, updateIndex: 0, resolvedStep: 10 },
    });
    expect(await masks.resolveInitialMask(jobId, 5, layout)).toMatchObject({ ok: false, issue: expect.stringMatching(/at or before step 5/) });
    expect(await masks.resolveInitialMask(jobId, 50, [{ name: 'a', shape: [4, 2, 1, 1] }, layout[1]])).toMatchObject({
      ok: false,
      issue: expect.stringMatching(/layer a is \[4, 2, 1, 1\]/),
    });
    const snapshot = await masks.snapshotPiece('other-job', { jobId, step: 50, attempt: 1, updateIndex: 0, resolvedStep: 10 }, 0, 0);
    expect(snapshot.totalBytes).toBe(snapshot.data.length);
  });
});
