// DSB / SSB (spec 4). Conv layers the shuffled-block scheme supports are block layers: budget int(d·N) → nblocks =
// ceil(budget / B²), initialised as the top-budget |w| of the init followed by block extraction. Other conv layers
// (e.g. a 3-channel first conv) keep their unstructured initial mask and are never updated (reference). Linear
// layers are unstructured and get RigL-style element updates with the same fraction f(it).
//
// DSB update of a block layer (every T steps inside the window): drop candidates = active weights outside the top
// (budget − int(nnz·f)) by |w|; the block-aware filter cancels candidates unless their row or column holds at least
// B/2 candidates inside their block; grow the same number of inactive positions by dense |grad|; re-extract
// nblocks blocks with the grown positions scored at the mean positive |w|. One setMask per layer, nnz = nblocks·B².
// SSB ('ssb', or staticMask) stops after initialisation.
import { dsbDropFraction, isDsbUpdateStep } from '../schedules/dsb.js';
import type { DsbSchedule } from '../schedules/schema.js';
import { extractShuffledBlocks, type ExtractedBlocks } from '../schemes/shuffled-block.js';
import { IrregularScheme } from '../schemes/irregular.js';
import { activeCount } from '../allocation/count.js';
import { countActive, layerSize, rowLength, type Mask, type SparseLayer } from '../types.js';
import { topKIndices } from '../../util/select.js';
import { growScoreFor, initializeMasks, magnitudeInitScore, setWholeMask, summarize, updateRng, type LayerUpdateCounts } from './common.js';
import { layerDensity, maskedLayers } from './layers.js';
import { exportBlocks, importBlocks } from './dsb-state.js';
import { commitMask, growLayerMask, pruneAndGrow } from './prune-and-grow.js';
import { magnitudeScore } from './scores.js';
import type { MethodContext, MethodName, MethodState, SparseTrainingMethod, StepInfo } from './types.js';

const IRREGULAR = new IrregularScheme();

interface BlockLayerState {
  readonly budget: number;
  readonly nblocks: number;
  blocks: ExtractedBlocks;
}

export function createDsb(name: Extract<MethodName, 'dsb' | 'ssb'>, schedule: DsbSchedule): SparseTrainingMethod {
  const staticMask = name === 'ssb' || schedule.staticMask;
  const effective: DsbSchedule = { ...schedule, staticMask };
  const B = schedule.blockSize;
  const blockLayers = new Map<string, BlockLayerState>();
  let run: MethodContext | undefined;

  const isBlockLayer = (ctx: MethodContext, layer: SparseLayer): boolean =>
    layer.shape.kind === 'conv' && ctx.scheme.unsupportedReason(layer.shape) === undefined;

  return {
    name,
    masksGradients: true,
    initialize(ctx) {
      run = ctx;
      assertShuffledBlockScheme(ctx, schedule);
      const layers = maskedLayers(ctx);
      const elementLayers = layers.filter((layer) => !isBlockLayer(ctx, layer));
      initializeMasks({ ...ctx, scheme: IRREGULAR }, elementLayers, magnitudeInitScore);
      for (const layer of layers.filter((l) => isBlockLayer(ctx, l))) {
        const budget = activeCount(layer.shape, layerDensity(ctx, layer));
        const nblocks = Math.min(Math.ceil(budget / (B * B)), layerSize(layer.shape) / (B * B));
        const magnitudes = magnitudeScore(layer.readWeights());
        const elementMask = IRREGULAR.project(layer.shape, magnitudes, budget, ctx.rng);
        const blocks = extractShuffledBlocks({ shape: layer.shape, magnitudes, mask: elementMask, blockSize: B, nblocks });
        blockLayers.set(layer.name, { budget, nblocks, blocks });
        setWholeMask(layer, blocks.mask);
      }
    },
    needsDenseGradient(info: StepInfo) {
      return run !== undefined && isDsbUpdateStep(effective, info.step + 1, run);
    },
    afterStep(info, ctx) {
      if (!isDsbUpdateStep(effective, info.step, ctx)) return undefined;
      const fraction = dsbDropFraction(effective, info.step - 1, ctx);
      const changes: LayerUpdateCounts[] = [];
      for (const layer of maskedLayers(ctx)) {
        const state = blockLayers.get(layer.name);
        if (state) changes.push(updateBlockLayer(ctx, info, layer, state, fraction, B));
        else if (layer.shape.kind === 'linear') changes.push(updateLinearLayer(ctx, info, layer, fraction));
      }
      return summarize(info, ctx, changes);
    },
    exportState() {
      const state: Record<string, Float32Array> = {};
      for (const [layer, layerState] of blockLayers) Object.assign(state, exportBlocks(layer, layerState.blocks));
      return state;
    },
    importState(state: MethodState, ctx: MethodContext) {
      for (const layer of maskedLayers(ctx)) {
        const layerState = blockLayers.get(layer.name);
        if (layerState) layerState.blocks = importBlocks(state, layer.name, layer.mask, name);
      }
    },
  };
}

function assertShuffledBlockScheme(ctx: MethodContext, schedule: DsbSchedule): void {
  const hasConv = maskedLayers(ctx).some((layer) => layer.shape.kind === 'conv');
  if (!hasConv) return;
  if (ctx.scheme.name !== 'shuffled-block') {
    throw new Error(`dsb: conv layers need scheme 'shuffled-block', got '${ctx.scheme.name}'`);
  }
  const schemeBlock = (ctx.scheme as { blockSize?: number }).blockSize;
  if (schemeBlock !== undefined && schemeBlock !== schedule.blockSize) {
    throw new Error(`dsb.blockSize: ${schedule.blockSize} differs from the scheme's block size ${schemeBlock}`);
  }
}

function updateLinearLayer(ctx: MethodContext, info: StepInfo, layer: SparseLayer, fraction: number): LayerUpdateCounts {
  const active = countActive(layer.mask);
  const drop = Math.floor(active * fraction);
  const rng = updateRng(ctx, layer.name, 'dsb/grow', info.step);
  return pruneAndGrow(layer, {
    scheme: IRREGULAR,
    pruneTo: active - drop,
    growCount: (kept) => active - kept,
    dropScore: magnitudeScore(layer.readWeights()),
    growScore: growScoreFor(layer, 'gradient', rng, 'dsb', info.step),
    rng,
    grownInit: 'zero',
  });
}

function updateBlockLayer(
  ctx: MethodContext,
  info: StepInfo,
  layer: SparseLayer,
  state: BlockLayerState,
  fraction: number,
  B: number,
): LayerUpdateCounts {
  const before = layer.mask;
  const active = countActive(before);
  const magnitudes = magnitudeScore(layer.readWeights());
  const remain = Math.max(0, state.budget - Math.floor(active * fraction));
  const candidates = new Uint8Array(before.length);
  const keep = topKIndices(magnitudes, remain, (i) => before[i] === 1);
  for (let i = 0; i < before.length; i++) candidates[i] = before[i];
  for (const i of keep) candidates[i] = 0;
  const survivors = blockAwareFilter(candidates, state.blocks, rowLength(layer.shape), B);
  const dropped = Uint8Array.from(before, (m, i) => (m && !survivors[i] ? 1 : 0));
  const dropCount = active - countActive(dropped);
  const rng = updateRng(ctx, layer.name, 'dsb/grow', info.step);
  const grownMask = growLayerMask(layer.name, layer.shape, dropped, IRREGULAR, dropCount, growScoreFor(layer, 'gradient', rng, 'dsb', info.step), rng);
  const newlyGrown = Uint8Array.from(grownMask, (m, i) => (m && !dropped[i] ? 1 : 0));
  state.blocks = extractShuffledBlocks({
    shape: layer.shape,
    magnitudes,
    mask: grownMask,
    blockSize: B,
    nblocks: state.nblocks,
    grownMask: newlyGrown,
  });
  return commitMask(layer, before, state.blocks.mask, active, 'zero');
}

/**
 * Keeps a candidate drop at (i, j) only if, inside its current block, row i or column j holds at least B/2
 * candidates; candidates outside every block (none for a conforming mask) are kept.
 */
export function blockAwareFilter(candidates: Mask, blocks: ExtractedBlocks, columns: number, B: number): Mask {
  const survivors = Uint8Array.from(candidates);
  const threshold = B / 2;
  for (const block of blocks.blocks) {
    const rows = blocks.rowGroups[block.group];
    const rowCounts = new Uint32Array(rows.length);
    const columnCounts = new Uint32Array(block.columns.length);
    rows.forEach((row, r) =>
      block.columns.forEach((column, c) => {
        if (candidates[row * columns + column]) {
          rowCounts[r]++;
          columnCounts[c]++;
        }
      }),
    );
    rows.forEach((row, r) =>
      block.columns.forEach((column, c) => {
        const index = row * columns + column;
        if (candidates[index] && rowCounts[r] < threshold && columnCounts[c] < threshold) survivors[index] = 0;
      }),
    );
  }
  return survivors;
}
