// aggregateRound: one round's client updates into the next global model.
//   - Each update weighs w = examples × min(1, stepsDone / stepsPlanned): example-weighted FedAvg, with partial
//     work (a straggler cut off early) counting for the share of its steps it did.
//   - Mask-aware: at every position the mean delta is Σ w_k δ_k / Σ w_k over the clients whose mask holds that
//     position (δ = local − global; a 'weights' update is turned into δ against the global values, 0 outside the
//     global mask). A position no client held keeps its global value.
//   - The server optimizer (FedAvg / FedAvgM / FedAdam, ./server-optimizer.ts) turns the mean delta into the step.
//   - The mask then moves per the mask mode (./mask-consensus.ts), every layer keeping its active count.
// Call validateUpdate on every update first: this function assumes well-formed updates and throws RangeError
// when one is not.
import type {
  AggregateOptions,
  AggregateResult,
  FederatedClientUpdate,
  LayerMaskChange,
  LayerMaskProposal,
  SparseTensor,
  SparseTensorSet,
} from './contract.js';
import { consensusMask, methodMask, type WeightedProposal } from './mask-consensus.js';
import { ServerOptimizer } from './server-optimizer.js';
import { activeCount, denseValues, maskedDensity, tensorLike, tensorsByName } from './tensors.js';

interface Contribution {
  readonly update: FederatedClientUpdate;
  readonly weight: number;
  readonly tensors: ReadonlyMap<string, SparseTensor>;
}

/** examples × min(1, stepsDone / stepsPlanned); 0 for an update that did no work. */
export function contributionWeight(update: Pick<FederatedClientUpdate, 'examples' | 'stepsDone' | 'stepsPlanned'>): number {
  if (update.stepsPlanned <= 0 || update.stepsDone <= 0) return 0;
  return update.examples * Math.min(1, update.stepsDone / update.stepsPlanned);
}

export function aggregateRound(global: SparseTensorSet, updates: readonly FederatedClientUpdate[], options: AggregateOptions): AggregateResult {
  const contributions: Contribution[] = updates
    .map((update) => ({ update, weight: contributionWeight(update), tensors: tensorsByName(update.tensors) }))
    .filter((contribution) => contribution.weight > 0);
  const totalWeight = contributions.reduce((sum, contribution) => sum + contribution.weight, 0);
  const meanLoss = totalWeight === 0 ? 0 : contributions.reduce((sum, c) => sum + c.weight * c.update.metrics.loss, 0) / totalWeight;
  const optimizer = new ServerOptimizer(options.serverOptimizer ?? { kind: 'fedavg' }, options.serverState);
  if (contributions.length === 0) {
    return { model: global, maskChanges: [], ...withState(optimizer), stats: { contributors: 0, totalWeight: 0, meanLoss: 0, uncoveredPositions: 0, density: maskedDensity(global) } };
  }
  const proposals = weightedProposals(contributions);
  const tensors: SparseTensor[] = [];
  const maskChanges: LayerMaskChange[] = [];
  let uncoveredPositions = 0;
  for (const tensor of global.tensors) {
    const globalValues = denseValues(tensor);
    const { meanDelta, covered } = meanDeltaOf(tensor, globalValues, contributions);
    const step = optimizer.step({ name: tensor.name, kind: tensor.kind, meanDelta, covered });
    const values = globalValues.map((value, i) => value + step[i]);
    if (tensor.kind !== 'masked') {
      tensors.push(tensorLike(tensor, values));
      continue;
    }
    const globalMask = tensor.mask!;
    for (let i = 0; i < globalMask.length; i++) if (globalMask[i] !== 0 && covered[i] === 0) uncoveredPositions++;
    if (options.maskMode === 'fixed') {
      tensors.push(tensorLike(tensor, values));
      continue;
    }
    const outcome =
      options.maskMode === 'consensus'
        ? consensusMask(tensor, values, proposals, options.consensus?.fraction ?? 0)
        : methodMask(tensor, values, covered);
    optimizer.reset(tensor.name, [...outcome.change.pruned, ...outcome.change.grown]);
    // Grown positions start at 0 in consensus mode (no client trained them); in method mode they keep the mean.
    if (options.maskMode === 'consensus') for (const position of outcome.change.grown) values[position] = 0;
    tensors.push(tensorLike(tensor, values, outcome.mask));
    if (outcome.change.pruned.length > 0 || outcome.change.grown.length > 0) maskChanges.push(outcome.change);
  }
  const model = { tensors };
  return {
    model,
    maskChanges,
    ...withState(optimizer),
    stats: { contributors: contributions.length, totalWeight, meanLoss, uncoveredPositions, density: maskedDensity(model) },
  };
}

function withState(optimizer: ServerOptimizer): { serverState?: SparseTensorSet } {
  const state = optimizer.state();
  return state === undefined ? {} : { serverState: state };
}

/** Σ w δ / Σ w at every position over the clients holding it; `covered` marks positions any client held. */
function meanDeltaOf(tensor: SparseTensor, globalValues: Float32Array, contributions: readonly Contribution[]) {
  const size = globalValues.length;
  const sum = new Float64Array(size);
  const weights = new Float64Array(size);
  for (const { update, weight, tensors } of contributions) {
    const local = tensors.get(tensor.name);
    if (local === undefined) throw new RangeError(`an update lacks tensor '${tensor.name}' (validate updates first)`);
    const isDelta = update.kind === 'delta';
    forEachValue(local, (position, value) => {
      sum[position] += weight * (isDelta ? value : value - globalValues[position]);
      weights[position] += weight;
    });
  }
  const meanDelta = new Float32Array(size);
  const covered = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    if (weights[i] === 0) continue;
    meanDelta[i] = sum[i] / weights[i];
    covered[i] = 1;
  }
  return { meanDelta, covered };
}

function forEachValue(tensor: SparseTensor, visit: (position: number, value: number) => void): void {
  const { mask, values } = tensor;
  if (mask === undefined) {
    values.forEach((value, position) => visit(position, value));
    return;
  }
  if (values.length !== activeCount(mask)) throw new RangeError(`tensor '${tensor.name}' has values that do not match its mask`);
  let at = 0;
  for (let position = 0; position < mask.length; position++) if (mask[position] !== 0) visit(position, values[at++]);
}

function weightedProposals(contributions: readonly Contribution[]): WeightedProposal[] {
  return contributions
    .filter((contribution) => contribution.update.maskProposal !== undefined)
    .map((contribution) => ({
      weight: contribution.weight,
      layers: new Map<string, LayerMaskProposal>(contribution.update.maskProposal!.map((layer) => [layer.name, layer])),
    }));
}
