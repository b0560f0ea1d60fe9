import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expandMatrix } from '../../../server/src/campaigns/campaign-matrix.js';
import { CampaignSpecError, parseCampaignBody, parseCampaignSpec, parseCampaignYaml } from '../../../server/src/campaigns/campaign-spec.js';
import { validateCells } from '../../../server/src/campaigns/cell-job-spec.js';

const KERNEL_SPEC = {
  name: 'k',
  measure: 'kernel',
  matrix: { op: 'linear-forward', shape: [[8, 16, 16]], scheme: ['irregular', 'block'], density: [0.5, 0.1] },
};

function issuesOf(input: unknown): string[] {
  try {
    parseCampaignSpec(input);
  } catch (error) {
    if (error instanceof CampaignSpecError) return [...error.issues];
    throw error;
  }
  throw new Error('the spec was accepted');
}

describe('parseCampaignSpec', () => {
  it('should name the matrix element that is out of range', () => {
    const issues = issuesOf({ ...KERNEL_SPEC, matrix: { ...KERNEL_SPEC.matrix, density: [0.5, 0.2, 1.5] } });
    expect(issues).toContain('matrix.density[2]: must be in (0, 1]');
  });

  it('should reject run rules that cannot be met, naming each field', () => {
    const issues = issuesOf({
      ...KERNEL_SPEC,
      runRules: { minIterations: 0, percentiles: [50, 100], sustained: { durationMs: 1000, windowMs: 5000 } },
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        'runRules.minIterations: must be >= 1',
        'runRules.percentiles[1]: must be in (0, 100)',
        'runRules.sustained.windowMs: must be <= sustained.durationMs',
      ]),
    );
  });

  it('should allow a sustained phase only for kernel and training-step measures', () => {
    const issues = issuesOf({
      name: 'run',
      measure: 'training-run',
      matrix: { model: 'mlp', density: 0.1 },
      runRules: { sustained: { durationMs: 1000, windowMs: 100 } },
    });
    expect(issues).toContain('runRules.sustained: only for measure kernel or training-step');
  });

  it('should require a shape matching the op family', () => {
    const issues = issuesOf({ ...KERNEL_SPEC, matrix: { ...KERNEL_SPEC.matrix, op: 'conv-forward' } });
    expect(issues).toContain('matrix.shape[0]: op conv-forward needs 6 numbers, got 3');
  });

  it('should accept linear and conv ops together, each with shapes of its family, and name what does not fit', () => {
    const both = { ...KERNEL_SPEC.matrix, op: ['linear-forward', 'conv-forward'] };
    expect(() => parseCampaignSpec({ ...KERNEL_SPEC, matrix: { ...both, shape: [[8, 16, 16], [2, 5, 5, 3, 8, 3]] } })).not.toThrow();
    expect(issuesOf({ ...KERNEL_SPEC, matrix: { ...both, shape: [[8, 16, 16], [2, 5, 5, 3, 8]] } })).toEqual([
      'matrix.shape[1]: op linear-forward needs 3 numbers, op conv-forward needs 6 numbers, got 5',
    ]);
    expect(issuesOf({ ...KERNEL_SPEC, matrix: { ...both, shape: [[8, 16, 16]] } })).toEqual(['matrix.op[1]: no shape has the 6 numbers op conv-forward needs']);
  });

  it('should fill MLPerf-style default run rules and read scalars as one-value axes', () => {
    const spec = parseCampaignSpec(KERNEL_SPEC);
    expect(spec.runRules).toMatchObject({ minIterations: 20, minDurationMs: 1000, percentiles: [50, 90, 99] });
    expect(spec.matrix.op).toEqual(['linear-forward']);
    expect(spec.devices.placement).toBe('every');
  });

  it('should accept a { yaml } body and report YAML errors at (yaml)', () => {
    const spec = parseCampaignBody({ yaml: 'name: y\nmeasure: training-step\nmatrix: { model: mlp, density: [0.5] }\n' });
    expect(spec.matrix.model).toEqual(['mlp']);
    expect(() => parseCampaignBody({ yaml: 'name: [' })).toThrow(/\(yaml\)/);
  });

  it('should report a per-cell TrainConfig error with the cell and the engine field', () => {
    const spec = parseCampaignSpec({
      name: 't',
      measure: 'training-step',
      matrix: { model: 'mlp', method: 'static', density: 0.5 },
      base: { optimizer: { lr: -1 } },
    });
    expect(() => validateCells(spec, expandMatrix(spec))).toThrow(/base \(cell mlp static irregular d=0.5\): optimizer.lr: must be > 0/);
  });

  it('should validate every shipped campaign profile', () => {
    for (const name of ['kernels', 'training-step', 'accuracy', 'smoke', 'smoke-step', 'seed-networks']) {
      const spec = parseCampaignYaml(readFileSync(`profiles/campaigns/${name}.yaml`, 'utf8'));
      expect(() => validateCells(spec, expandMatrix(spec))).not.toThrow();
    }
  });
});
