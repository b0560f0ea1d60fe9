import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/src/operator/errors.js';
import { loadJobFile, parseJobFile } from '../../cli/src/operator/job-file.js';

function issuesOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error.issues;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('parseJobFile', () => {
  it('should send the config as written plus the job options, and return the config with defaults', () => {
    // Prepare
    const text = [
      'name: quick',
      'config:',
      '  model: mlp',
      '  epochs: 2',
      'selector:',
      '  labels: { site: lab }',
      '  minMemoryMb: 256',
      'maxAttempts: 2',
      'checkpointEverySteps: 50',
    ].join('\n');

    // Execute
    const loaded = parseJobFile(text, 'jobs.yaml');

    // Assert
    expect(loaded.request).toEqual({
      name: 'quick',
      config: { model: 'mlp', epochs: 2 },
      selector: { labels: { site: 'lab' }, minMemoryMb: 256 },
      maxAttempts: 2,
      checkpointEverySteps: 50,
    });
    expect(loaded.config.optimizer.lr).toBeGreaterThan(0);
    expect(loaded.config.method).toBe('dense');
  });

  it('should name the config field and the file for an invalid training config', () => {
    const text = 'config:\n  model: mlp\n  optimizer:\n    lr: 0\n';

    expect(issuesOf(() => parseJobFile(text, 'jobs.yaml'))).toEqual(['jobs.yaml: config.optimizer.lr: must be > 0']);
  });

  it('should list every bad field, including unknown ones inside config', () => {
    const text = 'config:\n  model: lenet\n  epochs: 0\n  epoch: 3\n';

    const issues = issuesOf(() => parseJobFile(text, 'f.yaml'));

    expect(issues).toContain('f.yaml: config.epoch: unknown field');
    expect(issues.some((issue) => issue.startsWith('f.yaml: config.model: must be one of'))).toBe(true);
    expect(issues).toContain('f.yaml: config.epochs: must be >= 1');
  });

  it('should name bad job options outside config', () => {
    const text = 'config: {}\nmaxAttempts: 0\nselector:\n  backend: gpu\n  labels: { tier: 2 }\npriority: high\n';

    const issues = issuesOf(() => parseJobFile(text, 'f.yaml'));

    expect(issues).toContain('f.yaml: maxAttempts: must be >= 1');
    expect(issues).toContain('f.yaml: selector.backend: must be one of tensorflow, wasm, cpu');
    expect(issues).toContain('f.yaml: selector.labels.tier: must be a string (quote numbers and booleans)');
    expect(issues).toContain('f.yaml: priority: unknown field');
  });

  it('should require a config mapping', () => {
    expect(issuesOf(() => parseJobFile('name: x\n', 'f.yaml'))).toEqual(['f.yaml: config: required']);
    expect(issuesOf(() => parseJobFile('config: 3\n', 'f.yaml'))[0]).toMatch(/^f\.yaml: config: /);
    expect(issuesOf(() => parseJobFile('- a\n- b\n', 'f.yaml'))).toEqual(["f.yaml: must be a YAML mapping with a 'config' field"]);
  });

  it('should report a YAML syntax error with its line and column', () => {
    const text = 'config:\n  model: mlp\n  optimizer: { lr: 0.1\nname: x\n';

    const issues = issuesOf(() => parseJobFile(text, 'jobs.yaml'));

    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]).toMatch(/^jobs\.yaml:\d+:\d+: YAML syntax error: \S/);
    expect(issues[0]).not.toMatch(/at line \d+, column \d+/);
  });

  it('should report a duplicate key at the line it repeats on', () => {
    const issues = issuesOf(() => parseJobFile('config: {}\nname: a\nname: b\n', 'jobs.yaml'));

    expect(issues).toEqual(['jobs.yaml:3:1: YAML syntax error: Map keys must be unique']);
  });
});

describe('loadJobFile', () => {
  it.each(['profiles/jobs/cnn-rigl.yaml', 'profiles/jobs/mlp-dense.yaml'])('should accept the shipped example %s', async (path) => {
    const loaded = await loadJobFile(path);

    expect(loaded.request.name).toBeTruthy();
    expect(loaded.config.epochs).toBeGreaterThanOrEqual(1);
  });

  it('should say which file it cannot read', async () => {
    await expect(loadJobFile('/nonexistent/job.yaml')).rejects.toThrow('/nonexistent/job.yaml: cannot read it (ENOENT)');
  });
});
