// chart.js's UMD bundle, read once from node_modules, to inline into self-contained HTML reports.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/** The minified chart.js UMD source (defines `window.Chart`). */
export function chartJsSource(): string {
  if (cached === undefined) {
    const require = createRequire(import.meta.url);
    // The package's exports map hides dist/ files; resolve its main entry and go from its folder.
    const entry = require.resolve('chart.js');
    cached = readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
  }
  return cached;
}
