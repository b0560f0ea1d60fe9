// Builds the operator dashboard (server/src/dashboard/ui/) into dist/web/dashboard/: one minified ES module bundle
// (chart.js and qrcode included, so the page fetches nothing from elsewhere), its stylesheet and its page. The
// coordinator serves the folder at /dashboard/ (server/src/dashboard/). `npm run build` runs it.
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'server', 'src', 'dashboard', 'ui');
const outDir = join(root, 'dist', 'web', 'dashboard');

await mkdir(outDir, { recursive: true });
const result = await build({
  entryPoints: [join(source, 'main.ts')],
  outfile: join(outDir, 'dashboard.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
});
await Promise.all(['index.html', 'dashboard.css'].map((file) => copyFile(join(source, file), join(outDir, file))));
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
console.log(`build-dashboard: ${outDir} (${Math.round(bytes / 1024)} KiB)`);
