// The plan of a federated job from its REST body (K, over-selection, refusals) and the seeded choice of each round's
// clients.
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../server/src/common/validation.js';
import { validateFederatedSubmission } from '../../../server/src/federated/federated-spec.js';
import { sampleClients } from '../../../server/src/federated/federated-task.js';
import { FEDERATED_CONFIG } from './federated-support.js';

function issuesOf(body: unknown): string[] {
  try {
    validateFederatedSubmission(body);
  } catch (error) {
    if (error instanceof InvalidInputError) return [...error.issues];
    throw error;
  }
  return [];
}

describe('federated plan', () => {
  it('should wait for K = max(minClients, ceil(fraction × clients)) updates and select ceil(K × overSelect), at most every client', () => {
    const plan = (fraction: number, minClients: number, overSelect: number, clients = 100) =>
      validateFederatedSubmission({ config: FEDERATED_CONFIG, rounds: 1, clients, fraction, minClients, overSelect }).spec;

    expect(plan(0.2, 1, 1.3)).toMatchObject({ targetUpdates: 20, selectPerRound: 26 });
    expect(plan(0.01, 5, 1)).toMatchObject({ targetUpdates: 5, selectPerRound: 5 });
    expect(plan(0.9, 1, 2)).toMatchObject({ targetUpdates: 90, selectPerRound: 100 });
  });

  it('should refuse a Dirichlet partition without alpha, both local steps and epochs, and more minimum clients than clients', () => {
    expect(issuesOf({ config: FEDERATED_CONFIG, rounds: 1, clients: 4, partition: { kind: 'dirichlet' } })).toEqual([expect.stringContaining('dirichlet needs alpha')]);
    expect(issuesOf({ config: FEDERATED_CONFIG, rounds: 1, clients: 4, local: { steps: 3, epochs: 1 } })).toEqual([expect.stringContaining('exactly one of steps and epochs')]);
    expect(issuesOf({ config: FEDERATED_CONFIG, rounds: 1, clients: 4, minClients: 5 })).toEqual([expect.stringContaining('minClients')]);
  });

  it('should pick the same distinct clients for the same seed and round, and others for another round', () => {
    const first = sampleClients(100, 26, 42, 3);

    expect(sampleClients(100, 26, 42, 3)).toEqual(first);
    expect(new Set(first).size).toBe(26);
    expect(first.every((client) => client >= 0 && client < 100)).toBe(true);
    expect(sampleClients(100, 26, 42, 4)).not.toEqual(first);
    expect(sampleClients(5, 26, 42, 3).sort()).toEqual([0, 1, 2, 3, 4]);
  });
});
