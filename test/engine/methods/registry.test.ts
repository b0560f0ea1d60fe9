import { describe, expect, it } from 'vitest';
import { createMethod } from '../../../client/src/engine/sparse/methods/registry.js';
import { ScheduleValidationError, parseSchedule } from '../../../client/src/engine/sparse/schedules/schema.js';
import { createScheme } from '../../../client/src/engine/sparse/schemes/registry.js';
import { linearShape } from '../../../client/src/engine/sparse/types.js';
import { activeOf, makeContext, makeLayers, simulate, type LayerSpec } from './harness.js';

const SPECS: LayerSpec[] = [
  { name: 'fc1', shape: linearShape(20, 30), density: 0.2 },
  { name: 'fc2', shape: linearShape(10, 20), density: 0.5 },
];

function errorOf(run: () => unknown): ScheduleValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ScheduleValidationError);
    return error as ScheduleValidationError;
  }
  throw new Error('expected an error');
}

describe(createMethod.name, () => {
  it('should reject a schedule of the wrong kind naming the field', () => {
    const error = errorOf(() => createMethod('rigl', { schedule: parseSchedule({ kind: 'mest' }), epochs: 2, stepsPerEpoch: 2 }));
    expect(error.issues[0]).toEqual({ path: 'schedule.kind', message: "method 'rigl' needs a 'dst' schedule, got 'mest'" });
    expect(errorOf(() => createMethod('static', { schedule: parseSchedule({ kind: 'dst' }), epochs: 2, stepsPerEpoch: 2 })).issues[0].path).toBe('schedule.kind');
  });

  it('should reject schedules that do not fit the run', () => {
    const error = errorOf(() => createMethod('vrpge', { schedule: parseSchedule({ kind: 'vrpge', finetuneEpochs: 40 }), epochs: 10, stepsPerEpoch: 2 }));
    expect(error.issues[0].path).toBe('vrpge.finetuneEpochs');
  });

  it('should build every method with default schedules, deferring to the context when no density is given', () => {
    for (const name of ['dense', 'static', 'set', 'rigl', 'itop', 'gmp', 'gmp-uniform', 'granet', 'granet-uniform', 'mest-em', 'mest-ems', 'dsb', 'ssb', 'vrpge'] as const) {
      expect(createMethod(name, { epochs: 4, stepsPerEpoch: 5, density: 0.2 }).name).toBe(name);
      const deferred = createMethod(name, { epochs: 4, stepsPerEpoch: 5 });
      expect(deferred.name).toBe(name);
      if (name === 'dsb' || name === 'ssb') continue;
      const layers = makeLayers(SPECS);
      deferred.initialize(makeContext(layers, SPECS, { scheme: createScheme('irregular'), epochs: 4, stepsPerEpoch: 5 }));
      expect(typeof deferred.needsDenseGradient({ step: 0, epoch: 0 })).toBe('boolean');
    }
  });

  it('should leave dense layers alone and draw exact static counts', () => {
    const layers = makeLayers(SPECS);
    createMethod('static', { epochs: 1, stepsPerEpoch: 1 }).initialize(makeContext(layers, SPECS, { scheme: createScheme('irregular'), epochs: 1, stepsPerEpoch: 1 }));
    expect(layers.map((layer) => activeOf(layer.mask))).toEqual([120, 100]);
    const dense = makeLayers(SPECS);
    createMethod('dense', { epochs: 1, stepsPerEpoch: 1 }).initialize(makeContext(dense, SPECS, { scheme: createScheme('irregular'), epochs: 1, stepsPerEpoch: 1 }));
    expect(dense.map((layer) => activeOf(layer.mask))).toEqual([600, 200]);
  });
});

describe('rigl', () => {
  it('should grow the inactive positions with the largest dense gradient and ask for it only before updates', () => {
    // Prepare
    const schedule = parseSchedule({ kind: 'dst', updateInterval: 4, endStep: 100, dropFraction: 0.25, decay: 'constant' });
    const layers = makeLayers(SPECS);
    const ctx = makeContext(layers, SPECS, { scheme: createScheme('irregular'), epochs: 1, stepsPerEpoch: 8 });
    const sut = createMethod('rigl', { schedule, epochs: 1, stepsPerEpoch: 8 });
    sut.initialize(ctx);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((step) => sut.needsDenseGradient({ step, epoch: 0 }))).toEqual([false, false, false, true, false, false, false, true]);
    const layer = layers[0];
    const mask = layer.mask;
    const gradient = Float32Array.from(mask, (m, i) => (m ? 0 : i % 7 === 0 ? 5 + i / 1000 : 0.001));
    layer.simulateStep({ gradient, learningRate: 0, keepGradient: true });
    layers[1].simulateStep({ gradient: new Float32Array(200).fill(0.01), learningRate: 0, keepGradient: true });
    // Execute
    const summary = sut.afterStep!({ step: 4, epoch: 0 }, ctx);
    // Assert
    expect(summary).toBeDefined();
    const after = layer.mask;
    const grown = Array.from(after).map((m, i) => (m && !mask[i] ? i : -1)).filter((i) => i >= 0);
    expect(grown.length).toBe(Math.floor(120 * 0.25));
    for (const index of grown) expect(gradient[index]).toBeGreaterThan(1);
    expect(activeOf(after)).toBe(120);
  });

  it('should keep the total constant and move growth between layers with redistribution', () => {
    const schedule = parseSchedule({ kind: 'dst', updateInterval: 2, endStep: 100, dropFraction: 0.5, decay: 'constant', growth: 'random', redistribution: 'magnitude' });
    const layers = makeLayers(SPECS);
    layers[1].writeWeights(layers[1].readWeights().map((w) => w * 10));
    const ctx = makeContext(layers, SPECS, { scheme: createScheme('irregular'), epochs: 1, stepsPerEpoch: 6 });
    let moved = false;
    simulate(createMethod('set', { schedule, epochs: 1, stepsPerEpoch: 6 }), ctx, {
      onHook: () => {
        const counts = layers.map((layer) => activeOf(layer.mask));
        expect(counts[0] + counts[1]).toBe(220);
        if (counts[0] < 120) moved = true;
      },
    });
    expect(moved).toBe(true);
  });
});

describe('gmp', () => {
  it('should start dense and end exactly at the final density', () => {
    const schedule = parseSchedule({ kind: 'granet', initDensity: 1, finalDensity: 0.1, initPruneEpoch: 0, finalPruneEpoch: 2, updateInterval: 2, regenerate: false });
    const layers = makeLayers(SPECS);
    const ctx = makeContext(layers, SPECS, { scheme: createScheme('irregular'), epochs: 3, stepsPerEpoch: 4 });
    const sut = createMethod('gmp', { schedule, epochs: 3, stepsPerEpoch: 4 });
    const totals: number[] = [];
    simulate(sut, ctx, { onHook: (event) => event.summary && totals.push(event.summary.active) });
    expect(totals[0]).toBeLessThan(800);
    expect(totals.at(-1)).toBe(80);
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
    expect(sut.masksGradients).toBe(false);
  });
});
