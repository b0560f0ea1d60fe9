// VRPGE (spec 5): one score s_o ∈ [0,1] per output channel of every gated layer; each step samples K channel masks
// m ~ Bernoulli(s) through setOutputGate, accumulates the weight gradient over the K passes (each scaled 1/K),
// estimates the score gradient with the variance-reduced estimator, clips it, steps Adam on the scores (cosine
// learning rate per epoch over the main phase) and projects onto Σ s <= keepFraction·n. The last `finetuneEpochs`
// epochs of the run train the weights with one fixed sampled mask (K = 1, scores frozen). That mask is written into
// the layer masks (whole output rows) as soon as it is drawn, so the fine-tune phase trains only the kept channels on
// the sparse path (the gate already zeroes the closed rows' outputs and gradients, so nothing else changes); at the
// end of training the gates are removed.
//
// Gated layers: every masked layer except the last (the classifier is never gated). Layers at density 1 in
// ctx.layerDensities are left alone like everywhere else, so use an allocation that gives every gated layer a
// density below 1 (uniform) to gate the first conv as the reference does.
// Deviation: the reference clips the global norm over scores and weights together; here the score gradient is
// clipped on its own (the trainer clips the weights with its own clipNorm).
import type { VrpgeSchedule } from '../schedules/schema.js';
import { rowLength, type SparseLayer } from '../types.js';
import { setWholeMask, updateRng } from './common.js';
import { maskedLayers } from './layers.js';
import { MethodStateError, packFloat64, requireEntry, requireFloat64 } from './method-state.js';
import type { CustomStepContext, MethodContext, MethodState, SparseTrainingMethod, StepInfo } from './types.js';
import { AdamState, clipByNorm, projectOntoBudget, scoreDirection, varianceReducedGradient } from './vrpge-scores.js';

export interface VrpgeMethod extends SparseTrainingMethod {
  /** Current channel scores per gated layer (copies). */
  channelScores(): Map<string, Float64Array>;
}

interface GatedLayer {
  readonly layer: SparseLayer;
  readonly offset: number;
}

export function createVrpge(schedule: VrpgeSchedule): VrpgeMethod {
  let gated: GatedLayer[] = [];
  let scores = new Float64Array(0);
  let adam = new AdamState(0);
  let fixedMask: Float64Array | undefined;
  let finetuneStart = Infinity;
  let mainEpochs = 1;

  const setGates = (mask: Float64Array): void => {
    for (const { layer, offset } of gated) layer.setOutputGate(Float32Array.from(mask.subarray(offset, offset + layer.shape.out)));
  };
  /** Zero the closed channels' rows of the layer masks (idempotent). */
  const pruneClosedRows = (mask: Float64Array): void => {
    for (const { layer, offset } of gated) {
      const row = rowLength(layer.shape);
      const next = layer.mask;
      let changed = false;
      for (let o = 0; o < layer.shape.out; o++) {
        if (mask[offset + o] !== 0) continue;
        for (let e = o * row; e < (o + 1) * row; e++) changed ||= next[e] !== 0;
        next.fill(0, o * row, (o + 1) * row);
      }
      if (changed) setWholeMask(layer, next);
    }
  };
  const sample = (ctx: MethodContext, purpose: string, step: number): Float64Array => {
    const rng = updateRng(ctx, 'channels', `vrpge/${purpose}`, step);
    return Float64Array.from(scores, (s) => (rng.next() < s ? 1 : 0));
  };

  return {
    name: 'vrpge',
    masksGradients: false,
    needsDenseGradient: () => false,
    initialize(ctx) {
      const candidates = maskedLayers(ctx);
      const last = ctx.layers[ctx.layers.length - 1];
      let offset = 0;
      gated = candidates.filter((layer) => layer !== last).map((layer) => {
        const entry = { layer, offset };
        offset += layer.shape.out;
        return entry;
      });
      scores = new Float64Array(offset).fill(schedule.scoreInit);
      projectOntoBudget(scores, schedule.keepFraction * scores.length);
      adam = new AdamState(offset);
      fixedMask = undefined;
      finetuneStart = ctx.epochs - schedule.finetuneEpochs;
      mainEpochs = Math.max(1, finetuneStart);
    },
    weightLearningRate(info: StepInfo, scheduled: number) {
      return info.epoch >= finetuneStart ? schedule.finetuneLearningRate : scheduled;
    },
    customStep(info: StepInfo, ctx: MethodContext, step: CustomStepContext) {
      if (gated.length === 0) {
        const pass = step.lossAndGradients();
        pass.accumulate(1);
        return { loss: pass.loss };
      }
      if (info.epoch >= finetuneStart) {
        if (!fixedMask) {
          fixedMask = sample(ctx, 'finetune', 0);
          setGates(fixedMask);
          pruneClosedRows(fixedMask);
        }
        const pass = step.lossAndGradients();
        pass.accumulate(1);
        return { loss: pass.loss };
      }
      const K = schedule.samples;
      const losses: number[] = [];
      const directions: Float64Array[] = [];
      for (let k = 0; k < K; k++) {
        const mask = sample(ctx, `sample/${k}`, info.step);
        setGates(mask);
        const pass = step.lossAndGradients();
        pass.accumulate(1 / K);
        losses.push(pass.loss);
        directions.push(scoreDirection(mask, scores, schedule.scoreDenominator));
      }
      const gradient = varianceReducedGradient(losses, directions);
      clipByNorm(gradient, schedule.clipNorm);
      const learningRate = 0.5 * (1 + Math.cos((Math.PI * Math.min(info.epoch, mainEpochs)) / mainEpochs)) * schedule.scoreLearningRate;
      adam.step(scores, gradient, learningRate);
      projectOntoBudget(scores, schedule.keepFraction * scores.length);
      return { loss: losses.reduce((a, b) => a + b, 0) / K };
    },
    onTrainingEnd(ctx) {
      if (gated.length === 0) return;
      pruneClosedRows(fixedMask ?? sample(ctx, 'finetune', 0));
      for (const { layer } of gated) layer.setOutputGate(null);
    },
    exportState() {
      const moments = adam.snapshot();
      const state: Record<string, Float32Array> = {
        scores: packFloat64(scores),
        'adam/m': packFloat64(moments.m),
        'adam/v': packFloat64(moments.v),
        'adam/t': Float32Array.of(moments.t),
      };
      if (fixedMask) state.fixedMask = packFloat64(fixedMask);
      return state;
    },
    importState(state: MethodState) {
      scores = requireFloat64(state, 'scores', scores.length, 'vrpge');
      const m = requireFloat64(state, 'adam/m', scores.length, 'vrpge');
      const v = requireFloat64(state, 'adam/v', scores.length, 'vrpge');
      const t = requireEntry(state, 'adam/t', 'vrpge');
      if (t.length !== 1 || !Number.isInteger(t[0]) || t[0] < 0) throw new MethodStateError('vrpge', `'adam/t' is not a step count`);
      adam.restore(m, v, t[0]);
      fixedMask = state.fixedMask === undefined ? undefined : requireFloat64(state, 'fixedMask', scores.length, 'vrpge');
      // The fine-tune gates are set once when the mask is drawn; main-phase gates are redrawn before every pass.
      if (fixedMask) {
        setGates(fixedMask);
        pruneClosedRows(fixedMask);
      }
    },
    channelScores() {
      return new Map(gated.map(({ layer, offset }) => [layer.name, scores.slice(offset, offset + layer.shape.out)]));
    },
  };
}
