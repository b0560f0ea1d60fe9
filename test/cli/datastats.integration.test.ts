// The datastats and removal commands against a real coordinator in this process (port 0, throwaway data dir): what
// they print, and that the coordinator's refusals reach the operator as they were given.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDatastatsExport, runDatastatsList, runDatastatsRegister, runDatastatsReport, runDatastatsShow } from '../../cli/src/commands/datastats.js';
import { runJobsSubmit } from '../../cli/src/commands/jobs.js';
import { runRemovalCreate, runRemovalList, runRemovalShow } from '../../cli/src/commands/removal.js';
import { createOperatorContext, type OperatorContext } from '../../cli/src/operator/command-kit.js';
import type { DatasetDetail, DatasetSummary } from '../../cli/src/operator/datastats-api.js';
import { ApiError } from '../../cli/src/operator/errors.js';
import { BufferedOutput } from '../../cli/src/operator/output.js';
import { startCoordinator, type RunningCoordinator } from '../../server/src/coordinator.js';

const HASH = '1f'.repeat(32);

describe('datastats and removal commands against a real coordinator', () => {
  let dataDir: string;
  let coordinator: RunningCoordinator;
  let apiKey: string;

  function cli(): { context: OperatorContext; output: BufferedOutput } {
    const output = new BufferedOutput();
    return { context: createOperatorContext(coordinator.url, apiKey, output), output };
  }

  async function failure(run: (context: OperatorContext) => Promise<number>): Promise<ApiError> {
    const error = await run(cli().context).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sf-cli-datastats-'));
    coordinator = await startCoordinator({ port: 0, dataDir, logLevel: 'silent' });
    apiKey = (await coordinator.createApiKey('cli datastats')).key;
  });

  afterAll(async () => {
    await coordinator?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('registers a data set by hash and size, lists it, and refuses the hash under another size', async () => {
    const { context, output } = cli();
    expect(await runDatastatsRegister(context, 'fashion-mnist', { hash: HASH, size: 500 })).toBe(0);
    expect(output.stdout).toBe(`registered fashion-mnist: 500 examples, content hash ${HASH}`);

    const listed = cli();
    await runDatastatsList(listed.context, { json: true });
    expect((JSON.parse(listed.output.stdout) as { datasets: DatasetSummary[] }).datasets).toEqual([
      expect.objectContaining({ name: 'fashion-mnist', contentHash: HASH, size: 500, coveredExamples: 0, contributions: 0 }),
    ]);
    const table = cli();
    await runDatastatsList(table.context, {});
    expect(table.output.stdout.split('\n')[0]).toMatch(/^NAME\s+HASH\s+SIZE\s+COVERED\s+JOBS\s+DEVICES\s+EPOCHS\s+LATEST SET$/);
    expect(table.output.stdout).toContain(HASH.slice(0, 12));

    const conflict = await failure((c) => runDatastatsRegister(c, 'fashion-mnist', { hash: HASH, size: 600 }));
    expect(conflict.status).toBe(409);
    expect(conflict.message).toContain(`content hash ${HASH} is registered as fashion-mnist with 500 examples`);
  });

  it('shows a data set without statistics: everything uncovered, by name or hash, as text or JSON', async () => {
    const { context, output } = cli();
    await runDatastatsShow(context, 'fashion-mnist', { width: 70 });

    expect(output.stdout).toContain(`content hash     ${HASH}`);
    const histogram = output.stdout.split('\n').filter((line) => line.includes('│'));
    expect(histogram.map((line) => line.split('│')[0]!.trim())).toEqual(['forgetting count', 'never learned', 'uncovered']);
    expect(histogram[2]).toMatch(/ 500 {2}100\.0%$/);
    expect(histogram.slice(1).every((line) => line.length === 70)).toBe(true);

    const json = cli();
    await runDatastatsShow(json.context, HASH, { json: true });
    expect(JSON.parse(json.output.stdout) as DatasetDetail).toMatchObject({ summary: { contentHash: HASH }, uncovered: 500, histogram: [] });
  });

  it('exports the CSV header and writes the HTML report', async () => {
    const { context, output } = cli();
    await runDatastatsExport(context, HASH, {});
    expect(output.stdout).toBe('id,presentations,forgetting_events,first_learned_epoch,forgetting_count,contributors');

    const file = join(dataDir, 'report.html');
    const report = cli();
    expect(await runDatastatsReport(report.context, HASH, { out: file })).toBe(0);
    expect(await readFile(file, 'utf8')).toMatch(/^<!doctype html>/i);
    expect(report.output.stderr).toBe(`wrote the report of ${HASH} to ${file}`);
  });

  it('passes the coordinator refusals through: unknown data set (with a hint), no statistics yet, unknown set', async () => {
    const unknown = await runDatastatsShow(cli().context, 'cifar10', {}).catch((caught: unknown) => caught as Error);
    expect(String(unknown)).toMatch(/no data set is registered under the content hash or name cifar10.*sparsefleet datastats list/);

    const empty = await failure((c) => runRemovalCreate(c, 'fashion-mnist', { fraction: 0.2 }));
    expect(empty.status).toBe(400);
    expect(empty.message).toContain('has no statistics yet');

    const missing = await failure((c) => runRemovalShow(c, 'no-such-set', {}));
    expect(missing.status).toBe(404);

    const { context, output } = cli();
    await runRemovalList(context, { dataset: HASH });
    expect(output.stdout).toBe(`no removal sets of ${HASH}`);
  });

  it('submits a job with --forgetting and refuses --removal-set latest when the data set has no set', async () => {
    const file = join(dataDir, 'job.yaml');
    await writeFile(file, ['config:', '  model: mlp', '  data: { name: fashion-mnist }', '  epochs: 1'].join('\n'));

    const { context, output } = cli();
    expect(await runJobsSubmit(context, file, { forgetting: 'epoch', json: true })).toBe(0);
    expect(JSON.parse(output.stdout)).toMatchObject({ state: 'queued' });

    const refused = await failure((c) => runJobsSubmit(c, file, { removalSet: 'latest' }));
    expect(refused.status).toBe(400);
  });
});
