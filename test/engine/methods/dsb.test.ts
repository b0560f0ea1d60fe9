import { describe, expect, it } from 'vitest';
import { blockAwareFilter, createDsb } from '../../../client/src/engine/sparse/methods/dsb.js';
import { parseSchedule, type DsbSchedule } from '../../../client/src/engine/sparse/schedules/schema.js';
import { createScheme } from '../../../client/src/engine/sparse/schemes/registry.js';
import { convShape, linearShape } from '../../../client/src/engine/sparse/types.js';
import { activeOf, makeContext, makeLayers, simulate, type LayerSpec } from './harness.js';

const SPECS: LayerSpec[] = [
  { name: 'conv1', shape: convShape(8, 3, 3, 3), density: 0.5 },
  { name: 'conv2', shape: convShape(16, 8, 3, 3), density: 0.2 },
  { name: 'fc', shape: linearShape(10, 64), density: 0.3 },
];
const schedule = parseSchedule({ kind: 'dsb', updateInterval: 2, endFraction: 1, dropFraction: 0.3, blockSize: 4 }) as DsbSchedule;

describe('createDsb', () => {
  it('should keep nblocks·B² in block layers, update linear layers element-wise and never touch other convs', () => {
    // Prepare
    const layers = makeLayers(SPECS, 5);
    const ctx = makeContext(layers, SPECS, { scheme: createScheme('shuffled-block', { blockSize: 4 }), epochs: 2, stepsPerEpoch: 6 });
    const sut = createDsb('dsb', schedule);
    const nblocks = Math.ceil(Math.round(0.2 * 1152) / 16);
    let conv1Mask: Uint8Array | undefined;
    let conv2Changes = 0;
    let fcChanges = 0;
    // Execute
    simulate(sut, ctx, {
      onHook: (event) => {
        if (event.hook === 'initialize') {
          conv1Mask = layers[0].mask;
          return;
        }
        // Assert
        expect(activeOf(layers[1].mask)).toBe(nblocks * 16);
        expect(ctx.scheme.conforms(layers[1].shape, layers[1].mask)).toBe(true);
        expect(activeOf(layers[2].mask)).toBe(Math.round(0.3 * 640));
        expect(layers[0].mask).toEqual(conv1Mask);
        if (event.written[1]) conv2Changes++;
        if (event.written[2]) fcChanges++;
      },
    });
    expect(conv2Changes).toBeGreaterThan(0);
    expect(fcChanges).toBeGreaterThan(0);
  });

  it('should never change masks as SSB', () => {
    const layers = makeLayers(SPECS, 5);
    const ctx = makeContext(layers, SPECS, { scheme: createScheme('shuffled-block', { blockSize: 4 }), epochs: 2, stepsPerEpoch: 6 });
    simulate(createDsb('ssb', schedule), ctx, {
      onHook: (event) => {
        if (event.hook !== 'initialize') expect(event.written.some(Boolean)).toBe(false);
      },
    });
  });

  it('should require the shuffled-block scheme with the schedule block size for conv layers', () => {
    const layers = makeLayers(SPECS, 5);
    expect(() => createDsb('dsb', schedule).initialize(makeContext(layers, SPECS, { scheme: createScheme('irregular'), epochs: 1, stepsPerEpoch: 1 }))).toThrow(
      /shuffled-block/,
    );
    expect(() =>
      createDsb('dsb', schedule).initialize(makeContext(layers, SPECS, { scheme: createScheme('shuffled-block', { blockSize: 8 }), epochs: 1, stepsPerEpoch: 1 })),
    ).toThrow(/dsb\.blockSize/);
  });
});

describe('blockAwareFilter', () => {
  it('should keep drops only in rows or columns holding at least B/2 candidates of their block', () => {
    // One 2×2... use B = 4: rows 0-3, columns 0-3 of a 4×8 view.
    const columns = 8;
    const candidates = new Uint8Array(32);
    // Row 0 has 2 candidates (= B/2): both survive. (2, 5) is isolated: cancelled.
    candidates[0 * columns + 0] = 1;
    candidates[0 * columns + 1] = 1;
    candidates[2 * columns + 2] = 1;
    const blocks = { mask: new Uint8Array(32), rowGroups: [Uint32Array.from([0, 1, 2, 3])], blocks: [{ group: 0, columns: Uint32Array.from([0, 1, 2, 3]) }] };
    const survivors = blockAwareFilter(candidates, blocks, columns, 4);
    expect(Array.from(survivors).map((v, i) => (v ? i : -1)).filter((i) => i >= 0)).toEqual([0, 1]);
  });
});
