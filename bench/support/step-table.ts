// The markdown table bench:step and bench:browser print: one row per configuration, ratios against the model's
// dense (and stock) step measured in the same run.
import type { StepRecord } from './step-cases.js';

export function printTable(records: readonly StepRecord[], write: (text: string) => void = (text) => process.stdout.write(text)): void {
  const columns = [
    'model (batch)', 'data', 'compute', 'scheme', 'density', 'threads (ran)', 'ms/step median (p90)', 'min', 'x vs dense', 'x vs stock', 'min x vs dense',
    'CPU ms/step', 'CPU x vs dense', 'x vs 1 thread', 'model state', '% of dense', 'RSS (peak) MiB',
  ];
  write(`| ${columns.join(' | ')} |\n|${columns.map(() => ' --- ').join('|')}|\n`);
  const fixed = (v: number | null, digits: number) => (v === null ? '–' : v.toFixed(digits));
  for (const r of records) {
    const time = r.step_ms === null ? `fails: ${r.error ?? '?'}` : `${fixed(r.step_ms, 2)} (${fixed(r.step_ms_p90, 2)})`;
    const state = r.state_bytes === null ? '–' : `${(r.state_bytes / 2 ** 20).toFixed(2)} MiB`;
    const ratio = r.state_ratio === null ? '–' : `${(100 * r.state_ratio).toFixed(0)} %`;
    const dense = records.find((d) => d.model === r.model && d.compute === 'dense')?.step_ms_min ?? null;
    const minSpeedup = dense === null || r.step_ms_min === null ? null : dense / r.step_ms_min;
    const mib = (v: number | null) => (v === null ? '–' : (v / 2 ** 20).toFixed(0));
    const rss = `${mib(r.rss_bytes)} (${mib(r.peak_rss_bytes)})`;
    const threads = r.compute === 'sparse-kernels' ? `${r.threads} (${r.kernel_threads ?? '–'})` : `tfjs ${r.tfjs_threads}`;
    const cells = [
      `${r.model} (${r.batch})`, r.data, r.compute, r.method === 'vrpge' ? `${r.scheme} (vrpge)` : r.scheme, String(r.density), threads, time, fixed(r.step_ms_min, 2), fixed(r.speedup_vs_dense, 1),
      fixed(r.speedup_vs_stock, 1), fixed(minSpeedup, 1),
      fixed(r.step_cpu_ms, 2), fixed(r.cpu_speedup_vs_dense, 1), fixed(r.thread_scaling, 2), state, ratio, rss,
    ];
    write(`| ${cells.join(' | ')} |\n`);
  }
}

