// The HTML timeline of a run: one self-contained page (chart.js inlined, data embedded as JSON) with the verdict,
// the figures, devices online and jobs queued / running / done over simulated time, and the faults as marks.
import { chartJsSource } from './chart-library.js';
import type { Timeline } from './timeline.js';
import { formatSimSpan } from './sim-duration.js';
import type { Verdict } from './verdict.js';

export function renderTimelineHtml(verdict: Verdict, timeline: Timeline): string {
  const { figures } = verdict;
  const rows = verdict.invariants
    .map((outcome) => {
      const ok = outcome.violations.length === 0;
      const details = ok ? '' : `<ul>${outcome.violations.map((violation) => `<li>${escapeHtml(violation.message)}</li>`).join('')}</ul>`;
      return `<tr class="${ok ? 'ok' : 'fail'}"><td>${ok ? 'ok' : 'FAIL'}</td><td>${escapeHtml(outcome.description)}${details}</td><td>${outcome.checked}</td><td>${outcome.violations.length}</td></tr>`;
    })
    .join('\n');
  const marks = timeline.marks.map((mark) => `<li>${formatSimSpan(mark.simMs)}: ${escapeHtml(mark.label)}</li>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sparsefleet sim: ${escapeHtml(verdict.scenario)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; max-width: 1200px; color: #222; }
table { border-collapse: collapse; margin: 12px 0; } td, th { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
tr.ok td:first-child { color: #1a7f37; font-weight: bold; } tr.fail td:first-child { color: #c62828; font-weight: bold; }
.verdict { font-size: 20px; font-weight: bold; } .pass { color: #1a7f37; } .failed { color: #c62828; }
.chart { position: relative; height: 320px; margin: 16px 0; } ul.marks { columns: 2; font-size: 12px; }
</style></head><body>
<h1>Simulated fleet: ${escapeHtml(verdict.scenario)}</h1>
<p class="verdict ${verdict.passed ? 'pass' : 'failed'}">verdict: ${verdict.passed ? 'PASS' : 'FAIL'}</p>
<p>seed ${verdict.seed}, time scale ${verdict.timeScale}×, started ${escapeHtml(verdict.startedAt)} · ${figures.devices} devices
(${figures.realEngines} real engines) · ${figures.jobs} jobs: ${figures.succeeded} succeeded, ${figures.failed} failed, ${figures.unfinished} unfinished ·
wall ${(figures.wallMs / 1000).toFixed(1)} s, simulated ${formatSimSpan(figures.simMs)} · ${figures.events} events (${Math.round(figures.eventsPerSecond)}/s) ·
coordinator peak RSS ${(figures.coordinatorPeakRssBytes / 1_048_576).toFixed(0)} MiB, ${figures.coordinatorRestarts} restart(s)</p>
<table><tr><th></th><th>invariant</th><th>checked</th><th>violations</th></tr>
${rows}
</table>
<h2>Devices online</h2><div class="chart"><canvas id="devices"></canvas></div>
<h2>Jobs</h2><div class="chart"><canvas id="jobs"></canvas></div>
<h2>Faults</h2><ul class="marks">${marks || '<li>none</li>'}</ul>
<script type="application/json" id="timeline-data">${embedJson(timeline)}</script>
<script>${chartJsSource().replace(/<\/script/gi, '<\\/script')}</script>
<script>${TIMELINE_SCRIPT}</script>
</body></html>
`;
}

/** Browser side: reads the embedded timeline and draws two line charts over simulated minutes. Plain ES2017. */
const TIMELINE_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('timeline-data').textContent);
  var minutes = function (ms) { return Math.round(ms / 600) / 100; };
  var line = function (label, color, pick) {
    return { label: label, borderColor: color, backgroundColor: color, pointRadius: 0, borderWidth: 2, spanGaps: false,
      data: data.samples.map(function (s) { var v = pick(s); return { x: minutes(s.simMs), y: v }; }) };
  };
  var marks = data.marks.filter(function (m) { return /coordinator/.test(m.label); });
  var markPlugin = { id: 'marks', afterDraw: function (chart) {
    var x = chart.scales.x, ctx = chart.ctx;
    marks.forEach(function (m) { var px = x.getPixelForValue(minutes(m.simMs)); ctx.save(); ctx.strokeStyle = '#c62828';
      ctx.setLineDash([4, 4]); ctx.beginPath(); ctx.moveTo(px, chart.chartArea.top); ctx.lineTo(px, chart.chartArea.bottom); ctx.stroke(); ctx.restore(); });
  } };
  var options = { animation: false, maintainAspectRatio: false, parsing: false,
    scales: { x: { type: 'linear', title: { display: true, text: 'simulated minutes' } }, y: { beginAtZero: true } } };
  new Chart(document.getElementById('devices'), { type: 'line', options: options, plugins: [markPlugin],
    data: { datasets: [line('devices online', '#1565c0', function (s) { return s.devicesOnline; })] } });
  var jobs = function (key) { return function (s) { return s.jobs ? s.jobs[key] : null; }; };
  new Chart(document.getElementById('jobs'), { type: 'line', options: options, plugins: [markPlugin],
    data: { datasets: [line('queued', '#f9a825', jobs('queued')), line('running', '#1565c0', jobs('running')),
      line('done', '#1a7f37', jobs('succeeded')), line('failed', '#c62828', jobs('failed'))] } });
})();
`;

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JSON safe inside a <script> element. */
function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
