import { describe, expect, it } from 'vitest';
import { buildBlock4 } from '../../../client/src/engine/kernels/formats/block4.js';
import { buildChannelCompaction } from '../../../client/src/engine/kernels/formats/channel.js';
import { buildCsr, csrGather, csrToDense, gatherByPerm, transposeCsr } from '../../../client/src/engine/kernels/formats/csr.js';
import { formatGather, formatToDense, transposeFormat } from '../../../client/src/engine/kernels/formats/entries.js';
import { denseStateBytes, modelStateBytes } from '../../../client/src/engine/kernels/formats/bytes.js';
import { buildPatternConv } from '../../../client/src/engine/kernels/formats/pattern.js';
import { buildShuffledBlocks } from '../../../client/src/engine/kernels/formats/shuffled-block.js';
import type { SparseFormat } from '../../../client/src/engine/kernels/formats/types.js';
import { convShape } from '../../../client/src/engine/sparse/types.js';
import { block4Mask, channelMask, irregularMask, masked, patternMask, randomArray, rng, shuffledMask } from './helpers.js';

function fixtures(): { name: string; format: SparseFormat; dense: Float32Array; rows: number; cols: number }[] {
  const r = rng(7);
  const rows = 16;
  const cols = 18;
  const w = randomArray(r, rows * cols);
  const irregular = irregularMask(r, rows, cols, 0.3, [2, 5]);
  const blocks = block4Mask(r, rows, cols, 0.4);
  const channels = channelMask(r, rows, 6, 3, 0.5);
  const shuffled = shuffledMask(r, rows, cols, 4, 0.5);
  const pattern = patternMask(r, rows, 2, 0.6);
  return [
    { name: 'csr', format: { kind: 'csr', matrix: buildCsr(w, irregular, rows, cols) }, dense: masked(w, irregular), rows, cols },
    { name: 'block4', format: { kind: 'block4', matrix: buildBlock4(w, blocks, rows, cols) }, dense: masked(w, blocks), rows, cols },
    { name: 'channel', format: { kind: 'channel', matrix: buildChannelCompaction(w, channels, rows, 6, 3) }, dense: masked(w, channels), rows, cols },
    {
      name: 'shuffled-block',
      format: { kind: 'shuffled-block', matrix: buildShuffledBlocks(w, shuffled.mask, rows, cols, 4, shuffled.rowGroups) },
      dense: masked(w, shuffled.mask),
      rows,
      cols,
    },
    {
      name: 'pattern',
      format: { kind: 'pattern', matrix: buildPatternConv(convShape(rows, 2, 3, 3), w, pattern) },
      dense: masked(w, pattern),
      rows,
      cols,
    },
  ];
}

describe('sparse formats', () => {
  it.each(fixtures())('should round-trip dense → $name → dense', ({ format, dense }) => {
    // Execute
    const back = formatToDense(format);
    // Assert
    expect(Array.from(back)).toEqual(Array.from(dense));
  });

  it.each(fixtures())('should build a transposed index of $name whose perm reaches every value once', ({ format, dense, cols }) => {
    // Prepare
    const values = format.matrix.values;
    // Execute
    const t = transposeFormat(format);
    // Assert: transposed row c, entry (row r, perm p) ⇔ dense[r, c] = values[p]
    expect(Array.from(t.perm).sort((a, b) => a - b)).toEqual(Array.from({ length: values.length }, (_, i) => i));
    for (let c = 0; c < t.rows; c++) {
      for (let e = t.rowPtr[c]; e < t.rowPtr[c + 1]; e++) expect(values[t.perm[e]]).toBe(dense[t.colIdx[e] * cols + c]);
    }
  });

  it.each(fixtures())('should gather a dense array into $name value order', ({ format, dense }) => {
    expect(Array.from(formatGather(format, dense))).toEqual(Array.from(format.matrix.values));
  });

  it('should keep CSR values row-major and the transposed rows sorted by forward row', () => {
    // Prepare
    const w = Float32Array.from([1, 0, 2, 0, 3, 4]);
    const mask = Uint8Array.from([1, 0, 1, 0, 1, 1]);
    // Execute
    const csr = buildCsr(w, mask, 2, 3);
    const t = transposeCsr(csr);
    // Assert
    expect(Array.from(csr.rowPtr)).toEqual([0, 2, 4]);
    expect(Array.from(csr.colIdx)).toEqual([0, 2, 1, 2]);
    expect(Array.from(t.rowPtr)).toEqual([0, 1, 2, 4]);
    expect(Array.from(t.colIdx)).toEqual([0, 1, 0, 1]);
    expect(Array.from(gatherByPerm(csr.values, t.perm))).toEqual([1, 3, 2, 4]);
    expect(Array.from(csrToDense(csr))).toEqual([1, 0, 2, 0, 3, 4]);
    expect(Array.from(csrGather(csr, Float32Array.from([9, 8, 7, 6, 5, 4])))).toEqual([9, 7, 5, 4]);
  });

  it('should store a masked-out weight of an active position as given and skip an active-looking inactive one', () => {
    // The mask, not w != 0, decides what is stored.
    const csr = buildCsr(Float32Array.from([0, 5]), Uint8Array.from([1, 0]), 1, 2);
    expect(Array.from(csr.values)).toEqual([0]);
    expect(Array.from(csr.colIdx)).toEqual([0]);
  });

  it('should count padded entries of partially active 4×1 blocks and reject row counts not divisible by 4', () => {
    const mask = new Uint8Array(8);
    mask[0] = 1; // row 0, col 0 of a 4×2 matrix
    const m = buildBlock4(new Float32Array(8).fill(1), mask, 4, 2);
    expect(m.padded).toBe(3);
    expect(Array.from(m.values)).toEqual([1, 0, 0, 0]);
    expect(() => buildBlock4(new Float32Array(6), new Uint8Array(6), 3, 2)).toThrow(RangeError);
  });

  it('should reject a mask that is not a union of shuffled blocks', () => {
    const mask = new Uint8Array(4 * 4);
    mask[0] = 1; // one row of group {0,1} active in column 0 only
    expect(() => buildShuffledBlocks(new Float32Array(16), mask, 4, 4, 2, [[0, 1], [2, 3]])).toThrow(/active in only/);
  });

  it('should derive shuffled row groups from identical mask rows when none are given', () => {
    const r = rng(3);
    const { mask } = shuffledMask(r, 8, 8, 4, 0.6);
    const m = buildShuffledBlocks(randomArray(r, 64), mask, 8, 8, 4);
    expect(Array.from(formatToDense({ kind: 'shuffled-block', matrix: m })).map((v) => (v !== 0 ? 1 : 0))).toEqual(Array.from(mask));
  });

  it('should reject a 3×3 kernel whose active taps fit no pattern', () => {
    const mask = new Uint8Array(9);
    mask[0] = 1;
    mask[8] = 1; // opposite corners
    expect(() => buildPatternConv(convShape(1, 1, 3, 3), new Float32Array(9), mask)).toThrow(/fit no pattern/);
  });

  it('should account model-state bytes as values plus indices', () => {
    const csr = buildCsr(new Float32Array(12).fill(1), Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1]), 3, 4);
    expect(modelStateBytes({ kind: 'csr', matrix: csr })).toEqual({ valueBytes: 20, indexBytes: 4 * (4 + 5), totalBytes: 56 });
    expect(denseStateBytes(3, 4).totalBytes).toBe(48);
  });
});
