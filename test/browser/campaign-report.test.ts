// The campaign HTML report in a real browser (Debian's Chromium, driven by playwright-core): every chart canvas
// gets a chart.js chart whose every dataset has data points, the page does not scroll sideways at 1280 px (details
// open or closed), no table has a column without a value, and the page makes no request beyond its own file.
// Skipped, saying why, where /usr/bin/chromium is missing (.ci/run installs it).
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignReport } from '../../server/src/campaigns/report/report-data.js';
import { extractEmbeddedCharts, renderReportHtml } from '../../server/src/campaigns/report/report-html.js';
import { kernelReport, trainingRunReport, trainingStepReport } from './report-fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`campaign report browser test skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

interface PageFacts {
  readonly canvases: number;
  /** Per canvas: its id and, per dataset, the number of non-null data points; null when chart.js drew nothing. */
  readonly charts: Array<{ id: string; datasets: Array<{ label: string; points: number }> | null }>;
  readonly scrollWidth: number;
  readonly scrollWidthOpen: number;
  /** "table#id column 'header'" for every table column in which no body row has a value. */
  readonly emptyColumns: string[];
  readonly detailsOpenAtLoad: number;
  /** Document order: summary table, first chart, first details. */
  readonly order: { summary: number; chart: number; details: number };
}

describe.skipIf(!haveChromium)(`campaign report in Chromium (${haveChromium ? CHROMIUM : `skipped: no ${CHROMIUM}; apt-get install chromium`})`, () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    dir = await mkdtemp(join(tmpdir(), 'sparsefleet-report-'));
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function open(name: string, report: CampaignReport): Promise<{ facts: PageFacts; requests: string[]; errors: string[]; url: string; expectedCharts: number }> {
    const html = renderReportHtml(report);
    const file = join(dir, `${name}.html`);
    await writeFile(file, html);
    const url = pathToFileURL(file).href;
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    try {
      await page.goto(url, { waitUntil: 'load' });
      const facts = await page.evaluate((): PageFacts => {
        const win = window as unknown as { Chart: { getChart(canvas: HTMLCanvasElement): { data: { datasets: Array<{ label: string; data: unknown[] }> } } | undefined } };
        const canvases = [...document.querySelectorAll('canvas')];
        const charts = canvases.map((canvas) => {
          const chart = win.Chart.getChart(canvas);
          return {
            id: canvas.id,
            datasets: chart ? chart.data.datasets.map((dataset) => ({ label: dataset.label, points: dataset.data.filter((point) => point !== null && point !== undefined).length })) : null,
          };
        });
        const scrollWidth = document.documentElement.scrollWidth;
        const details = [...document.querySelectorAll('details')];
        const detailsOpenAtLoad = details.filter((element) => element.open).length;
        for (const element of details) element.open = true;
        const scrollWidthOpen = document.documentElement.scrollWidth;
        const emptyColumns: string[] = [];
        document.querySelectorAll('table').forEach((table, tableIndex) => {
          const headers = [...table.querySelectorAll('thead th')].map((th) => th.textContent?.trim() ?? '');
          const rows = [...table.querySelectorAll('tbody tr')].filter((row) => row.querySelectorAll('td').length > 0);
          headers.forEach((header, column) => {
            const filled = rows.some((row) => {
              const value = row.querySelectorAll('td')[column]?.textContent?.trim() ?? '';
              return value !== '' && value !== '—';
            });
            if (!filled) emptyColumns.push(`table ${table.id || tableIndex} column '${header}'`);
          });
        });
        const position = (selector: string) => {
          const all = [...document.querySelectorAll('body *')];
          const element = document.querySelector(selector);
          return element ? all.indexOf(element) : -1;
        };
        return {
          canvases: canvases.length,
          charts,
          scrollWidth,
          scrollWidthOpen,
          emptyColumns,
          detailsOpenAtLoad,
          order: { summary: position('table#summary'), chart: position('canvas'), details: position('details') },
        };
      });
      return { facts, requests, errors, url, expectedCharts: extractEmbeddedCharts(html).length };
    } finally {
      await page.close();
    }
  }

  const cases: Array<[string, () => CampaignReport, number]> = [
    ['kernel campaign (3 devices, 2 shapes, 2 schemes, 4 densities)', kernelReport, 6],
    ['training-step campaign (2 models, model state, drift)', trainingStepReport, 8],
    ['training-run campaign (accuracy, time to accuracy, mask exploration)', trainingRunReport, 6],
  ];

  it.each(cases)('should draw every chart with data points, fit 1280 px and fetch nothing: %s', async (name, build, chartCount) => {
    const { facts, requests, errors, url, expectedCharts } = await open(name.split(' ')[0]!, build());

    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    expect(facts.canvases).toBe(chartCount);
    expect(facts.canvases).toBe(expectedCharts);
    for (const chart of facts.charts) {
      expect(chart.datasets, `${chart.id} has no chart.js chart`).not.toBeNull();
      expect(chart.datasets!.length, `${chart.id} has no dataset`).toBeGreaterThan(0);
      for (const dataset of chart.datasets!) expect(dataset.points, `${chart.id} dataset '${dataset.label}'`).toBeGreaterThanOrEqual(1);
    }
    expect(facts.scrollWidth).toBeLessThanOrEqual(1280);
    expect(facts.scrollWidthOpen).toBeLessThanOrEqual(1280);
    expect(facts.emptyColumns).toEqual([]);
    expect(facts.detailsOpenAtLoad).toBe(0);
    expect(facts.order.summary).toBeGreaterThan(-1);
    expect(facts.order.summary).toBeLessThan(facts.order.chart);
    expect(facts.order.chart).toBeLessThan(facts.order.details);
  });

  it('should show the 1/density limit as a dashed line on every speedup chart', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await page.setContent(renderReportHtml(kernelReport()), { waitUntil: 'load' });
      const limits = await page.evaluate(() => {
        const win = window as unknown as { Chart: { getChart(canvas: Element): { data: { datasets: Array<{ label: string; borderDash?: number[]; data: Array<{ x: number; y: number }> }> } } } };
        return [...document.querySelectorAll('section[data-section="speedup"] canvas')].map((canvas) => {
          const limit = win.Chart.getChart(canvas).data.datasets.find((dataset) => dataset.label === '1/density limit');
          return limit ? { dash: limit.borderDash, exact: limit.data.every((point) => Math.abs(point.y - 1 / point.x) < 1e-9) } : null;
        });
      });
      expect(limits).toEqual([{ dash: [6, 4], exact: true }, { dash: [6, 4], exact: true }]);
    } finally {
      await page.close();
    }
  });
});
