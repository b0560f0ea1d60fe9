// Every method × every scheme it supports, driven through a whole simulated run: exact counts after every update,
// masks changing only on update steps, grown weights at zero, density-1 layers untouched, scheme conformance.
import { describe, expect, it } from 'vitest';
import { activeCount } from '../../../client/src/engine/sparse/allocation/count.js';
import { schemeForLayer } from '../../../client/src/engine/sparse/methods/prune-and-grow.js';
import { createMethod } from '../../../client/src/engine/sparse/methods/registry.js';
import type { MethodName } from '../../../client/src/engine/sparse/methods/types.js';
import { defaultScheduleFor } from '../../../client/src/engine/sparse/schedules/defaults.js';
import { granetDensityAt, isGranetPruneStep } from '../../../client/src/engine/sparse/schedules/granet.js';
import { isMestUpdateEpoch, mestBoundsAt } from '../../../client/src/engine/sparse/schedules/mest.js';
import type { Schedule } from '../../../client/src/engine/sparse/schedules/schema.js';
import { isUpdateStep } from '../../../client/src/engine/sparse/schedules/timing.js';
import { createScheme } from '../../../client/src/engine/sparse/schemes/registry.js';
import { SCHEME_NAMES, type SchemeName, type SparsityScheme } from '../../../client/src/engine/sparse/schemes/types.js';
import { convShape, layerSize, linearShape, type LayerShape } from '../../../client/src/engine/sparse/types.js';
import { activeOf, makeContext, makeLayers, simulate, type HookEvent, type LayerSpec } from './harness.js';

const SPECS: LayerSpec[] = [
  { name: 'conv1', shape: convShape(8, 3, 3, 3), density: 0.5 },
  { name: 'conv2', shape: convShape(16, 8, 3, 3), density: 0.25 },
  { name: 'dense', shape: linearShape(16, 32), density: 1 },
  { name: 'fc', shape: linearShape(10, 64), density: 0.3 },
];
const RUN = { epochs: 4, stepsPerEpoch: 6, density: 0.3 };
const BLOCK_SIZE = 4;
const ELEMENT_METHODS: MethodName[] = ['static', 'set', 'rigl', 'itop', 'gmp', 'gmp-uniform', 'granet', 'granet-uniform', 'mest-em', 'mest-ems'];

const cases: [MethodName, SchemeName][] = [
  ...ELEMENT_METHODS.flatMap((method) => SCHEME_NAMES.map((scheme) => [method, scheme] as [MethodName, SchemeName])),
  ['dsb', 'shuffled-block'],
  ['ssb', 'shuffled-block'],
];

function quantum(scheme: SparsityScheme, shape: LayerShape): number {
  const own = schemeForLayer(scheme, shape);
  return own.roundCount(shape, own.groupSize(shape));
}

describe('sparse-training methods', () => {
  it.each(cases)('%s with %s should keep every invariant through a run', (method, schemeName) => {
    // Prepare
    const scheme = createScheme(schemeName, { blockSize: BLOCK_SIZE });
    const layers = makeLayers(SPECS);
    const ctx = makeContext(layers, SPECS, { scheme, ...RUN });
    const schedule = defaultScheduleFor(method, RUN) as Schedule | undefined;
    const tuned = schedule?.kind === 'dsb' ? { ...schedule, blockSize: BLOCK_SIZE } : schedule;
    const sut = createMethod(method, { schedule: tuned, epochs: RUN.epochs, stepsPerEpoch: RUN.stepsPerEpoch });
    const masked = SPECS.map((spec) => spec.density < 1);
    const denseIndex = SPECS.findIndex((spec) => spec.density === 1);
    const denseWeights = layers[denseIndex].readWeights();
    let initialCounts: number[] = [];
    let updates = 0;
    const isBlockLayer = (i: number) => SPECS[i].shape.kind === 'conv' && scheme.unsupportedReason(SPECS[i].shape) === undefined;

    // Execute + Assert after every hook
    simulate(sut, ctx, {
      onHook: (event: HookEvent) => {
        const counts = layers.map((layer) => activeOf(layer.mask));
        expect(event.written[denseIndex]).toBe(false);
        expect(counts[denseIndex]).toBe(layerSize(SPECS[denseIndex].shape));
        layers.forEach((layer, i) => {
          if (!masked[i]) return;
          const own = method === 'dsb' || method === 'ssb' ? (isBlockLayer(i) ? scheme : createScheme('irregular')) : schemeForLayer(scheme, layer.shape);
          expect(own.conforms(layer.shape, layer.mask), `${layer.name} conforms after ${event.hook}@${event.info.step}`).toBe(true);
          const weights = layer.readWeights();
          const before = event.masksBefore[i];
          const mask = layer.mask;
          if (event.hook !== 'initialize') {
            for (let e = 0; e < mask.length; e++) if (mask[e] && !before[e]) expect(weights[e]).toBe(0);
          }
        });
        if (event.hook === 'initialize') {
          initialCounts = counts;
          return;
        }
        const changed = event.written.some(Boolean);
        const expectedUpdate = expectUpdate(method, tuned, event);
        if (changed) expect(expectedUpdate, `mask changed at ${event.hook}@${event.info.step}`).toBe(true);
        if (expectedUpdate) {
          expect(event.summary).toBeDefined();
          updates++;
        } else {
          expect(event.summary).toBeUndefined();
        }
        if (!expectedUpdate) return;
        checkCounts(method, tuned, scheme, event, counts, initialCounts);
      },
    });

    expect(layers[denseIndex].readWeights()).not.toEqual(denseWeights); // trained, but never masked
    if (method !== 'static' && method !== 'ssb') expect(updates).toBeGreaterThan(0);
  });
});

function expectUpdate(method: MethodName, schedule: Schedule | undefined, event: HookEvent): boolean {
  if (schedule === undefined || event.hook === 'onTrainingEnd') return false;
  if (schedule.kind === 'mest') return event.hook === 'onEpochStart' && isMestUpdateEpoch(schedule, event.info.epoch);
  if (event.hook !== 'afterStep') return false;
  if (method === 'ssb') return false;
  return isUpdateStep(schedule, event.info.step, RUN);
}

function checkCounts(method: MethodName, schedule: Schedule | undefined, scheme: SparsityScheme, event: HookEvent, counts: number[], initial: number[]): void {
  const maskedIndices = SPECS.map((spec, i) => (spec.density < 1 ? i : -1)).filter((i) => i >= 0);
  switch (schedule?.kind) {
    case 'dst':
      for (const i of maskedIndices) expect(counts[i], SPECS[i].name).toBe(initial[i]);
      return;
    case 'dsb':
      for (const i of maskedIndices) {
        expect(counts[i], SPECS[i].name).toBe(initial[i]);
        const shape = SPECS[i].shape;
        if (shape.kind === 'conv' && scheme.unsupportedReason(shape) === undefined) {
          const nblocks = Math.ceil(activeCount(shape, SPECS[i].density) / BLOCK_SIZE ** 2);
          expect(counts[i]).toBe(nblocks * BLOCK_SIZE ** 2);
        }
      }
      return;
    case 'granet': {
      if (!isGranetPruneStep(schedule, event.info.step, RUN)) return;
      const sizes = maskedIndices.map((i) => layerSize(SPECS[i].shape));
      const total = sizes.reduce((a, b) => a + b, 0);
      const scheduled = granetDensityAt(schedule, event.info.step, RUN);
      // Global ranking: the schedule's density is over every maskable layer, the allocation's dense layers included.
      const all = SPECS.reduce((sum, spec) => sum + layerSize(spec.shape), 0);
      const density = method.endsWith('-uniform') ? scheduled : (scheduled * all - (all - total)) / total;
      const actual = maskedIndices.reduce((sum, i) => sum + counts[i], 0);
      if (method === 'gmp-uniform' || method === 'granet-uniform') {
        // Every layer at the same density (rounded by its scheme, never above what it had).
        for (const i of maskedIndices) {
          const expected = Math.min(activeOf(event.masksBefore[i]), activeCount(SPECS[i].shape, density));
          const tolerance = schemeForLayer(scheme, SPECS[i].shape).name === 'irregular' ? 0 : quantum(scheme, SPECS[i].shape);
          expect(Math.abs(counts[i] - expected), SPECS[i].name).toBeLessThanOrEqual(tolerance);
        }
      } else if (scheme.name === 'irregular') {
        expect(actual).toBe(Math.round(total * density));
      } else {
        // Structured schemes round per layer, and a pattern layer can never be denser than 4/9.
        const tolerance = maskedIndices.reduce((sum, i) => sum + quantum(scheme, SPECS[i].shape), 0);
        const available = maskedIndices.reduce((sum, i) => sum + activeOf(event.masksBefore[i]), 0);
        expect(Math.abs(actual - Math.min(total * density, available))).toBeLessThanOrEqual(tolerance);
      }
      return;
    }
    case 'mest': {
      const { upper } = mestBoundsAt(schedule, event.info.epoch);
      for (const i of maskedIndices) {
        const target = activeCount(SPECS[i].shape, 1 - upper);
        if (schemeForLayer(scheme, SPECS[i].shape).name === 'irregular') expect(counts[i], SPECS[i].name).toBe(target);
        else expect(Math.abs(counts[i] - target)).toBeLessThanOrEqual(quantum(scheme, SPECS[i].shape));
      }
      return;
    }
    default:
      return;
  }
}
