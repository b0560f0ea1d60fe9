// Mask exploration in the campaign report: training-run cells that reported masks get their ITOP rate and churn
// per update into the JSON report and two charts in the HTML one; campaigns without mask reports get neither.
import { describe, expect, it } from 'vitest';
import { parseCampaignSpec } from '../../../server/src/campaigns/campaign-spec.js';
import { cellJob } from '../../../server/src/campaigns/cell-job-spec.js';
import { expandMatrix } from '../../../server/src/campaigns/campaign-matrix.js';
import type { XyChart } from '../../../server/src/campaigns/report/report-charts.js';
import { extractEmbeddedCharts, extractEmbeddedReport, renderReportHtml } from '../../../server/src/campaigns/report/report-html.js';
import { MaskReportCadence } from '../../../protocol/src/index.js';
import { kernelReport, trainingRunReport } from '../../browser/report-fixtures.js';

describe('mask exploration in campaign reports', () => {
  it('carries every reporting job’s updates and plots ITOP rate and churn against the step', () => {
    const report = trainingRunReport();
    expect(report.masks).toHaveLength(report.rows.length);
    const rigl = report.masks!.find((run) => run.cell.includes('rigl'))!;
    expect(rigl.updates.map((u) => u.step)).toEqual([0, 16, 32, 48, 64, 80, 96]);
    expect(rigl.updates[0].churn).toBeNull();

    const html = renderReportHtml(report);
    expect(extractEmbeddedReport(html).masks).toEqual(report.masks);
    const charts = extractEmbeddedCharts(html).filter((chart): chart is XyChart => chart.section === 'masks');
    expect(charts.map((chart) => chart.title)).toEqual(['ITOP exploration rate', 'Mask churn per update']);
    expect(html).toContain('<h3>Mask exploration</h3>');
    const [itop, churn] = charts;
    // One device: lines are named by their cell alone.
    const label = rigl.cell;
    expect(itop.series.find((s) => s.label === label)!.points.map((p) => [p.x, p.y])).toEqual(rigl.updates.map((u) => [u.step, u.itopRate! * 100]));
    // Churn has no point for the first mask; a static run (no updates after the first) has no churn line at all.
    expect(churn.series.find((s) => s.label === label)!.points.map((p) => p.x)).toEqual([16, 32, 48, 64, 80, 96]);
    expect(churn.series.some((s) => s.label.includes('static'))).toBe(false);
    expect(itop.series.filter((s) => s.label.includes('static')).every((s) => s.points.length === 1)).toBe(true);
  });

  it('leaves the section out when no job reported masks', () => {
    const report = kernelReport();
    expect(report.masks).toBeUndefined();
    expect(extractEmbeddedCharts(renderReportHtml(report)).some((chart) => chart.section === 'masks')).toBe(false);
  });

  it('asks training-run cells for mask reports, and refuses the option for other measures', () => {
    const spec = parseCampaignSpec({
      name: 'masks',
      measure: 'training-run',
      matrix: { model: 'mlp', method: 'set', density: 0.1 },
      report: { masks: 'every', fullMaskEvery: 4 },
    });
    const [cell] = expandMatrix(spec);
    expect(cellJob(spec, cell!, 'c1').spec.maskReporting).toEqual({ cadence: MaskReportCadence.MASK_REPORT_CADENCE_EVERY, fullEvery: 4 });
    expect(() =>
      parseCampaignSpec({ name: 'k', measure: 'kernel', matrix: { op: 'linear-forward', shape: [[8, 16, 16]], density: 0.5 }, report: { masks: 'final' } }),
    ).toThrow(/report\.masks: only for measure training-run/);
  });
});
