// `sparsefleet campaign compare` against a real coordinator: the same campaign run twice, first on a fast device,
// then on one whose latencies are twice as slow ("before and after a change"). The exit code gates on a regression,
// the JSON is the coordinator's, the HTML file is what the coordinator serves, ids take unique prefixes.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerCampaignCommand, runCampaignCompare, runCampaignRun } from '../../cli/src/commands/campaign.js';
import type { CampaignComparison, CampaignView } from '../../cli/src/operator/campaign-api.js';
import { createOperatorContext } from '../../cli/src/operator/command-kit.js';
import { EXIT_NOTHING_COMPARABLE, EXIT_REGRESSION, UsageError } from '../../cli/src/operator/errors.js';
import { BufferedOutput } from '../../cli/src/operator/output.js';
import { extractEmbeddedComparison } from '../../server/src/campaigns/compare/compare-html.js';
import { api, eventually, rawApi, startTestCoordinator, type TestCoordinator } from '../server/support/coordinator-harness.js';
import { benchmarkDevice, type BenchmarkDevice } from '../server/campaigns/support/benchmark-device.js';

const CAMPAIGN = `name: compare-me
measure: kernel
matrix: { op: linear-forward, shape: [[8, 16, 16]], scheme: irregular, density: [0.1, 0.5] }
runRules: { warmupIterations: 1, minIterations: 5, minDurationMs: 10, percentiles: [50, 90] }
`;

describe('campaign compare CLI', () => {
  let test: TestCoordinator;
  let dir: string;
  let before: string;
  let after: string;
  const devices: BenchmarkDevice[] = [];

  function cli() {
    const output = new BufferedOutput();
    return { context: createOperatorContext(test.coordinator.url, test.apiKey, output), output };
  }

  async function runCampaign(file: string): Promise<string> {
    const run = cli();
    expect(await runCampaignRun(run.context, file, { wait: true, json: true, intervalMs: 50, view: { update: () => {}, stop: () => {} } })).toBe(0);
    const final = JSON.parse(run.output.stdout) as CampaignView;
    expect(final.state).toBe('completed');
    return final.id;
  }

  beforeAll(async () => {
    test = await startTestCoordinator({ sweepIntervalMs: 50 });
    dir = await mkdtemp(join(tmpdir(), 'sf-campaign-compare-'));
    const file = join(dir, 'campaign.yaml');
    await writeFile(file, CAMPAIGN);

    const fast = await benchmarkDevice(test, 'fast');
    devices.push(fast);
    before = await runCampaign(file);
    fast.leave();
    await eventually(async () => {
      const { body } = await api<{ state: string }>(test, 'GET', `/api/devices/${fast.deviceId}`);
      return body.state === 'offline' ? true : undefined;
    });
    // Twice the latencies: p50 +50 % at density 0.1, +100 % at 0.5 (the synthetic dense side slows too, so the speedup rises).
    devices.push(await benchmarkDevice(test, 'slow', 'measure', 2));
    after = await runCampaign(file);
  });

  afterAll(async () => {
    for (const device of devices) device.leave();
    await test?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('should exit with the regression code and print the coordinator JSON', async () => {
    const run = cli();

    const code = await runCampaignCompare(run.context, before.slice(0, 8), after.slice(0, 8), { format: 'json', threshold: '5%' });

    expect(code).toBe(EXIT_REGRESSION);
    expect(EXIT_REGRESSION).toBe(3);
    const comparison = JSON.parse(run.output.stdout) as CampaignComparison;
    const served = (await api<CampaignComparison>(test, 'GET', `/api/campaigns/${before}/compare/${after}?threshold=5`)).body;
    expect(comparison).toEqual(served);
    expect(comparison.a.id).toBe(before);
    expect(comparison.b.id).toBe(after);
    expect(comparison.verdict).toBe('regression');
    expect(comparison.counts).toMatchObject({ regression: 2, improvement: 0, unchanged: 0, incomparable: 0 });
    for (const cell of comparison.cells) {
      const latency = cell.metrics.find((metric) => metric.metric === 'latency')!;
      expect(latency.verdict).toBe('regression');
      expect(latency.b!.median).toBeGreaterThan(latency.a!.median);
      expect(cell.metrics.find((metric) => metric.metric === 'speedup')!.verdict).toBe('improvement');
    }
    // density 0.1: sparse 2 ms → 3 ms (+50 %); density 0.5: 6 ms → 11 ms (+83.3 %): worst first.
    expect(comparison.cells.map((cell) => cell.label)).toEqual(['linear-forward [8,16,16] irregular d=0.5', 'linear-forward [8,16,16] irregular d=0.1']);
  });

  it('should exit 4 when no cell could be compared, so a gate pointed at the wrong campaigns fails', async () => {
    // Kernel cells measure no accuracy: comparing accuracy alone leaves nothing to compare.
    const accuracyOnly = cli();
    expect(await runCampaignCompare(accuracyOnly.context, before, after, { metrics: 'accuracy' })).toBe(EXIT_NOTHING_COMPARABLE);
    expect(accuracyOnly.output.stdout.split('\n').at(-1)).toMatch(/^NOTHING COMPARABLE/);
  });

  it('should exit 0 when nothing regressed beyond the threshold or the regressed metric is not compared', async () => {
    const loose = cli();
    expect(await runCampaignCompare(loose.context, before, after, { format: 'json', threshold: '90' })).toBe(0);
    expect((JSON.parse(loose.output.stdout) as CampaignComparison).counts).toMatchObject({ regression: 0, unchanged: 2 });

    const speedupOnly = cli();
    expect(await runCampaignCompare(speedupOnly.context, before, after, { metrics: 'speedup' })).toBe(0);
    expect(speedupOnly.output.stdout.split('\n').at(-1)).toMatch(/^IMPROVEMENT, no regression: 2 of 2 compared cells improved/);

    const same = cli();
    expect(await runCampaignCompare(same.context, before, before, {})).toBe(0);
    expect(same.output.stdout.split('\n').at(-1)).toMatch(/^UNCHANGED: no compared cell moved beyond the threshold/);
  });

  it('should print a table of the flagged cells and a one-line verdict by default', async () => {
    const run = cli();

    expect(await runCampaignCompare(run.context, before, after, {})).toBe(EXIT_REGRESSION);

    const lines = run.output.stdout.split('\n');
    expect(lines[0]).toBe(`A  ${before.slice(0, 8)}  compare-me  (kernel, completed, 1 device, agent test)`);
    expect(lines[1]).toBe(`B  ${after.slice(0, 8)}  compare-me  (kernel, completed, 1 device, agent test)`);
    const header = lines.findIndex((line) => line.startsWith('VERDICT'));
    expect(lines[header]).toMatch(/^VERDICT\s+CELL\s+SPEEDUP ×\s+P50 MS\s+MEMORY SAVED\s+NOISE\s+DEVICES$/);
    expect(lines[header + 1]).toMatch(/^regression\s+linear-forward \[8,16,16\] irregular d=0\.5\s+.*\(\+\d+(\.\d)?%\) !\s+6\.3 → 11\.55 \(\+83\.3%\) !/);
    expect(lines.at(-1)).toBe(
      'REGRESSION: 2 of 2 compared cells regressed beyond the threshold (2 regressed, 0 improved, 0 unchanged, 0 incomparable; 0 only in A, 0 only in B)',
    );
  });

  it('should write the HTML the coordinator serves to --out and still gate on the verdict', async () => {
    const file = join(dir, 'compare.html');
    const run = cli();

    expect(await runCampaignCompare(run.context, before, after, { format: 'html', out: file, threshold: '5' })).toBe(EXIT_REGRESSION);

    const html = await readFile(file, 'utf8');
    const served = await rawApi<string>(test.coordinator.url, 'GET', `/api/campaigns/${before}/compare/${after}?format=html&threshold=5`, {
      headers: { authorization: `Bearer ${test.apiKey}` },
    });
    expect(html).toBe(served.body);
    expect(extractEmbeddedComparison(html).verdict).toBe('regression');
    expect(run.output.stderr).toContain(`wrote the html comparison to ${file}`);
    expect(run.output.stderr).toContain('REGRESSION: 2 of 2 compared cells regressed');
  });

  it('should refuse a bad threshold, metric or format before asking the coordinator', async () => {
    for (const options of [{ threshold: 'five' }, { threshold: '-3%' }, { accuracyThreshold: 'x' }, { metrics: 'speed' }, { format: 'csv' as 'json' }]) {
      const error = await runCampaignCompare(cli().context, before, after, options).catch((caught: unknown) => caught);
      expect(error, JSON.stringify(options)).toBeInstanceOf(UsageError);
    }
    const error = (await runCampaignCompare(cli().context, before, after, { threshold: 'five' }).catch((caught: unknown) => caught)) as UsageError;
    expect(error.issues).toEqual(["--threshold must be a number in [0, 1000] (percent, e.g. 5 or 5%), got 'five'"]);
    const metrics = (await runCampaignCompare(cli().context, before, after, { metrics: 'speed' }).catch((caught: unknown) => caught)) as UsageError;
    expect(metrics.issues[0]).toBe("--metrics: unknown metric 'speed' (one of speedup, latency, memory, accuracy)");
  });

  it('should set the process exit code from the command line flags', async () => {
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const previous = process.exitCode;
    const parse = async (...flags: string[]) => {
      const program = new Command().exitOverride();
      registerCampaignCommand(program);
      written.length = 0;
      process.exitCode = undefined;
      await program.parseAsync(['campaign', 'compare', before.slice(0, 6), after.slice(0, 6), '--server', test.coordinator.url, '--api-key', test.apiKey, ...flags], { from: 'user' });
      return process.exitCode;
    };
    try {
      expect(await parse('--threshold', '5%', '--format', 'json')).toBe(EXIT_REGRESSION);
      expect((JSON.parse(written.join('')) as CampaignComparison).thresholds).toEqual({ percent: 5, memoryPoints: 5, accuracyPoints: 0.5 });
      expect(await parse('--threshold', '90', '--accuracy-threshold', '2', '--format', 'json')).toBe(0);
      expect((JSON.parse(written.join('')) as CampaignComparison).thresholds).toEqual({ percent: 90, memoryPoints: 90, accuracyPoints: 2 });
      expect(await parse('--metrics', 'speedup,memory')).toBe(0);
      expect(written.join('')).toContain('IMPROVEMENT, no regression');
    } finally {
      write.mockRestore();
      process.exitCode = previous;
    }
  });
});
