// Issue 12's CI gate: the 200-device scenario with churn, link faults and a coordinator crash, run exactly as a CI
// job runs it (`sparsefleet sim run test/scenarios/ci-200.yaml --junit …`, from dist/: npm ci builds it), must pass
// every invariant. The exit code and the JUnit file are both checked, so a violation fails this test.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ENTRY = join(import.meta.dirname, '../../../bin/sparsefleet.js');
const BUILT = existsSync(join(import.meta.dirname, '../../../dist/cli/src/commands/sim.js'));
const RUN_LIMIT_MS = 240_000;

function runCli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_LIMIT_MS);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('sim run test/scenarios/ci-200.yaml', () => {
  let folder: string | undefined;
  afterAll(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('passes every invariant with 200 devices, churn, link faults and a coordinator crash', { timeout: RUN_LIMIT_MS + 10_000 }, async () => {
    expect(BUILT, 'the coordinator and the CLI run from dist/: npm run build first').toBe(true);
    folder = await mkdtemp(join(tmpdir(), 'sf-sim-ci-'));
    const junit = join(folder, 'out.xml');
    const json = join(folder, 'out.json');
    const { code, stdout, stderr } = await runCli(['sim', 'run', 'test/scenarios/ci-200.yaml', '--junit', junit, '--json', json, '--quiet']);
    expect(code, `${stdout}\n${stderr.slice(-4000)}`).toBe(0);
    expect(stdout).toContain('verdict: PASS');
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="ci-200" tests="5" failures="0"/);
    const report = JSON.parse(await readFile(json, 'utf8'));
    expect(report.verdict.figures.devices).toBe(200);
    expect(report.verdict.figures.jobs).toBe(210);
    expect(report.verdict.figures.coordinatorRestarts).toBe(1);
    expect(report.verdict.figures.faults.kill).toBeGreaterThanOrEqual(60);
    expect(report.verdict.figures.unfinished).toBe(0);
  });
});
