import { describe, expect, it } from 'vitest';
import { validateUpdate, type FederatedClientUpdate, type SparseTensorSet } from '../../../client/src/engine/federated/index.js';

const global: SparseTensorSet = {
  tensors: [
    { name: 'fc.weight', kind: 'masked', shape: [2, 3], mask: Uint8Array.of(1, 0, 1, 0, 1, 0), values: Float32Array.of(1, 2, 3) },
    { name: 'fc.bias', kind: 'dense', shape: [2], values: Float32Array.of(0, 0) },
  ],
};

const good: FederatedClientUpdate = {
  round: 3,
  examples: 50,
  stepsDone: 4,
  stepsPlanned: 4,
  kind: 'delta',
  tensors: {
    tensors: [
      { name: 'fc.weight', kind: 'masked', shape: [2, 3], mask: Uint8Array.of(1, 0, 1, 0, 1, 0), values: Float32Array.of(0.1, 0.2, 0.3) },
      { name: 'fc.bias', kind: 'dense', shape: [2], values: Float32Array.of(0.5, -0.5) },
    ],
  },
  maskProposal: [{ name: 'fc.weight', prune: Uint32Array.of(2), pruneScores: Float32Array.of(1), grow: Uint32Array.of(1, 5), growScores: Float32Array.of(1, 0.5) }],
  metrics: { loss: 0.5 },
};

const withTensors = (change: (tensors: FederatedClientUpdate['tensors']['tensors']) => FederatedClientUpdate['tensors']['tensors']) => ({
  ...good,
  tensors: { tensors: change(good.tensors.tensors) },
});

describe('validateUpdate', () => {
  it('accepts a well-formed update', () => {
    expect(validateUpdate(global, good, { maskMode: 'consensus', round: 3 })).toBeNull();
  });

  it('rejects another round, bad counts and non-finite metrics', () => {
    expect(validateUpdate(global, good, { maskMode: 'consensus', round: 4 })?.code).toBe('round');
    expect(validateUpdate(global, { ...good, stepsDone: 5 }, { maskMode: 'consensus' })?.code).toBe('counts');
    expect(validateUpdate(global, { ...good, examples: -1 }, { maskMode: 'consensus' })?.code).toBe('counts');
    expect(validateUpdate(global, { ...good, stepsPlanned: 0, stepsDone: 0 }, { maskMode: 'consensus' })?.code).toBe('counts');
    expect(validateUpdate(global, { ...good, metrics: { loss: Number.NaN } }, { maskMode: 'consensus' })?.code).toBe('not-finite');
  });

  it('rejects missing, extra and repeated tensor names', () => {
    expect(validateUpdate(global, withTensors((t) => [t[0]]), { maskMode: 'fixed' })).toMatchObject({ code: 'names', message: "the update lacks 'fc.bias'" });
    expect(validateUpdate(global, withTensors((t) => [...t, { ...t[1], name: 'fc2.bias' }]), { maskMode: 'fixed' })?.code).toBe('names');
    expect(validateUpdate(global, withTensors((t) => [t[0], t[1], t[1]]), { maskMode: 'fixed' })?.code).toBe('names');
  });

  it('rejects wrong shapes, kinds and value counts', () => {
    expect(validateUpdate(global, withTensors((t) => [{ ...t[0], shape: [3, 2] }, t[1]]), { maskMode: 'fixed' })?.code).toBe('shape');
    expect(validateUpdate(global, withTensors((t) => [t[0], { ...t[1], shape: [2, 1] }]), { maskMode: 'fixed' })?.code).toBe('shape');
    expect(validateUpdate(global, withTensors((t) => [t[0], { ...t[1], kind: 'buffer' }]), { maskMode: 'fixed' })?.code).toBe('kind');
    expect(validateUpdate(global, withTensors((t) => [{ ...t[0], values: Float32Array.of(1, 2) }, t[1]]), { maskMode: 'fixed' })?.code).toBe('values');
    expect(validateUpdate(global, withTensors((t) => [t[0], { ...t[1], values: Float32Array.of(1) }]), { maskMode: 'fixed' })?.code).toBe('values');
  });

  it('rejects NaN and infinite values', () => {
    expect(validateUpdate(global, withTensors((t) => [{ ...t[0], values: Float32Array.of(0, Number.NaN, 0) }, t[1]]), { maskMode: 'fixed' })?.code).toBe('not-finite');
    expect(validateUpdate(global, withTensors((t) => [t[0], { ...t[1], values: Float32Array.of(Infinity, 0) }]), { maskMode: 'fixed' })?.code).toBe('not-finite');
  });

  it('rejects positions outside the global mask except in method mode', () => {
    const outside = withTensors((t) => [{ ...t[0], mask: Uint8Array.of(1, 1, 1, 0, 1, 0), values: Float32Array.of(1, 1, 1, 1) }, t[1]]);
    const { maskProposal: _none, ...noProposal } = outside;
    expect(validateUpdate(global, noProposal, { maskMode: 'fixed' })?.code).toBe('mask');
    expect(validateUpdate(global, noProposal, { maskMode: 'consensus' })?.code).toBe('mask');
    expect(validateUpdate(global, noProposal, { maskMode: 'method' })).toBeNull();
  });

  it('rejects proposals that do not fit the global mask or the mode', () => {
    const proposal = good.maskProposal![0];
    const withProposal = (change: Partial<typeof proposal>) => ({ ...good, maskProposal: [{ ...proposal, ...change }] });
    expect(validateUpdate(global, withProposal({ prune: Uint32Array.of(1) }), { maskMode: 'consensus' })?.code).toBe('proposal');
    expect(validateUpdate(global, withProposal({ grow: Uint32Array.of(0, 1) }), { maskMode: 'consensus' })?.code).toBe('proposal');
    expect(validateUpdate(global, withProposal({ grow: Uint32Array.of(5, 1) }), { maskMode: 'consensus' })?.code).toBe('proposal');
    expect(validateUpdate(global, withProposal({ grow: Uint32Array.of(1, 6) }), { maskMode: 'consensus' })?.code).toBe('proposal');
    expect(validateUpdate(global, withProposal({ growScores: Float32Array.of(1) }), { maskMode: 'consensus' })?.code).toBe('proposal');
    expect(validateUpdate(global, withProposal({ name: 'fc.bias' }), { maskMode: 'consensus' })?.code).toBe('proposal');
    expect(validateUpdate(global, good, { maskMode: 'fixed' })?.code).toBe('proposal');
  });
});
