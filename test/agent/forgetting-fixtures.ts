// Forgetting reports as the engine hands them out, for the agent's tests.
import type { ForgettingReport } from '../../client/src/engine/train/types.js';
import type { DatasetIdentity } from '../../protocol/src/index.js';

export const FIXTURE_DATASET: DatasetIdentity = { name: 'synthetic', contentHash: 'ab'.repeat(32), size: 3000 };

/**
 * Cumulative statistics after `epochs` epochs over every third id: learned at epoch 1 except multiples of 5 (never
 * learned), odd learned ids forgotten once from the second epoch on.
 */
export function forgettingReport(epochs: number, final = false, dataset: DatasetIdentity = FIXTURE_DATASET): ForgettingReport {
  const ids = Uint32Array.from({ length: 1000 }, (_, i) => i * 3);
  return {
    dataset,
    epoch: epochs,
    final,
    epochsObserved: epochs,
    stats: {
      ids,
      presentations: ids.map(() => epochs),
      forgettingEvents: ids.map((id) => (epochs > 1 && id % 2 === 1 && id % 5 !== 0 ? 1 : 0)),
      firstLearned: ids.map((id) => (id % 5 === 0 ? 0 : 2)),
    },
  };
}
