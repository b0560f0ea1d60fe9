// Property tests of the mask codec: many random masks (sizes 0..5000, densities from empty to full, clustered and
// scattered) drawn from a seeded generator, so a failure names the case that reproduces it.
import { describe, expect, it } from 'vitest';
import {
  LayerMaskForm,
  MaskCodecError,
  MaskReconstructionError,
  applyMaskChange,
  bitmapBytes,
  crc32,
  decodeBitmap,
  decodeFullMask,
  decodeIndexList,
  decodeMaskUpdate,
  encodeBitmap,
  encodeFullMask,
  encodeIndexList,
  encodeMaskChange,
  fullLayerMask,
  joinBodyChunks,
  layerMaskMessage,
  maskChange,
  maskChecksum,
  maskIndexListBytes,
  maskIndices,
  maskUpdateChunks,
  reconstructLayerMask,
  splitIntoChunks,
  type MaskUpdate,
} from '../../protocol/src/index.js';
import { createRng, type Rng } from '../../client/src/engine/util/rng.js';

const CASES = 300;

function randomMask(rng: Rng, size: number, density: number): Uint8Array {
  const mask = new Uint8Array(size);
  for (let i = 0; i < size; i++) mask[i] = rng.next() < density ? 1 : 0;
  return mask;
}

/** A size and density spread over the interesting corners: empty, tiny, byte-unaligned, sparse, dense, full. */
function drawCase(rng: Rng): { size: number; density: number } {
  const sizes = [0, 1, 7, 8, 9, 63, 64, 65, 1000, 5000];
  const densities = [0, 0.001, 0.01, 0.05, 0.1, 0.125, 0.2, 0.5, 0.9, 1];
  const size = rng.next() < 0.5 ? sizes[rng.int(sizes.length)] : rng.int(5001);
  return { size, density: densities[rng.int(densities.length)] };
}

/** `before` with a fraction of its active weights moved elsewhere (a prune-and-grow update). */
function mutate(rng: Rng, before: Uint8Array, fraction: number): Uint8Array {
  const after = before.slice();
  const active = maskIndices(before);
  const inactive = [...before.keys()].filter((i) => before[i] === 0);
  const moves = Math.min(Math.floor(active.length * fraction), inactive.length);
  for (let m = 0; m < moves; m++) {
    after[active[rng.int(active.length)]] = 0;
    after[inactive[rng.int(inactive.length)]] = 1;
  }
  return after;
}

describe('mask codec', () => {
  it('round-trips bitmaps, index lists and the chosen full encoding exactly', () => {
    const rng = createRng(1301);
    for (let c = 0; c < CASES; c++) {
      const { size, density } = drawCase(rng);
      const mask = randomMask(rng, size, density);
      const label = `case ${c}: size ${size}, density ${density}`;
      expect(decodeBitmap(encodeBitmap(mask), size), label).toEqual(mask);
      expect(decodeIndexList(encodeIndexList(maskIndices(mask)), size), label).toEqual(maskIndices(mask));
      const full = encodeFullMask(mask);
      expect(decodeFullMask(full, size), label).toEqual(mask);
    }
  });

  it('chooses the smaller encoding (the bitmap on a tie)', () => {
    const rng = createRng(1302);
    let chosen = { bitmap: 0, indices: 0 };
    for (let c = 0; c < CASES; c++) {
      const { size, density } = drawCase(rng);
      const mask = randomMask(rng, size, density);
      const bitmap = encodeBitmap(mask).length;
      const indices = encodeIndexList(maskIndices(mask)).length;
      expect(maskIndexListBytes(mask)).toBe(indices);
      const full = encodeFullMask(mask);
      expect(full.data.length, `case ${c}`).toBe(Math.min(bitmap, indices));
      expect(full.encoding, `case ${c}`).toBe(indices < bitmap ? 'indices' : 'bitmap');
      chosen = { ...chosen, [full.encoding]: chosen[full.encoding] + 1 };
    }
    // Both encodings were exercised.
    expect(chosen.bitmap).toBeGreaterThan(20);
    expect(chosen.indices).toBeGreaterThan(20);
  });

  it('rebuilds every mask of a sequence from pruned/grown changes, and checks their fit', () => {
    const rng = createRng(1303);
    for (let c = 0; c < 100; c++) {
      const { size, density } = drawCase(rng);
      let previous = randomMask(rng, size, density);
      for (let update = 0; update < 5; update++) {
        const next = mutate(rng, previous, rng.next() * 0.5);
        const change = maskChange(previous, next);
        const rebuilt = applyMaskChange(previous, encodeMaskChange(change));
        expect(rebuilt, `case ${c} update ${update}`).toEqual(next);
        previous = next;
      }
    }
    const base = Uint8Array.from([1, 0, 1, 0]);
    expect(() => applyMaskChange(base, { pruned: encodeIndexList([1]), grown: new Uint8Array(0) })).toThrow(MaskCodecError);
    expect(() => applyMaskChange(base, { pruned: new Uint8Array(0), grown: encodeIndexList([2]) })).toThrow(MaskCodecError);
  });

  it('CRC-32 is the IEEE one and tells masks apart', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    const bytes = new TextEncoder().encode('sparse masks on the wire');
    expect(crc32(bytes.subarray(10), crc32(bytes.subarray(0, 10)))).toBe(crc32(bytes));
    const mask = Uint8Array.from([1, 0, 0, 1, 1, 0, 1, 0, 1]);
    const flipped = mask.slice();
    flipped[8] = 0;
    expect(maskChecksum(mask)).not.toBe(maskChecksum(flipped));
  });

  it('refuses bytes that are not a mask of the given size', () => {
    expect(() => decodeBitmap(new Uint8Array(2), 17)).toThrow(MaskCodecError);
    expect(() => decodeBitmap(Uint8Array.from([0, 0b10]), 9)).toThrow(/past the end/);
    expect(() => decodeIndexList(encodeIndexList([3, 9]), 9)).toThrow(/out of range/);
    expect(() => decodeIndexList(Uint8Array.from([2, 0]), 9)).toThrow(/repeated/);
    expect(() => decodeIndexList(Uint8Array.from([0x80]), 9)).toThrow(/truncated/);
    expect(() => encodeIndexList([4, 4])).toThrow(MaskCodecError);
  });

  it('splits into chunks within the budget and joins them back', () => {
    const rng = createRng(1304);
    for (let c = 0; c < 50; c++) {
      const bytes = randomMask(rng, rng.int(3000), 0.5);
      const budget = 1 + rng.int(700);
      const chunks = splitIntoChunks(bytes, budget);
      expect(chunks.every((chunk) => chunk.length <= budget)).toBe(true);
      expect(chunks.length).toBe(Math.max(1, Math.ceil(bytes.length / budget)));
      expect(Uint8Array.from(chunks.flatMap((chunk) => [...chunk]))).toEqual(bytes);
    }
  });
});

describe('mask wire messages', () => {
  const shape = [10, 30, 1, 1];

  it('sends a change only when it is smaller than the full mask, and rebuilds either exactly', () => {
    const rng = createRng(1305);
    let deltas = 0;
    for (let c = 0; c < 200; c++) {
      const density = [0.02, 0.1, 0.3, 0.6][rng.int(4)];
      const before = randomMask(rng, 300, density);
      const after = mutate(rng, before, rng.next());
      const input = { name: 'fc1', shape, mask: after };
      const full = fullLayerMask(input);
      const message = layerMaskMessage(input, before);
      if (message.form === LayerMaskForm.LAYER_MASK_FORM_DELTA) {
        deltas += 1;
        expect(message.pruned.length + message.grown.length).toBeLessThan(full.data.length);
      } else {
        expect(message).toEqual(full);
      }
      expect(reconstructLayerMask(message, before), `case ${c}`).toEqual(after);
      expect(message.size).toBe(300);
      expect(message.active).toBe(maskIndices(after).length);
    }
    expect(deltas).toBeGreaterThan(10);
  });

  it('names what went wrong: a change without its base, a diverged base, malformed bytes', () => {
    const rng = createRng(1306);
    const before = randomMask(rng, 300, 0.05);
    const after = mutate(rng, before, 0.1);
    const delta = layerMaskMessage({ name: 'fc1', shape, mask: after }, before);
    expect(delta.form).toBe(LayerMaskForm.LAYER_MASK_FORM_DELTA);
    const failure = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return error instanceof MaskReconstructionError ? error.reason : `other: ${String(error)}`;
      }
      return 'no error';
    };
    expect(failure(() => reconstructLayerMask(delta, undefined))).toBe('missing-base');
    // A base that differs where the change does not look: the change applies, the checksum tells.
    const diverged = before.slice();
    const untouched = [...diverged.keys()].find((i) => before[i] === after[i] && before[i] === 0)!;
    diverged[untouched] = 1;
    expect(failure(() => reconstructLayerMask(delta, diverged))).toBe('checksum-mismatch');
    const full = fullLayerMask({ name: 'fc1', shape, mask: randomMask(rng, 300, 0.5) });
    expect(full.form).toBe(LayerMaskForm.LAYER_MASK_FORM_BITMAP);
    expect(failure(() => reconstructLayerMask({ ...full, data: full.data.subarray(1) }, undefined))).toBe('malformed');
    expect(failure(() => reconstructLayerMask({ ...full, checksum: full.checksum ^ 1 }, undefined))).toBe('checksum-mismatch');
  });

  it('cuts an update into chunks of at most the budget that join into the same update', () => {
    const rng = createRng(1307);
    const layers = [0, 1, 2].map((i) => fullLayerMask({ name: `layer${i}`, shape: [100, 80, 1, 1], mask: randomMask(rng, 8000, 0.5) }));
    const update: MaskUpdate = { updateIndex: 3, step: 120, epoch: 1, layers };
    const chunks = maskUpdateChunks({ jobId: 'job-1', attempt: 2 }, update, 700);
    expect(chunks.length).toBe(Math.ceil(chunks[0].totalBytes / 700));
    expect(chunks.every((chunk) => chunk.data.length <= 700 && chunk.updateIndex === 3 && chunk.attempt === 2)).toBe(true);
    expect(chunks.map((chunk) => chunk.chunkIndex)).toEqual([...chunks.keys()]);
    const body = joinBodyChunks([...chunks].reverse());
    expect(decodeMaskUpdate(body)).toEqual(update);
    const tampered = chunks.map((chunk, i) => (i === 1 ? { ...chunk, data: chunk.data.map((b) => b ^ 1) } : chunk));
    expect(() => joinBodyChunks(tampered)).toThrow(/CRC-32/);
    expect(() => joinBodyChunks(chunks.slice(1))).toThrow(/distinct chunks/);
    expect(() => maskUpdateChunks({ jobId: 'j', attempt: 1 }, update, 2 * 1024 * 1024)).toThrow(RangeError);
    expect(bitmapBytes(8000)).toBe(1000);
  });
});
