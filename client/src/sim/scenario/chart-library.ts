// chart.js's UMD bundle, read once from node_modules, to inline into the self-contained HTML timeline (the
// coordinator's campaign report inlines it the same way; the simulator may not import the coordinator's copy).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let cached: string | undefined;

export function chartJsSource(): string {
  if (cached === undefined) {
    const require = createRequire(import.meta.url);
    // The package's exports map hides dist/ files; resolve its main entry and go from its folder.
    cached = readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
  }
  return cached;
}
