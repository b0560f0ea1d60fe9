// validateUpdate: whether a decoded client update can be aggregated into the round's global model. The
// coordinator rejects an update that fails with a protocol error and leaves the round's model as it was.
import type { FederatedClientUpdate, MaskMode, SparseTensor, SparseTensorSet, UpdateProblem } from './contract.js';
import { activeCount, elementCount, tensorsByName } from './tensors.js';

export interface ValidateOptions {
  readonly maskMode: MaskMode;
  /** The round the update must belong to; absent = not checked. */
  readonly round?: number;
}

export function validateUpdate(global: SparseTensorSet, update: FederatedClientUpdate, options: ValidateOptions): UpdateProblem | null {
  if (options.round !== undefined && update.round !== options.round) {
    return { code: 'round', message: `the update is for round ${update.round}, the round is ${options.round}` };
  }
  const counts = checkCounts(update);
  if (counts !== null) return counts;
  if (!Number.isFinite(update.metrics.loss) || (update.metrics.accuracy !== undefined && !Number.isFinite(update.metrics.accuracy))) {
    return { code: 'not-finite', message: 'the metrics are not finite' };
  }
  const expected = tensorsByName(global);
  const seen = new Set<string>();
  for (const tensor of update.tensors.tensors) {
    if (seen.has(tensor.name)) return { code: 'names', message: `tensor '${tensor.name}' appears twice` };
    seen.add(tensor.name);
    const base = expected.get(tensor.name);
    if (base === undefined) return { code: 'names', message: `the model has no tensor '${tensor.name}'` };
    const problem = checkTensor(base, tensor, options.maskMode !== 'method');
    if (problem !== null) return problem;
  }
  const missing = [...expected.keys()].filter((name) => !seen.has(name));
  if (missing.length > 0) return { code: 'names', message: `the update lacks ${missing.map((name) => `'${name}'`).join(', ')}` };
  return checkProposal(expected, update, options.maskMode);
}

function checkCounts(update: FederatedClientUpdate): UpdateProblem | null {
  const { examples, stepsDone, stepsPlanned } = update;
  for (const [name, value] of Object.entries({ examples, stepsDone, stepsPlanned })) {
    if (!Number.isInteger(value) || value < 0) return { code: 'counts', message: `${name} ${value} is not a non-negative integer` };
  }
  if (stepsPlanned === 0) return { code: 'counts', message: 'stepsPlanned is 0' };
  if (stepsDone > stepsPlanned) return { code: 'counts', message: `stepsDone ${stepsDone} exceeds stepsPlanned ${stepsPlanned}` };
  return null;
}

function checkTensor(base: SparseTensor, tensor: SparseTensor, withinGlobalMask: boolean): UpdateProblem | null {
  const name = tensor.name;
  if (tensor.kind !== base.kind) return { code: 'kind', message: `tensor '${name}' is ${tensor.kind}, the model's is ${base.kind}` };
  if (tensor.shape.length !== base.shape.length || tensor.shape.some((dim, i) => dim !== base.shape[i])) {
    return { code: 'shape', message: `tensor '${name}' has shape [${tensor.shape.join(', ')}], the model's is [${base.shape.join(', ')}]` };
  }
  const size = elementCount(base.shape);
  if (tensor.kind === 'masked') {
    const mask = tensor.mask;
    if (mask === undefined || mask.length !== size) return { code: 'mask', message: `tensor '${name}' has no mask of ${size} elements` };
    if (tensor.values.length !== activeCount(mask)) return { code: 'values', message: `tensor '${name}' has ${tensor.values.length} values for ${activeCount(mask)} positions` };
    if (withinGlobalMask && base.mask !== undefined) {
      for (let i = 0; i < size; i++) {
        if (mask[i] !== 0 && base.mask[i] === 0) return { code: 'mask', message: `tensor '${name}' holds position ${i}, outside the global mask` };
      }
    }
  } else if (tensor.values.length !== size) {
    return { code: 'values', message: `tensor '${name}' has ${tensor.values.length} values for ${size} elements` };
  }
  for (const value of tensor.values) if (!Number.isFinite(value)) return { code: 'not-finite', message: `tensor '${name}' holds ${value}` };
  return null;
}

function checkProposal(expected: ReadonlyMap<string, SparseTensor>, update: FederatedClientUpdate, maskMode: MaskMode): UpdateProblem | null {
  const proposal = update.maskProposal;
  if (proposal === undefined) return null;
  if (maskMode !== 'consensus') return { code: 'proposal', message: `a mask proposal in '${maskMode}' mode` };
  const named = new Set<string>();
  for (const layer of proposal) {
    const mask = expected.get(layer.name)?.mask;
    if (mask === undefined) return { code: 'proposal', message: `proposal for '${layer.name}', which is not a masked tensor` };
    if (named.has(layer.name)) return { code: 'proposal', message: `two proposals for '${layer.name}'` };
    named.add(layer.name);
    const prune = checkPositions(layer.name, 'prune', layer.prune, layer.pruneScores, mask, 1);
    if (prune !== null) return prune;
    const grow = checkPositions(layer.name, 'grow', layer.grow, layer.growScores, mask, 0);
    if (grow !== null) return grow;
  }
  return null;
}

/** Increasing positions inside the tensor whose global mask bit is `bit`, with one finite score ≥ 0 each. */
function checkPositions(name: string, list: string, positions: Uint32Array, scores: Float32Array, mask: Uint8Array, bit: 0 | 1): UpdateProblem | null {
  const fail = (message: string): UpdateProblem => ({ code: 'proposal', message: `'${name}' ${list}: ${message}` });
  if (scores.length !== positions.length) return fail(`${scores.length} scores for ${positions.length} positions`);
  for (let i = 0; i < positions.length; i++) {
    const position = positions[i];
    if (i > 0 && position <= positions[i - 1]) return fail('positions do not increase');
    if (position >= mask.length) return fail(`position ${position} is outside the tensor`);
    if ((mask[position] !== 0 ? 1 : 0) !== bit) return fail(`position ${position} is ${bit === 1 ? 'not active' : 'already active'} in the global mask`);
    if (!Number.isFinite(scores[i]) || scores[i] < 0) return fail(`score ${scores[i]} is not a finite non-negative number`);
  }
  return null;
}
