import { describe, expect, it } from 'vitest';
import { compare, formatComparisons, verdicts } from '../../bench/support/federated-report.js';
import type { RoundRecord } from '../../bench/support/federated-rounds.js';

function record(variant: string, round: number, uploadBytes: number, testAccuracy: number): RoundRecord {
  return {
    variant,
    round,
    clients: 4,
    testAccuracy,
    testLoss: 1,
    trainLoss: 1,
    density: variant === 'sparse' ? 0.1 : 1,
    swapped: 0,
    roundUploadBytes: round === 0 ? 0 : uploadBytes / round,
    roundDownloadBytes: 0,
    uploadBytes,
    downloadBytes: 0,
    denseModelBytes: 1000,
    wallMs: 10,
  };
}

describe('bench:federated comparisons', () => {
  it('should compare at equal upload bytes with the dense round whose total fits, and against round 0 print no ratio', () => {
    // Prepare: dense uploads 4000 bytes a round, sparse 400
    const dense = [record('dense', 0, 0, 0.1), record('dense', 1, 4000, 0.5), record('dense', 2, 8000, 0.6)];
    const sparse = [record('sparse', 0, 0, 0.1), record('sparse', 1, 400, 0.45), record('sparse', 2, 800, 0.55)];

    // Execute
    const [rounds, bytes] = compare(dense, sparse);

    // Assert: sparse's 800 bytes buy no dense round, so the budget comparison is against the initial model
    expect(rounds).toMatchObject({ denseRound: 2, uploadRatio: 0.1 });
    expect(rounds.deltaPt).toBeCloseTo(-5, 6);
    expect(bytes).toMatchObject({ denseRound: 0, denseUploadBytes: 0, uploadRatio: undefined });
    expect(bytes.deltaPt).toBeCloseTo(45, 6);
    const table = formatComparisons([rounds, bytes]);
    expect(table).not.toMatch(/Infinity|NaN/);
    expect(verdicts([rounds, bytes]).join('\n')).toMatch(/upload 0\.1000× dense \(target ≤ 0\.15\): met/);
  });
});
