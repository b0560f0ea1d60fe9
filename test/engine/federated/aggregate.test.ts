import { describe, expect, it } from 'vitest';
import {
  aggregateRound,
  contributionWeight,
  type FederatedClientUpdate,
  type LayerMaskProposal,
  type SparseTensor,
  type SparseTensorSet,
} from '../../../client/src/engine/federated/index.js';
import { denseValues } from '../../../client/src/engine/federated/tensors.js';

const masked = (name: string, mask: number[], values: number[]): SparseTensor => ({
  name,
  kind: 'masked',
  shape: [mask.length],
  mask: Uint8Array.from(mask),
  values: Float32Array.from(values),
});
const dense = (name: string, values: number[], kind: 'dense' | 'buffer' = 'dense'): SparseTensor => ({ name, kind, shape: [values.length], values: Float32Array.from(values) });

function update(tensors: SparseTensor[], fields: Partial<FederatedClientUpdate> = {}): FederatedClientUpdate {
  return { round: 0, examples: 100, stepsDone: 10, stepsPlanned: 10, kind: 'delta', tensors: { tensors }, metrics: { loss: 1 }, ...fields };
}

const valuesOf = (set: SparseTensorSet, name: string) => Array.from(denseValues(set.tensors.find((tensor) => tensor.name === name)!));

describe('aggregateRound: FedAvg algebra', () => {
  it('averages each weight over the clients whose mask holds it', () => {
    const global = { tensors: [masked('w', [1, 1, 1, 1], [1, 2, 3, 4])] };
    const result = aggregateRound(
      global,
      [
        update([masked('w', [1, 1, 1, 1], [2, 2, 2, 2])], { kind: 'weights' }),
        update([masked('w', [1, 1, 0, 1], [4, 4, 4])], { kind: 'weights' }),
        update([masked('w', [1, 0, 0, 1], [6, 6])], { kind: 'weights' }),
      ],
      { maskMode: 'fixed' },
    );
    // Position 0: (2+4+6)/3; position 1 (held by 2 of 3): (2+4)/2; position 2 (1 of 3): 2; position 3: (2+4+6)/3.
    expect(valuesOf(result.model, 'w')).toEqual([4, 3, 2, 4]);
    expect(result.stats).toMatchObject({ contributors: 3, totalWeight: 300, uncoveredPositions: 0, density: 1 });
  });

  it('keeps a position no client held at its global value and counts it', () => {
    const global = { tensors: [masked('w', [1, 1, 0], [5, 7])] };
    const result = aggregateRound(global, [update([masked('w', [1, 0, 0], [1])])], { maskMode: 'fixed' });
    expect(valuesOf(result.model, 'w')).toEqual([6, 7, 0]);
    expect(result.stats.uncoveredPositions).toBe(1);
  });

  it('weights clients by examples', () => {
    const global = { tensors: [dense('b', [10, 10])] };
    const result = aggregateRound(
      global,
      [update([dense('b', [1, 1])], { examples: 100, metrics: { loss: 2 } }), update([dense('b', [5, -3])], { examples: 300, metrics: { loss: 1 } })],
      { maskMode: 'fixed' },
    );
    // (100×1 + 300×5)/400 = 4; (100×1 + 300×(−3))/400 = −2.
    expect(valuesOf(result.model, 'b')).toEqual([14, 8]);
    expect(result.stats.meanLoss).toBeCloseTo((100 * 2 + 300 * 1) / 400, 12);
  });

  it('weights partial work by stepsDone / stepsPlanned and ignores clients that did none', () => {
    const global = { tensors: [dense('b', [0])] };
    const result = aggregateRound(
      global,
      [
        update([dense('b', [3])], { stepsDone: 5, stepsPlanned: 10 }),
        update([dense('b', [6])]),
        update([dense('b', [1000])], { stepsDone: 0 }),
      ],
      { maskMode: 'fixed' },
    );
    // Weights 50 and 100: (50×3 + 100×6)/150 = 5.
    expect(valuesOf(result.model, 'b')).toEqual([5]);
    expect(result.stats).toMatchObject({ contributors: 2, totalWeight: 150 });
    expect(contributionWeight({ examples: 80, stepsDone: 12, stepsPlanned: 10 })).toBe(80);
  });

  it('returns the global model unchanged when nobody contributed', () => {
    const global = { tensors: [masked('w', [1, 0], [3])] };
    const result = aggregateRound(global, [update([masked('w', [1, 0], [9])], { stepsDone: 0 })], { maskMode: 'consensus', consensus: { fraction: 1 } });
    expect(result.model).toBe(global);
    expect(result.stats.contributors).toBe(0);
  });
});

describe('aggregateRound: server optimizers', () => {
  const global = { tensors: [dense('b', [1]), dense('bn.mean', [0], 'buffer')] };
  const delta = (value: number) => update([dense('b', [value]), dense('bn.mean', [value])]);

  it('FedAvgM carries its velocity between rounds; buffers take the plain mean', () => {
    const options = { maskMode: 'fixed', serverOptimizer: { kind: 'fedavgm', lr: 1, momentum: 0.5 } } as const;
    const first = aggregateRound(global, [delta(2)], options);
    expect(valuesOf(first.model, 'b')).toEqual([3]); // v = 2
    const second = aggregateRound(first.model, [delta(1)], { ...options, serverState: first.serverState });
    expect(valuesOf(second.model, 'b')).toEqual([5]); // v = 0.5×2 + 1 = 2
    expect(valuesOf(second.model, 'bn.mean')).toEqual([3]); // 2 then 1, no momentum
    const third = aggregateRound(second.model, [delta(0)], { ...options, serverState: second.serverState });
    expect(valuesOf(third.model, 'b')).toEqual([6]); // v = 0.5×2 + 0 = 1
  });

  it('FedAdam: m and v moments without bias correction', () => {
    const options = { maskMode: 'fixed', serverOptimizer: { kind: 'fedadam', lr: 1, beta1: 0.9, beta2: 0.99, tau: 0.1 } } as const;
    const first = aggregateRound(global, [delta(1)], options);
    // m = 0.1, v = 0.01: step = 0.1 / (0.1 + 0.1) = 0.5.
    expect(valuesOf(first.model, 'b')[0]).toBeCloseTo(1.5, 6);
    const second = aggregateRound(first.model, [delta(1)], { ...options, serverState: first.serverState });
    // m = 0.19, v = 0.0199: step = 0.19 / (√0.0199 + 0.1) = 0.788163.
    expect(valuesOf(second.model, 'b')[0]).toBeCloseTo(1.5 + 0.19 / (Math.sqrt(0.0199) + 0.1), 5);
    expect(second.serverState?.tensors.map((tensor) => tensor.name).sort()).toEqual(['m/b', 'v/b']);
  });

  it('plain FedAvg scales the mean delta by its server learning rate and keeps no state', () => {
    const result = aggregateRound(global, [delta(4)], { maskMode: 'fixed', serverOptimizer: { kind: 'fedavg', lr: 0.5 } });
    expect(valuesOf(result.model, 'b')).toEqual([3]);
    expect(result.serverState).toBeUndefined();
  });
});

describe('aggregateRound: masks', () => {
  // Layer 'a': 10 positions, 5 active (0..4); layer 'b': 4 positions, 2 active.
  const global: SparseTensorSet = {
    tensors: [masked('a', [1, 1, 1, 1, 1, 0, 0, 0, 0, 0], [5, 4, 3, 2, 1]), masked('b', [1, 1, 0, 0], [1, 1])],
  };
  const proposal = (name: string, prune: number[], pruneScores: number[], grow: number[], growScores: number[]): LayerMaskProposal => ({
    name,
    prune: Uint32Array.from(prune),
    pruneScores: Float32Array.from(pruneScores),
    grow: Uint32Array.from(grow),
    growScores: Float32Array.from(growScores),
  });
  const zeroDelta = (proposals: LayerMaskProposal[], examples = 100) =>
    update([masked('a', [1, 1, 1, 1, 1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0]), masked('b', [1, 1, 0, 0], [0, 0])], { maskProposal: proposals, examples });

  it('consensus swaps the most-voted prunes for the most-voted grows and keeps every layer\'s active count', () => {
    const result = aggregateRound(
      global,
      [
        // Client weights 100 and 300: votes for prune 4: 100×1 + 300×0.5 = 250, prune 3: 300×1 = 300, prune 0: 100×0.5 = 50.
        zeroDelta([proposal('a', [0, 4], [1, 2], [5, 9], [4, 2])], 100),
        zeroDelta([proposal('a', [3, 4], [2, 1], [7, 9], [1, 1])], 300),
      ],
      { maskMode: 'consensus', consensus: { fraction: 0.4 } },
    );
    // wanted = round(0.4 × 5) = 2. Grow votes: 5: 100, 9: 100×0.5 + 300 = 350, 7: 300.
    const a = result.model.tensors[0];
    expect(Array.from(a.mask!)).toEqual([1, 1, 1, 0, 0, 0, 0, 1, 0, 1]);
    expect(valuesOf(result.model, 'a')).toEqual([5, 4, 3, 0, 0, 0, 0, 0, 0, 0]); // grown weights start at 0
    expect(result.maskChanges).toEqual([{ name: 'a', pruned: Uint32Array.of(3, 4), grown: Uint32Array.of(7, 9), active: 5 }]);
    expect(Array.from(result.model.tensors[1].mask!)).toEqual([1, 1, 0, 0]);
    expect(result.stats.density).toBeCloseTo(7 / 14, 12);
  });

  it('swaps no more positions than the proposals name, breaking prune ties by the smaller aggregated |w|', () => {
    const result = aggregateRound(global, [zeroDelta([proposal('a', [1, 2], [1, 1], [6], [1]), proposal('b', [0], [1], [], [])])], {
      maskMode: 'consensus',
      consensus: { fraction: 1 },
    });
    // 'a': one grow candidate, so one swap; prunes 1 and 2 tie on votes, |w| 3 < 4 prunes position 2. 'b': no grow.
    expect(result.maskChanges).toEqual([{ name: 'a', pruned: Uint32Array.of(2), grown: Uint32Array.of(6), active: 5 }]);
    expect(Array.from(result.model.tensors[1].mask!)).toEqual([1, 1, 0, 0]);
  });

  it("method mode keeps each layer's top-|w| positions over what clients held, at the global active count", () => {
    const result = aggregateRound(
      global,
      [
        update([masked('a', [1, 1, 1, 1, 0, 1, 0, 0, 0, 0], [5, 4, 3, 2, 9]), masked('b', [1, 0, 0, 1], [1, 0.5])], { kind: 'weights' }),
        update([masked('a', [1, 1, 1, 0, 0, 0, 0, 0, 0, 1], [5, 4, 3, 0.5]), masked('b', [1, 1, 0, 0], [1, 1])], { kind: 'weights' }),
      ],
      { maskMode: 'method' },
    );
    // 'a' means: 0:5 1:4 2:3 3:2 5:9 9:0.5; position 4 held by nobody ranks last. Top 5: 5, 0, 1, 2, 3.
    expect(Array.from(result.model.tensors[0].mask!)).toEqual([1, 1, 1, 1, 0, 1, 0, 0, 0, 0]);
    expect(valuesOf(result.model, 'a')).toEqual([5, 4, 3, 2, 0, 9, 0, 0, 0, 0]);
    // 'b' means: 0:1 1:1 3:0.5 — top 2 are 0 and 1.
    expect(Array.from(result.model.tensors[1].mask!)).toEqual([1, 1, 0, 0]);
    expect(result.maskChanges).toEqual([{ name: 'a', pruned: Uint32Array.of(4), grown: Uint32Array.of(5), active: 5 }]);
  });

  it('resets server-optimizer state at positions the mask changed', () => {
    const options = { maskMode: 'consensus', consensus: { fraction: 0.2 }, serverOptimizer: { kind: 'fedavgm', momentum: 0.9 } } as const;
    const withDelta = update([masked('a', [1, 1, 1, 1, 1, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1]), masked('b', [1, 1, 0, 0], [0, 0])], {
      maskProposal: [proposal('a', [4], [1], [8], [1])],
    });
    const result = aggregateRound(global, [withDelta], options);
    const velocity = result.serverState!.tensors.find((tensor) => tensor.name === 'v/a')!.values;
    expect(Array.from(velocity)).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  });
});
