// Spec §2.7 worked examples on one layer of N = 10,000 at target sparsity 0.9, counted at the scheme calls.
import { describe, expect, it } from 'vitest';
import { createMest } from '../../../client/src/engine/sparse/methods/mest.js';
import { parseSchedule, type MestSchedule } from '../../../client/src/engine/sparse/schedules/schema.js';
import { createScheme } from '../../../client/src/engine/sparse/schemes/registry.js';
import type { SparsityScheme } from '../../../client/src/engine/sparse/schemes/types.js';
import { convShape, countActive, linearShape } from '../../../client/src/engine/sparse/types.js';
import { activeOf, makeContext, makeLayers, simulate, type LayerSpec } from './harness.js';

const SPECS: LayerSpec[] = [{ name: 'fc', shape: linearShape(100, 100), density: 0.1 }];

/** Wraps a scheme and records the active count after every prune and grow call. */
function recording(scheme: SparsityScheme): { scheme: SparsityScheme; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    scheme: {
      ...scheme,
      name: scheme.name,
      unsupportedReason: (shape) => scheme.unsupportedReason(shape),
      groupSize: (shape) => scheme.groupSize(shape),
      roundCount: (shape, count) => scheme.roundCount(shape, count),
      activeCountAt: (shape, density) => scheme.activeCountAt(shape, density),
      groupScores: (shape, mask, score) => scheme.groupScores(shape, mask, score),
      project: (shape, score, keep, rng) => scheme.project(shape, score, keep, rng),
      conforms: (shape, mask) => scheme.conforms(shape, mask),
      prune: (request) => {
        const mask = scheme.prune(request);
        calls.push(`prune ${countActive(request.mask)}→${countActive(mask)}`);
        return mask;
      },
      grow: (request) => {
        const mask = scheme.grow(request);
        calls.push(`grow ${countActive(request.mask)}→${countActive(mask)}`);
        return mask;
      },
    },
  };
}

function run(schedule: MestSchedule, epochs: number) {
  const { scheme, calls } = recording(createScheme('irregular'));
  const layers = makeLayers(SPECS, 3);
  const ctx = makeContext(layers, SPECS, { scheme, epochs, stepsPerEpoch: 1, density: 0.1 });
  const perEpoch = new Map<number, string[]>();
  simulate(createMest('mest-em', schedule), ctx, {
    onHook: (event) => {
      if (event.hook === 'onEpochStart' && event.summary) {
        perEpoch.set(event.info.epoch, calls.splice(0));
        expect(event.summary.active).toBe(activeOf(layers[0].mask));
      }
    },
  });
  return perEpoch;
}

describe('MEST elastic mutation', () => {
  it('should prune to the lower bound and grow back to the target (EM, §2.7)', () => {
    const schedule = parseSchedule({ kind: 'mest', lowerBound: '0.92-0.91-0.9', upperBound: '0.9-0.9-0.9', decayEpochs: '90-120', updateFrequency: 5 }) as MestSchedule;
    const perEpoch = run(schedule, 125);
    expect([...perEpoch.keys()]).toEqual(Array.from({ length: 25 }, (_, i) => i * 5));
    expect(perEpoch.get(0)).toEqual(['prune 1000→800', 'grow 800→1000']);
    expect(perEpoch.get(85)).toEqual(['prune 1000→800', 'grow 800→1000']);
    expect(perEpoch.get(90)).toEqual(['prune 1000→900', 'grow 900→1000']);
    expect(perEpoch.get(120)).toEqual(['prune 1000→1000']);
  });

  it('should grow above the target and prune back at the next update (EM&S, §2.7)', () => {
    const schedule = parseSchedule({ kind: 'mest', lowerBound: '0.9-0.9-0.9', upperBound: '0.85-0.875-0.9', decayEpochs: '90-120', updateFrequency: 5 }) as MestSchedule;
    const perEpoch = run(schedule, 125);
    expect(perEpoch.get(0)).toEqual(['prune 1000→1000', 'grow 1000→1500']);
    expect(perEpoch.get(5)).toEqual(['prune 1500→1000', 'grow 1000→1500']);
    expect(perEpoch.get(90)).toEqual(['prune 1500→1000', 'grow 1000→1250']);
    expect(perEpoch.get(95)).toEqual(['prune 1250→1000', 'grow 1000→1250']);
    expect(perEpoch.get(120)).toEqual(['prune 1250→1000']);
  });

  it('should rank by |w| + λ|g| and ask for the gradient before update epochs only', () => {
    const schedule = parseSchedule({ kind: 'mest', lowerBound: 0.95, upperBound: 0.9, decayEpochs: [], updateFrequency: 2, importanceLambda: 1 }) as MestSchedule;
    const sut = createMest('mest-em', schedule);
    const layers = makeLayers(SPECS, 3);
    const ctx = makeContext(layers, SPECS, { scheme: createScheme('irregular'), epochs: 4, stepsPerEpoch: 3 });
    sut.initialize(ctx);
    expect([0, 1, 2, 3, 4, 5].map((step) => sut.needsDenseGradient({ step, epoch: Math.floor(step / 3) }))).toEqual([false, false, false, false, false, true]);
  });

  it('should take the epoch end from the trainer when it says which step ends the epoch', () => {
    // Prepare: epochs of 3 nominal steps, but the trainer's epoch 1 is 2 steps long (examples were removed)
    const schedule = parseSchedule({ kind: 'mest', lowerBound: 0.95, upperBound: 0.9, decayEpochs: [], updateFrequency: 2, importanceLambda: 1 }) as MestSchedule;
    const sut = createMest('mest-em', schedule);
    const layers = makeLayers(SPECS, 3);
    sut.initialize(makeContext(layers, SPECS, { scheme: createScheme('irregular'), epochs: 4, stepsPerEpoch: 3 }));

    // Execute: steps 3 and 4 are epoch 1, step 4 ends it; epoch 2 is an update epoch
    const asked = [
      { step: 3, epoch: 1, endsEpoch: false },
      { step: 4, epoch: 1, endsEpoch: true },
      { step: 5, epoch: 2, endsEpoch: false },
      { step: 6, epoch: 2, endsEpoch: true },
    ].map((info) => sut.needsDenseGradient(info));

    // Assert: step % stepsPerEpoch would have said step 5 (and never step 4)
    expect(asked).toEqual([false, true, false, false]);
  });

  it('should scale the bounds per layer by the profile only when the extension is on', () => {
    const specs: LayerSpec[] = [
      { name: 'a', shape: linearShape(10, 100), density: 0.4 },
      { name: 'b', shape: linearShape(10, 100), density: 0.1 },
    ];
    const schedule = parseSchedule({ kind: 'mest', lowerBound: 0.9, upperBound: 0.9, decayEpochs: [] }) as MestSchedule;
    for (const [scale, expected] of [
      [false, [100, 100]],
      [true, [400, 100]],
    ] as const) {
      const layers = makeLayers(specs, 4);
      const ctx = makeContext(layers, specs, { scheme: createScheme('irregular'), epochs: 1, stepsPerEpoch: 1 });
      const sut = createMest('mest-em', schedule, { scaleBoundsByProfile: scale });
      sut.initialize(ctx);
      expect(layers.map((layer) => activeOf(layer.mask))).toEqual([400, 100]);
      sut.onEpochStart?.({ step: 0, epoch: 0 }, ctx);
      expect(layers.map((layer) => activeOf(layer.mask))).toEqual(expected);
    }
  });

  it('should keep I − int(I·r′) kernels per filter on pattern layers at every bound (spec §2.5)', () => {
    // [4, 10, 3, 3] from a 0.91 profile: r' = 0.7975, int(7.975) = 7 pruned, 3 of 10 kept per filter (48 weights).
    // [4, 32, 3, 3], EM 0.92 → 0.9: prune to r' = 0.82 (int(26.24) = 26, 6 kept), grow back to r' = 0.775 (8 kept).
    const specs: LayerSpec[] = [
      { name: 'conv-a', shape: convShape(4, 10, 3, 3), density: 1 - 0.91 },
      { name: 'conv-b', shape: convShape(4, 32, 3, 3), density: 1 - 0.9 },
    ];
    const schedule = parseSchedule({ kind: 'mest', lowerBound: '0.92-0.91', upperBound: '0.9-0.91', decayEpochs: '1', updateFrequency: 1 }) as MestSchedule;
    const { scheme, calls } = recording(createScheme('pattern'));
    const layers = makeLayers(specs, 5);
    const ctx = makeContext(layers, specs, { scheme, epochs: 2, stepsPerEpoch: 1, density: 0.1 });
    const sut = createMest('mest-em', schedule);
    sut.initialize(ctx);
    expect(layers.map((layer) => activeOf(layer.mask))).toEqual([4 * 4 * 3, 4 * 4 * 8]);
    sut.onEpochStart?.({ step: 0, epoch: 0 }, ctx);
    // conv-a: prune to 0.92 (r' = 0.82, int(8.2) = 8 → 2 kept), grow to 0.9 (r' = 0.775, int(7.75) = 7 → 3 kept).
    expect(calls.splice(0)).toEqual(['prune 48→32', 'grow 32→48', 'prune 128→96', 'grow 96→128']);
    sut.onEpochStart?.({ step: 1, epoch: 1 }, ctx);
    // Phase 2 at 0.91 for both bounds: conv-a keeps 3 (7.975 → 7 pruned), conv-b keeps 32 − int(25.52) = 7.
    expect(calls.splice(0)).toEqual(['prune 48→48', 'prune 128→112']);
  });
});
