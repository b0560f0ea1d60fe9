// A job's loss and accuracy against the step (chart.js), redrawn in place as progress reports arrive.
import { Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import type { JobProgressDto } from '../../api/dto/index.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip);

type Point = { x: number; y: number };

export class ProgressChart {
  private readonly chart: Chart<'line', Point[]>;

  constructor(canvas: HTMLCanvasElement) {
    this.chart = new Chart(canvas, {
      type: 'line',
      data: {
        datasets: [
          { label: 'loss', data: [], yAxisID: 'loss', borderColor: '#d62728', backgroundColor: '#d62728', pointRadius: 0 },
          { label: 'train accuracy', data: [], yAxisID: 'accuracy', borderColor: '#1f77b4', backgroundColor: '#1f77b4', pointRadius: 0 },
          { label: 'test accuracy', data: [], yAxisID: 'accuracy', borderColor: '#2ca02c', backgroundColor: '#2ca02c', pointRadius: 3, showLine: true },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: false,
        scales: {
          x: { type: 'linear', title: { display: true, text: 'step' } },
          loss: { type: 'linear', position: 'left', title: { display: true, text: 'loss' } },
          accuracy: { type: 'linear', position: 'right', min: 0, max: 1, title: { display: true, text: 'accuracy' }, grid: { drawOnChartArea: false } },
        },
      },
    });
  }

  /** Draws the reports of the latest attempt (an earlier attempt's steps would overlap them). */
  show(reports: readonly JobProgressDto[]): void {
    const attempt = Math.max(0, ...reports.map((report) => report.attempt));
    const latest = reports.filter((report) => report.attempt === attempt).sort((a, b) => a.sequence - b.sequence);
    const [loss, train, test] = this.chart.data.datasets;
    loss!.data = latest.map((report) => ({ x: report.step, y: report.loss }));
    train!.data = latest.map((report) => ({ x: report.step, y: report.trainAccuracy }));
    test!.data = latest.filter((report) => report.testAccuracy >= 0).map((report) => ({ x: report.step, y: report.testAccuracy }));
    this.chart.update();
  }

  destroy(): void {
    this.chart.destroy();
  }
}
