import { describe, expect, it } from 'vitest';
import {
  aggregateRound,
  createInitialModel,
  evaluateModel,
  loadFederatedData,
  runClientRound,
  validateUpdate,
  type FederatedClientTask,
  type MaskMode,
  type SparseTensorSet,
} from '../../../client/src/engine/federated/index.js';
import { maskedDensity } from '../../../client/src/engine/federated/tensors.js';
import { parseTrainConfig, type TrainConfig } from '../../../client/src/engine/train/config.js';

const config = (method: string, density: number): TrainConfig =>
  parseTrainConfig({
    model: 'mlp',
    data: { name: 'synthetic', trainLimit: 900, testLimit: 300 },
    method,
    density,
    batchSize: 32,
    seed: 4,
    optimizer: { kind: 'adam', lr: 0.002, weightDecay: 0 },
  });

const CLIENTS = 3;

function task(base: TrainConfig, global: SparseTensorSet, round: number, clientIndex: number, maskMode: MaskMode): FederatedClientTask {
  return {
    federatedJobId: 'test',
    round,
    config: base,
    partition: { kind: 'iid', clients: CLIENTS, clientIndex, seed: 9 },
    work: { localSteps: 20 },
    global,
    maskMode,
    proposal: { fraction: 0.1, gradientSteps: 2 },
  };
}

/** 3 clients × 3 rounds of train-then-aggregate; accuracy on the held-out split after each round. */
async function federate(base: TrainConfig, maskMode: MaskMode) {
  const data = await loadFederatedData(base);
  const context = { train: data.train };
  let global = await createInitialModel(base, context);
  const initial = global;
  const accuracies = [(await evaluateModel(global, base, data.test)).accuracy];
  const changes: number[] = [];
  for (let round = 0; round < 3; round++) {
    const updates = [];
    for (let client = 0; client < CLIENTS; client++) {
      const update = await runClientRound(task(base, global, round, client, maskMode), context);
      expect(validateUpdate(global, update, { maskMode, round })).toBeNull();
      updates.push(update);
    }
    const result = aggregateRound(global, updates, { maskMode, consensus: { fraction: 0.05 } });
    changes.push(result.maskChanges.reduce((sum, change) => sum + change.pruned.length, 0));
    global = result.model;
    accuracies.push((await evaluateModel(global, base, data.test)).accuracy);
  }
  return { initial, global, accuracies, changes };
}

describe('runClientRound on the engine', () => {
  it('3 clients × 3 rounds of sparse consensus training raise held-out accuracy and keep the density', async () => {
    const base = config('static', 0.2);
    const { initial, global, accuracies, changes } = await federate(base, 'consensus');
    // Measured: 0.107 → 0.253 → 0.277 → 0.410 (deterministic for these seeds).
    for (let round = 1; round <= 3; round++) expect(accuracies[round]).toBeGreaterThan(accuracies[round - 1]);
    expect(accuracies[3]).toBeGreaterThan(accuracies[0] + 0.2);
    expect(maskedDensity(global)).toBeCloseTo(maskedDensity(initial), 12);
    expect(changes.every((count) => count > 0)).toBe(true);
  });

  it('reports partial work when stopped early and its update is a delta over the global masks', async () => {
    const base = config('static', 0.2);
    const data = await loadFederatedData(base);
    const global = await createInitialModel(base, { train: data.train });
    let asked = 0;
    const update = await runClientRound(task(base, global, 0, 1, 'fixed'), { train: data.train }, { stopWhen: () => ++asked > 3 });
    expect(update).toMatchObject({ stepsDone: 3, stepsPlanned: 20, kind: 'delta' });
    expect(update.maskProposal).toBeUndefined();
    expect(validateUpdate(global, update, { maskMode: 'fixed', round: 0 })).toBeNull();
    update.tensors.tensors.forEach((tensor, i) => expect(tensor.mask).toEqual(global.tensors[i].mask));
  });

  it("runs the config's own method per client in 'method' mode, and refuses one that cannot start from a mask", async () => {
    const rigl = parseTrainConfig({ ...config('rigl', 0.2), schedule: { kind: 'dst', updateInterval: 3, endFraction: 1 } });
    const data = await loadFederatedData(rigl);
    const global = await createInitialModel(rigl, { train: data.train });
    const update = await runClientRound(task(rigl, global, 0, 0, 'method'), { train: data.train });
    expect(validateUpdate(global, update, { maskMode: 'method', round: 0 })).toBeNull();
    const moved = update.tensors.tensors.some((tensor, i) => tensor.mask !== undefined && tensor.mask.some((bit, j) => bit !== global.tensors[i].mask![j]));
    expect(moved).toBe(true);
    const vrpge = parseTrainConfig({ ...config('vrpge', 0.5), allocation: 'uniform' });
    await expect(runClientRound(task(vrpge, global, 0, 0, 'method'), { train: data.train })).rejects.toThrow(/cannot start from the global mask/);
  });
});
