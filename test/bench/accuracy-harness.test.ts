// The accuracy benchmark's plan, row keys, FLOP count and results file (bench/support/accuracy-*.ts).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planRows, rowKey, sharedSettings, type PlanOptions } from '../../bench/support/accuracy-plan.js';
import type { RowRecord } from '../../bench/support/accuracy-ipc.js';
import { ResultsFile } from '../../bench/support/accuracy-results.js';
import { TrainingFlops } from '../../bench/support/training-flops.js';

const FULL: PlanOptions = { models: ['cnn', 'mlp'], epochs: 20, multipliers: [2, 5], batchSize: 64, seed: 1, allSchemes: true };

describe('accuracy plan', () => {
  it('should plan dense once per model and every sparse row at every length', () => {
    // Execute
    const rows = planRows(FULL);

    // Assert
    const cnn = rows.filter((row) => row.model === 'cnn');
    expect(cnn.filter((row) => row.method === 'dense')).toEqual([{ model: 'cnn', method: 'dense', scheme: 'irregular', density: 1, epochs: 20, multiplier: 1 }]);
    // 13 sparse methods; MEST-EM and EM&S on 4 schemes; RigL and MEST-EM&S (4 schemes) again at 0.05: 24 rows a length.
    expect(cnn.filter((row) => row.multiplier === 5)).toHaveLength(24);
    expect(new Set(cnn.filter((row) => row.method !== 'dense').map((row) => row.epochs))).toEqual(new Set([20, 40, 100]));
    expect(cnn.filter((row) => row.method === 'mest-ems' && row.density === 0.05 && row.multiplier === 1).map((row) => row.scheme))
      .toEqual(['irregular', 'pattern', 'block', 'channel']);
    // Pattern sparsity cannot structure a linear layer: the MLP has no pattern rows (they would repeat irregular).
    expect(rows.some((row) => row.model === 'mlp' && row.scheme === 'pattern')).toBe(false);
    expect(rows.filter((row) => row.model === 'mlp' && row.multiplier === 1)).toHaveLength(1 + 24 - 3);
  });

  it('should give a row a new key when a shared setting changes', () => {
    // Prepare
    const [row] = planRows({ ...FULL, methods: ['rigl'] });

    // Execute
    const key = rowKey(row, sharedSettings(FULL));
    const again = rowKey(row, sharedSettings(FULL));
    const otherSeed = rowKey(row, sharedSettings({ ...FULL, seed: 2 }));

    // Assert
    expect(key).toMatch(/^cnn\/rigl\/irregular\/d0\.1\/e20\/[0-9a-f]{12}$/);
    expect(again).toBe(key);
    expect(otherSeed).not.toBe(key);
  });
});

describe('TrainingFlops', () => {
  it('should charge 3 × 2 × active × output positions per example for each step since the last report', () => {
    // Prepare: the CNN on 28×28: conv1 at 28×28 positions, conv2 at 14×14, the linear layers at one
    const flops = new TrainingFlops('cnn', { height: 28, width: 28, channels: 1 }, 10, 8);
    const layers = [
      { layer: 'conv1', active: 10 },
      { layer: 'conv2', active: 20 },
      { layer: 'fc1', active: 30 },
      { layer: 'fc2', active: 40 },
    ];

    // Execute
    flops.record(0, layers);
    flops.record(5, layers);
    flops.record(5, layers);

    // Assert
    const forward = 2 * (10 * 784 + 20 * 196 + 30 + 40);
    expect(flops.forwardFlops(layers)).toBe(forward);
    expect(flops.total).toBe(5 * 8 * 3 * forward);
  });
});

describe('ResultsFile', () => {
  it('should keep the rows of earlier runs and skip a torn last line', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'sparsefleet-accuracy-'));
    const path = join(dir, 'results.jsonl');
    const record = { key: 'mlp/dense/irregular/d1/e1/abc', testAccuracy: 0.8 } as RowRecord;
    try {
      const first = await ResultsFile.open(path);
      await first.add(record);
      await writeFile(path, `${JSON.stringify(record)}\n{"key":"mlp/rigl/irreg`, { flag: 'a' });

      // Execute
      const reopened = await ResultsFile.open(path);
      await reopened.add({ ...record, key: 'mlp/rigl/irregular/d0.1/e1/def' });
      const third = await ResultsFile.open(path);

      // Assert
      expect(reopened.get(record.key)?.testAccuracy).toBe(0.8);
      expect(third.has(record.key)).toBe(true);
      expect(third.has('mlp/rigl/irregular/d0.1/e1/def')).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
