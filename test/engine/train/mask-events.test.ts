// The trainer's mask events (initial, one per mask update, final) and starting a run from a given topology.
import { describe, expect, it } from 'vitest';
import { InitialMaskError, applyInitialMask } from '../../../client/src/engine/sparse/initial-mask.js';
import { countActive, linearShape, type Mask, type SparseLayer } from '../../../client/src/engine/sparse/types.js';
import { parseTrainConfig } from '../../../client/src/engine/train/config.js';
import { runTraining } from '../../../client/src/engine/train/run.js';
import type { MaskEvent } from '../../../client/src/engine/train/types.js';

// 256 examples / 32 = 8 steps per epoch, 2 epochs; SET updates every 4 steps until 75 % of the run (steps 4, 8, 12).
const setRun = (seed: number) =>
  parseTrainConfig({
    model: 'mlp',
    data: { name: 'synthetic', trainLimit: 256, testLimit: 64 },
    batchSize: 32,
    epochs: 2,
    method: 'set',
    density: 0.2,
    seed,
    schedule: { kind: 'dst', updateInterval: 4, pruneMode: 'set', growth: 'random' },
  });

describe('mask events', () => {
  it('reports the initial masks, every update with what changed, and the final masks', async () => {
    const events: MaskEvent[] = [];
    const result = await runTraining(setRun(7), { onMaskEvent: (event) => events.push(event) });

    expect(events.map((e) => e.kind)).toEqual(['initial', 'update', 'update', 'update', 'final']);
    expect(events.map((e) => e.updates)).toEqual([0, 1, 2, 3, 3]);
    expect(events.map((e) => e.step)).toEqual([0, 4, 8, 12, 16]);
    expect(events.map((e) => e.epoch)).toEqual([0, 0, 0, 1, 1]);
    expect(events[0].layers.map((l) => l.name)).toEqual(['fc1', 'fc2', 'fc3']);
    // SET moves weights but keeps each layer's active count; the masks do change.
    for (let i = 0; i < 3; i++) {
      expect(events[4].layers[i].mask.length).toBe(events[0].layers[i].mask.length);
      expect(countActive(events[4].layers[i].mask)).toBe(countActive(events[0].layers[i].mask));
    }
    expect(events[1].layers[0].mask).not.toEqual(events[0].layers[0].mask);
    // The final event carries the masks the result describes.
    expect(result.layers.map((l) => l.active)).toEqual(events[4].layers.map((l) => countActive(l.mask)));
  });

  it('starts from a given topology: the initial masks are the given ones', async () => {
    const source: MaskEvent[] = [];
    await runTraining(setRun(7), { onMaskEvent: (event) => source.push(event) });
    const given = new Map(source[4].layers.map((l) => [l.name, l.mask]));

    const events: MaskEvent[] = [];
    const result = await runTraining(setRun(99), { onMaskEvent: (event) => events.push(event) }, { initialMask: given });

    expect(events[0].kind).toBe('initial');
    for (const layer of events[0].layers) expect(layer.mask).toEqual(given.get(layer.name));
    expect(result.steps).toBe(16);
    // The run goes on with the method's updates from there (same active counts, SET keeps them).
    expect(events.at(-1)!.layers.map((l) => countActive(l.mask))).toEqual(source[4].layers.map((l) => countActive(l.mask)));
  });

  it('refuses a topology that does not fit the model', async () => {
    const wrong = new Map([
      ['fc1', new Uint8Array(10)],
      ['fc2', new Uint8Array(10)],
      ['fc3', new Uint8Array(10)],
    ]);
    await expect(runTraining(setRun(1), {}, { initialMask: wrong })).rejects.toThrow(InitialMaskError);
    await expect(runTraining(setRun(1), {}, { initialMask: new Map([['conv9', new Uint8Array(1)]]) })).rejects.toThrow(/no layer conv9/);
  });
});

describe('applyInitialMask', () => {
  /** A SparseLayer that stores weights and zeroes inactive positions, as MaskedWeight does. */
  function fakeLayer(name: string, weights: number[], mask: number[]): SparseLayer {
    let w = Float32Array.from(weights);
    let m: Mask = Uint8Array.from(mask);
    const layer = {
      name,
      shape: linearShape(1, weights.length),
      get mask() {
        return m;
      },
      readWeights: () => w.slice(),
      readGradient: () => undefined,
      readMomentum: () => undefined,
      setMask(next: Mask) {
        m = Uint8Array.from(next);
        w = w.map((value, i) => (m[i] ? value : 0));
        return { pruned: 0, grown: 0, active: countActive(m) };
      },
      writeWeights(values: Float32Array) {
        w = values.map((value, i) => (m[i] ? value : 0));
      },
      setOutputGate: () => undefined,
    };
    return layer;
  }

  it('gives active positions their initial weights back and zeroes the rest', () => {
    const initial = [0.5, -0.25, 0.75, 1.5];
    // The method's draw kept positions 0 and 1 (zeroing 2 and 3); the given mask keeps 1 and 2.
    const layer = fakeLayer('fc1', [0.5, -0.25, 0, 0], [1, 1, 0, 0]);
    applyInitialMask([layer], new Map([['fc1', Uint8Array.from([0, 1, 1, 0])]]), new Map([['fc1', Float32Array.from(initial)]]));
    expect([...layer.mask]).toEqual([0, 1, 1, 0]);
    expect([...layer.readWeights()]).toEqual([0, -0.25, 0.75, 0]);
  });
});
