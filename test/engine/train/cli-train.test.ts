import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { configFromFlags, registerTrainCommand } from '../../../cli/src/commands/train.js';

describe('registerTrainCommand', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sf-train-cli-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function runCli(args: string[]): Promise<{ exitCode: number | undefined; errors: string[] }> {
    const program = new Command().exitOverride();
    registerTrainCommand(program);
    const errors: string[] = [];
    const errorSpy = vi.spyOn(console, 'error').mockImplementation((...parts) => void errors.push(parts.join(' ')));
    const logSpy = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const previous = process.exitCode;
    process.exitCode = undefined;
    try {
      await program.parseAsync(['node', 'sparsefleet', 'train', ...args]);
      return { exitCode: process.exitCode as number | undefined, errors };
    } finally {
      process.exitCode = previous;
      errorSpy.mockRestore();
      logSpy.mockRestore();
    }
  }

  it('should map flags onto the config', async () => {
    // Prepare
    const schedule = join(dir, 'rigl.yaml');
    await writeFile(schedule, 'kind: dst\nupdateInterval: 7\n');

    // Execute
    const config = await configFromFlags({
      model: 'cnn',
      data: 'synthetic',
      method: 'rigl',
      density: '0.05',
      epochs: '3',
      lr: '0.1',
      trainLimit: '100',
      schedule,
    });

    // Assert
    expect(config).toMatchObject({ model: 'cnn', method: 'rigl', density: 0.05, epochs: 3 });
    expect(config.data).toMatchObject({ name: 'synthetic', trainLimit: 100 });
    expect(config.optimizer.lr).toBe(0.1);
    expect(config.schedule).toMatchObject({ kind: 'dst', updateInterval: 7 });
  });

  it('should exit with code 2 and name the field for a bad flag value', async () => {
    const { exitCode, errors } = await runCli(['--density', 'lots']);
    expect(exitCode).toBe(2);
    expect(errors.join('\n')).toMatch(/^error: density: /);
  });

  it('should exit with code 2 and name the field for a bad schedule file', async () => {
    // Prepare
    const schedule = join(dir, 'bad.yaml');
    await writeFile(schedule, 'kind: dst\ndropFraction: 3\n');

    // Execute
    const { exitCode, errors } = await runCli(['--method', 'rigl', '--schedule', schedule]);

    // Assert
    expect(exitCode).toBe(2);
    expect(errors.join('\n')).toContain('schedule.dropFraction');
  });

  it('should exit with code 2 for unreadable or malformed YAML', async () => {
    // Prepare
    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'kind: [dst\n');

    // Execute
    const missing = await runCli(['--profile', join(dir, 'absent.yaml')]);
    const malformed = await runCli(['--schedule', broken]);

    // Assert
    expect(missing.exitCode).toBe(2);
    expect(missing.errors[0]).toMatch(/--profile: cannot read/);
    expect(malformed.exitCode).toBe(2);
    expect(malformed.errors[0]).toMatch(/--schedule: invalid YAML/);
  });

  it('should train and write the JSON result', async () => {
    // Prepare
    const out = join(dir, 'result.json');

    // Execute
    const { exitCode } = await runCli(['--data', 'synthetic', '--train-limit', '64', '--test-limit', '32', '--quiet', '--json', out]);

    // Assert
    expect(exitCode).toBe(0);
    const written = JSON.parse(await readFile(out, 'utf8'));
    expect(written.config.data.name).toBe('synthetic');
    expect(written.result.steps).toBe(1);
    expect(written.result.finalDensity).toBe(1);
  });
});
