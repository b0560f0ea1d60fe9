import { describe, expect, it } from 'vitest';
import { bytesToFloat32, float32ToBytes } from '../../../client/src/engine/checkpoint/tensor-codec.js';
import type { ArrayLayer } from '../../../client/src/engine/sparse/array-layer.js';
import { createDsb } from '../../../client/src/engine/sparse/methods/dsb.js';
import { MethodStateError, packFloat64, unpackFloat64 } from '../../../client/src/engine/sparse/methods/method-state.js';
import { createMethod } from '../../../client/src/engine/sparse/methods/registry.js';
import type { MethodContext, MethodState, SparseTrainingMethod } from '../../../client/src/engine/sparse/methods/types.js';
import { createVrpge } from '../../../client/src/engine/sparse/methods/vrpge.js';
import { parseSchedule, type DsbSchedule, type VrpgeSchedule } from '../../../client/src/engine/sparse/schedules/schema.js';
import { createScheme } from '../../../client/src/engine/sparse/schemes/registry.js';
import { convShape, layerSize, linearShape } from '../../../client/src/engine/sparse/types.js';
import { createRng } from '../../../client/src/engine/util/rng.js';
import { makeContext, makeLayers, simulate, type LayerSpec } from '../methods/harness.js';

const DSB_SPECS: LayerSpec[] = [
  { name: 'conv2', shape: convShape(16, 8, 3, 3), density: 0.2 },
  { name: 'fc', shape: linearShape(10, 64), density: 0.3 },
];
const dsbSchedule = parseSchedule({ kind: 'dsb', updateInterval: 2, endFraction: 1, dropFraction: 0.3, blockSize: 4 }) as DsbSchedule;

function bytesOf(state: MethodState): Record<string, string> {
  return Object.fromEntries(Object.entries(state).map(([key, values]) => [key, Buffer.from(float32ToBytes(values)).toString('hex')]));
}

/** Copies masks and weights of `from` into `to`, as restoreCheckpoint does before importState. */
function copyLayers(from: readonly ArrayLayer[], to: readonly ArrayLayer[]): void {
  to.forEach((layer, i) => {
    layer.setMask(from[i].mask, { grownInit: 'keep' });
    layer.writeWeights(from[i].readWeights());
  });
}

/** One simulated step with the same gradient on both layer sets, then each method's afterStep. */
function stepBoth(runs: Array<{ method: SparseTrainingMethod; ctx: MethodContext }>, step: number): void {
  const rng = createRng(step);
  const gradients = runs[0].ctx.layers.map((layer) => Float32Array.from({ length: layerSize(layer.shape) }, () => rng.normal() * 0.01));
  for (const { method, ctx } of runs) {
    (ctx.layers as ArrayLayer[]).forEach((layer, i) => layer.simulateStep({ gradient: gradients[i], learningRate: 0.1, keepGradient: true }));
    method.afterStep?.({ step, epoch: 1 }, ctx);
  }
}

describe('method state export and import', () => {
  it('should carry float64 values bit-exactly, NaN payloads included, through the checkpoint byte codec', () => {
    // Prepare: a float64 whose low word is a signalling float32 NaN pattern
    const raw = new Uint8Array(16);
    new DataView(raw.buffer).setUint32(0, 0x7f800001, true);
    new DataView(raw.buffer).setUint32(4, 0x3ff00000, true);
    new DataView(raw.buffer).setFloat64(8, Math.PI, true);
    const values = new Float64Array(raw.buffer);

    // Execute
    const back = unpackFloat64(bytesToFloat32(float32ToBytes(packFloat64(values))));

    // Assert
    expect(Buffer.from(back.buffer).equals(Buffer.from(raw))).toBe(true);
  });

  it('should let a DSB method resumed from exported state update masks exactly as the original', () => {
    // Prepare: the original runs one epoch (updates at steps 2, 4, 6)
    const scheme = createScheme('shuffled-block', { blockSize: 4 });
    const originalLayers = makeLayers(DSB_SPECS, 5);
    const ctx = makeContext(originalLayers, DSB_SPECS, { scheme, epochs: 2, stepsPerEpoch: 6 });
    const original = createDsb('dsb', dsbSchedule);
    simulate(original, { ...ctx, epochs: 1, totalSteps: 12 });
    const resumedLayers = makeLayers(DSB_SPECS, 5);
    const resumedCtx = makeContext(resumedLayers, DSB_SPECS, { scheme, epochs: 2, stepsPerEpoch: 6 });
    const resumed = createDsb('dsb', dsbSchedule);
    resumed.initialize(resumedCtx);
    const initialState = bytesOf(resumed.exportState?.() ?? {});

    // Execute
    copyLayers(originalLayers, resumedLayers);
    resumed.importState?.(original.exportState?.() ?? {}, resumedCtx);
    stepBoth([{ method: original, ctx }, { method: resumed, ctx: resumedCtx }], 8);

    // Assert
    expect(bytesOf(resumed.exportState?.() ?? {})).toEqual(bytesOf(original.exportState?.() ?? {}));
    expect(bytesOf(original.exportState?.() ?? {})).not.toEqual(initialState);
    expect(Object.keys(initialState).sort()).toEqual(['conv2/blocks', 'conv2/rowGroups']);
    resumedLayers.forEach((layer, i) => expect(layer.mask).toEqual(originalLayers[i].mask));
  });

  it('should restore VRPGE scores and Adam moments', () => {
    // Prepare
    const specs: LayerSpec[] = [
      { name: 'conv1', shape: convShape(8, 3, 3, 3), density: 0.5 },
      { name: 'fc', shape: linearShape(10, 8), density: 0.5 },
    ];
    const schedule = parseSchedule({ kind: 'vrpge', finetuneEpochs: 1 }) as VrpgeSchedule;
    const options = { scheme: createScheme('irregular'), epochs: 3, stepsPerEpoch: 4 };
    const original = createVrpge(schedule);
    // Two score-phase epochs, then the fine-tune epoch draws the fixed mask.
    simulate(original, makeContext(makeLayers(specs), specs, options));
    const resumed = createVrpge(schedule);
    const ctx = makeContext(makeLayers(specs), specs, options);
    resumed.initialize(ctx);

    // Execute
    resumed.importState?.(original.exportState?.() ?? {}, ctx);

    // Assert
    expect(resumed.channelScores()).toEqual(original.channelScores());
    expect(bytesOf(resumed.exportState?.() ?? {})).toEqual(bytesOf(original.exportState?.() ?? {}));
    expect([...(original.channelScores().get('conv1') ?? [])].some((s) => s !== 0.5)).toBe(true);
    expect(Object.keys(original.exportState?.() ?? {}).sort()).toEqual(['adam/m', 'adam/t', 'adam/v', 'fixedMask', 'scores']);
  });

  it('should reject state that does not fit the run', () => {
    // Prepare
    const specs: LayerSpec[] = [
      { name: 'conv1', shape: convShape(8, 3, 3, 3), density: 0.5 },
      { name: 'fc', shape: linearShape(10, 8), density: 0.5 },
    ];
    const ctx = makeContext(makeLayers(specs), specs, { scheme: createScheme('irregular'), epochs: 3, stepsPerEpoch: 4 });
    const vrpge = createVrpge(parseSchedule({ kind: 'vrpge', finetuneEpochs: 1 }) as VrpgeSchedule);
    vrpge.initialize(ctx);
    const rigl = createMethod('rigl', { epochs: 3, stepsPerEpoch: 4 });
    rigl.initialize(ctx);

    // Assert
    expect(() => vrpge.importState?.({ scores: packFloat64(new Float64Array(3)) }, ctx)).toThrow(MethodStateError);
    expect(() => vrpge.importState?.({}, ctx)).toThrow(/missing 'scores'/);
    expect(() => rigl.importState?.({ x: new Float32Array(1) }, ctx)).toThrow(/keeps no state/);
    expect(rigl.exportState?.()).toEqual({});
  });
});
