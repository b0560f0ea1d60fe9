import { describe, expect, it } from 'vitest';
import { BenchmarkKind } from '../../../protocol/src/index.js';
import { campaignSizeOf, cellIdOf, describeSize, expandMatrix } from '../../../server/src/campaigns/campaign-matrix.js';
import { parseCampaignSpec } from '../../../server/src/campaigns/campaign-spec.js';
import { cellJob } from '../../../server/src/campaigns/cell-job-spec.js';

describe('expandMatrix', () => {
  const kernels = parseCampaignSpec({
    name: 'k',
    measure: 'kernel',
    matrix: {
      op: ['linear-forward', 'linear-backward-data'],
      shape: [[8, 16, 16]],
      scheme: ['irregular', 'block'],
      density: [0.5, 0.2, 0.1],
    },
  });

  it('should produce the cartesian product of the axes', () => {
    const cells = expandMatrix(kernels);
    expect(cells).toHaveLength(2 * 1 * 2 * 3);
    expect(new Set(cells.map((cell) => cell.id)).size).toBe(cells.length);
    expect(cells[0]!.params).toEqual({ measure: 'kernel', op: 'linear-forward', shape: [8, 16, 16], scheme: 'irregular', density: 0.5 });
  });

  it('should pair each op with the shapes of its family, so linear and conv layers share a matrix', () => {
    const mixed = parseCampaignSpec({
      name: 'mixed',
      measure: 'kernel',
      matrix: { op: ['linear-forward', 'conv-forward'], shape: [[8, 16, 16], [2, 5, 5, 3, 8, 3], [4, 8, 8]], scheme: ['irregular', 'block'], density: [0.5, 0.1] },
    });
    const cells = expandMatrix(mixed);
    expect(cells.map((cell) => `${cell.params.op} ${cell.params.shape!.join('x')}`).filter((_, i) => i % 4 === 0)).toEqual([
      'linear-forward 8x16x16',
      'linear-forward 4x8x8',
      'conv-forward 2x5x5x3x8x3',
    ]);
    expect(cells).toHaveLength(3 * 2 * 2);
    const size = campaignSizeOf(mixed);
    expect(size.cells).toBe(cells.length);
    expect(describeSize(size)).toBe('12 cells (op·shape pairs 3 × scheme 2 × density 2)');
    // A single family is the plain product, described as before.
    expect(describeSize(campaignSizeOf(kernels))).toBe('12 cells (op 2 × scheme 2 × density 3)');
  });

  it('should give a cell the same id whatever the rest of the matrix', () => {
    const small = parseCampaignSpec({ ...kernels, matrix: { op: 'linear-forward', shape: [[8, 16, 16]], scheme: 'block', density: 0.2 } });
    const [only] = expandMatrix(small);
    const match = expandMatrix(kernels).find((cell) => cell.params.scheme === 'block' && cell.params.density === 0.2 && cell.params.op === 'linear-forward');
    expect(only!.id).toBe(match!.id);
    expect(only!.id).toMatch(/^c-[0-9a-f]{12}$/);
  });

  it('should change the id when any parameter changes', () => {
    const base = { measure: 'kernel' as const, op: 'linear-forward' as const, shape: [8, 16, 16], scheme: 'block', density: 0.2 };
    expect(cellIdOf(base)).not.toBe(cellIdOf({ ...base, density: 0.1 }));
    expect(cellIdOf(base)).not.toBe(cellIdOf({ ...base, shape: [8, 16, 32] }));
  });

  it('should fill the job spec benchmark with kind, ids, op, shape, scheme, density and run rules', () => {
    const [cell] = expandMatrix(kernels);
    const { spec } = cellJob(kernels, cell!, 'camp-1');
    expect(spec.benchmark).toMatchObject({
      kind: BenchmarkKind.BENCHMARK_KIND_KERNEL,
      campaignId: 'camp-1',
      cellId: cell!.id,
      op: 'linear-forward',
      shape: [8, 16, 16],
      scheme: 'irregular',
      density: 0.5,
      rules: { minIterations: 20, minDurationMs: 1000, percentiles: [50, 90, 99], sustainedDurationMs: 0 },
    });
  });

  it('should build training cells from base plus the cell axes with a memory estimate', () => {
    const steps = parseCampaignSpec({
      name: 's',
      measure: 'training-step',
      matrix: { model: ['mlp'], method: 'static', scheme: 'irregular', density: [0.5, 0.1], batchSize: 16 },
      base: { data: { name: 'synthetic', trainLimit: 64 } },
      runRules: { sustained: { durationMs: 4000, windowMs: 1000 } },
    });
    const cells = expandMatrix(steps);
    expect(cells).toHaveLength(2);
    const job = cellJob(steps, cells[1]!, 'camp-2');
    expect(job.spec).toMatchObject({ model: 'mlp', method: 'static', density: 0.1, hyper: { batchSize: 16 } });
    expect(job.spec.benchmark).toMatchObject({ kind: BenchmarkKind.BENCHMARK_KIND_TRAINING_STEP, rules: { sustainedDurationMs: 4000, driftWindowMs: 1000 } });
    expect(job.memoryEstimate!.totalBytes).toBeGreaterThan(0);
  });
});
