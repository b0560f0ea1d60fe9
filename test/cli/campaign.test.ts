// `sparsefleet campaign` handlers against a real coordinator with raw benchmark devices: local validation before
// anything is sent, run --wait until done, list/show, and report files identical to what the coordinator serves.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadCampaignFile,
  runCampaignCancel,
  runCampaignList,
  runCampaignReport,
  runCampaignRun,
  runCampaignShow,
} from '../../cli/src/commands/campaign.js';
import type { CampaignSummary, CampaignView } from '../../cli/src/operator/campaign-api.js';
import { CampaignLinesView } from '../../cli/src/operator/campaign-watch.js';
import { createOperatorContext } from '../../cli/src/operator/command-kit.js';
import { UsageError } from '../../cli/src/operator/errors.js';
import { BufferedOutput } from '../../cli/src/operator/output.js';
import { extractEmbeddedReport } from '../../server/src/campaigns/report/report-html.js';
import { api, startTestCoordinator, type TestCoordinator } from '../server/support/coordinator-harness.js';
import { benchmarkDevice, type BenchmarkDevice } from '../server/campaigns/support/benchmark-device.js';

describe('campaign CLI', () => {
  let test: TestCoordinator;
  let dir: string;
  const devices: BenchmarkDevice[] = [];

  function cli() {
    const output = new BufferedOutput();
    return { context: createOperatorContext(test.coordinator.url, test.apiKey, output), output };
  }

  beforeAll(async () => {
    test = await startTestCoordinator({ sweepIntervalMs: 50 });
    dir = await mkdtemp(join(tmpdir(), 'sf-campaign-cli-'));
    devices.push(await benchmarkDevice(test, 'cli-a'), await benchmarkDevice(test, 'cli-b'));
  });

  afterAll(async () => {
    for (const device of devices) device.leave();
    await test?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('should refuse an invalid file locally, naming the file and the field', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'name: bad\nmeasure: kernel\nmatrix: { op: linear-forward, shape: [[8,16,16]], density: [0.5, 0] }\n');
    const error = await loadCampaignFile(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).issues).toContain(`${file}: matrix.density[1]: must be in (0, 1]`);
    expect((await api<CampaignSummary[]>(test, 'GET', '/api/campaigns')).body).toHaveLength(0);
  });

  it('should run the smoke campaign with --wait, then list, show and write reports', async () => {
    const lines: string[] = [];
    const run = cli();
    const code = await runCampaignRun(run.context, 'profiles/campaigns/smoke.yaml', {
      wait: true,
      json: true,
      intervalMs: 50,
      view: new CampaignLinesView((line) => lines.push(line)),
    });
    const final = JSON.parse(run.output.stdout) as CampaignView;
    expect(code).toBe(0);
    expect(final.state).toBe('completed');
    // smoke.yaml measures on one device (count: 1): 8 cells.
    expect(final.results).toHaveLength(8);
    expect(lines.some((line) => /^device cli-[ab]: \d\/8 done/.test(line))).toBe(true);

    const list = cli();
    expect(await runCampaignList(list.context, {})).toBe(0);
    expect(list.output.stdout).toMatch(/smoke\s+kernel\s+completed\s+every\s+8\s+8\/8 done/);

    const show = cli();
    expect(await runCampaignShow(show.context, final.id.slice(0, 8), {})).toBe(0);
    expect(show.output.stdout).toContain('RESULTS');
    expect(show.output.stdout).toContain('linear-forward [64,784,300] block d=0.1');
    expect(show.output.stdout).toContain('conv-forward [64,14,14,32,64,3] irregular d=0.5');

    const htmlFile = join(dir, 'report.html');
    const jsonFile = join(dir, 'report.json');
    expect(await runCampaignReport(cli().context, final.id, { format: 'html', out: htmlFile })).toBe(0);
    expect(await runCampaignReport(cli().context, final.id, { format: 'json', out: jsonFile })).toBe(0);
    const served = (await api<string>(test, 'GET', `/api/campaigns/${final.id}/report?format=html`)).body;
    const html = await readFile(htmlFile, 'utf8');
    expect(html).toBe(served);
    expect(extractEmbeddedReport(html)).toEqual(JSON.parse(await readFile(jsonFile, 'utf8')));
  });

  it('should cancel a campaign that cannot be placed anywhere', async () => {
    const file = join(dir, 'nowhere.yaml');
    await writeFile(
      file,
      'name: nowhere\nmeasure: kernel\nmatrix: { op: linear-forward, shape: [[8,16,16]], density: 0.5 }\ndevices: { placement: spread, selector: { labels: { site: mars } } }\n',
    );
    const started = cli();
    expect(await runCampaignRun(started.context, file, { json: true })).toBe(0);
    const id = (JSON.parse(started.output.stdout) as CampaignView).id;
    const cancel = cli();
    expect(await runCampaignCancel(cancel.context, id, {})).toBe(0);
    expect(cancel.output.stdout).toBe(`campaign ${id} is cancelled: 1/1 done (1 cancelled)`);
  });
});
