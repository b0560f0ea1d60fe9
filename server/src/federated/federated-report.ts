// A self-contained HTML report of a federated job: the round table and two inline SVG charts, held-out accuracy
// against round and against cumulative uploaded bytes. No scripts, no external assets.
import type { FederatedJobView, FederatedRoundView } from './federated-views.js';

const WIDTH = 520;
const HEIGHT = 260;
const MARGIN = { left: 56, right: 16, top: 16, bottom: 40 };

interface Point {
  readonly x: number;
  readonly y: number;
}

export function renderFederatedReport(job: FederatedJobView): string {
  const measured = job.rounds.filter((round): round is FederatedRoundView & { accuracy: number } => round.accuracy !== null);
  let uploaded = 0;
  const byBytes: Point[] = [];
  for (const round of job.rounds) {
    uploaded += round.bytesUp;
    if (round.accuracy !== null) byBytes.push({ x: uploaded, y: round.accuracy });
  }
  const rows = job.rounds
    .map(
      (round) =>
        `<tr><td>${round.round}</td><td>${round.state}</td><td>${round.applied}/${round.targetUpdates} (${round.selected} selected)</td>` +
        `<td>${formatBytes(round.bytesDown)}</td><td>${formatBytes(round.bytesUp)}</td><td>${round.durationMs === null ? '' : `${(round.durationMs / 1000).toFixed(1)} s`}</td>` +
        `<td>${round.accuracy === null ? '' : `${(round.accuracy * 100).toFixed(2)} %`}</td><td>${escapeHtml(round.closeReason ?? '')}</td></tr>`,
    )
    .join('\n');
  const plan = job.plan;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Federated job ${escapeHtml(job.name)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
th{background:#f4f4f4}.charts{display:flex;gap:24px;flex-wrap:wrap}svg{background:#fafafa;border:1px solid #ddd}</style></head>
<body>
<h1>Federated job ${escapeHtml(job.name)}</h1>
<p>${escapeHtml(job.id)} · ${job.state} · ${plan.model} ${plan.method} density ${plan.density} · ${plan.rounds} rounds · ${plan.clients} clients
(K = ${plan.targetUpdates}, ${plan.selectPerRound} selected per round) · partition ${plan.partition.kind}${plan.partition.alpha === undefined ? '' : ` α = ${plan.partition.alpha}`}
· mask ${plan.maskMode} · server ${plan.serverOptimizer.kind} · updates ${plan.updateDtype}</p>
<p>Total down ${formatBytes(job.totals.bytesDown)}, up ${formatBytes(job.totals.bytesUp)}, ${job.totals.appliedUpdates} updates applied.</p>
${partitionLine(job)}
<div class="charts">
${lineChart('Held-out accuracy vs round', 'round', measured.map((round) => ({ x: round.round, y: round.accuracy })), String)}
${lineChart('Held-out accuracy vs uploaded bytes', 'uploaded bytes (cumulative)', byBytes, formatBytes)}
</div>
<h2>Rounds</h2>
<table><thead><tr><th>round</th><th>state</th><th>updates</th><th>down</th><th>up</th><th>duration</th><th>accuracy</th><th>closed because</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}

function lineChart(title: string, xLabel: string, points: readonly Point[], formatX: (value: number) => string): string {
  const innerWidth = WIDTH - MARGIN.left - MARGIN.right;
  const innerHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const header = `<svg width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title>`;
  if (points.length === 0) return `${header}<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle">${escapeHtml(title)}: no measurements yet</text></svg>`;
  const xs = points.map((p) => p.x);
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs);
  const spanX = maxX - minX || 1;
  const toX = (x: number) => MARGIN.left + ((x - minX) / spanX) * innerWidth;
  const toY = (y: number) => MARGIN.top + (1 - Math.max(0, Math.min(1, y))) * innerHeight;
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${toX(p.x).toFixed(1)},${toY(p.y).toFixed(1)}`).join(' ');
  const dots = points.map((p) => `<circle cx="${toX(p.x).toFixed(1)}" cy="${toY(p.y).toFixed(1)}" r="3" fill="#1f6feb"/>`).join('');
  const yTicks = [0, 0.25, 0.5, 0.75, 1]
    .map((y) => `<text x="${MARGIN.left - 6}" y="${toY(y) + 4}" text-anchor="end" font-size="11">${y * 100}%</text><line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${toY(y)}" y2="${toY(y)}" stroke="#e5e5e5"/>`)
    .join('');
  const xTicks = [minX, maxX].map((x) => `<text x="${toX(x)}" y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle" font-size="11">${escapeHtml(formatX(x))}</text>`).join('');
  return `${header}<text x="${WIDTH / 2}" y="12" text-anchor="middle" font-size="12">${escapeHtml(title)}</text>${yTicks}${xTicks}
<text x="${MARGIN.left + innerWidth / 2}" y="${HEIGHT - 6}" text-anchor="middle" font-size="11">${escapeHtml(xLabel)}</text>
<path d="${path}" fill="none" stroke="#1f6feb" stroke-width="2"/>${dots}</svg>`;
}

/** Shard sizes and labels per shard, when the partition is known. */
function partitionLine(job: FederatedJobView): string {
  if (job.partition.length === 0) return '';
  const sizes = job.partition.map((shard) => shard.examples);
  const labels = job.partition.map((shard) => shard.labelCounts.filter((count) => count > 0).length);
  return `<p>${job.partition.length} shards of ${Math.min(...sizes)}–${Math.max(...sizes)} examples, ${Math.min(...labels)}–${Math.max(...labels)} labels each.</p>`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(2)} MiB`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
