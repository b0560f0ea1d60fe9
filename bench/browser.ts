// Whole-training-step benchmark inside headless Chromium: bench:step's cases, plan and table
// (bench/support/step-cases.ts, step-table.ts), measured in a page on the tfjs wasm backend with the project's sparse
// kernels, so phone-class (browser) figures compare with Node's. The page is bundled with esbuild and served, with
// the wasm files, by a loopback server here (cross-origin isolated, like the coordinator's /agent/). The cases run in a
// dedicated worker (bench/browser/step-worker.ts), where the kernels' pool and tfjs-wasm's threads can run.
//   npm run build && node dist/bench/browser.js [--quick] [--json FILE] [--model NAME]   (progress on stderr)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { stepBenchArgs, type StepRecord } from './support/step-cases.js';
import { printTable } from './support/step-table.js';

const CHROMIUM = '/usr/bin/chromium';
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

function projectRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'asconfig.json'))) return dir;
    if (dirname(dir) === dir) throw new Error('asconfig.json not found above bench/browser');
  }
}

async function bundle(root: string, entry: string): Promise<Uint8Array> {
  const result = await esbuild.build({
    entryPoints: [join(root, 'bench', 'browser', entry)],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.contents;
}

function serve(root: string, page: Uint8Array, worker: Uint8Array): Promise<Server> {
  const tfjsDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
  const files: Record<string, () => [string, Uint8Array | string]> = {
    '/': () => ['text/html', '<!doctype html><meta charset="utf-8"><title>bench:browser</title><script type="module" src="bench.js"></script>'],
    '/bench.js': () => ['text/javascript', page],
    '/bench-worker.js': () => ['text/javascript', worker],
  };
  for (const name of ['sparse.wasm', 'sparse-scalar.wasm', 'sparse-threads.wasm']) {
    files[`/kernels/${name}`] = () => ['application/wasm', readFileSync(join(root, 'generated', 'kernels', name))];
  }
  for (const name of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    files[`/tfjs/${name}`] = () => ['application/wasm', readFileSync(join(tfjsDir, name))];
  }
  const server = createServer((request, response) => {
    const file = files[new URL(request.url ?? '/', 'http://bench').pathname];
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    const [type, body] = file();
    response.writeHead(200, { ...ISOLATION, 'Content-Type': type }).end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function main(): Promise<void> {
  const { quick, jsonFile, only } = stepBenchArgs(process.argv.slice(2));
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install chromium)`);
  const root = projectRoot();
  const t0 = performance.now();
  const phase = (what: string) => process.stderr.write(`# ${what} at ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  const server = await serve(root, await bundle(root, 'step-page.ts'), await bundle(root, 'step-worker.ts'));
  phase('page bundled');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  phase('chromium started');
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.text().startsWith('bench-progress ')) phase(message.text().slice('bench-progress '.length));
    });
    const { port } = server.address() as { port: number };
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => 'runStepBench' in globalThis);
    phase('page loaded');
    const started = performance.now();
    const loadStart = loadavg();
    const run = await page.evaluate(
      ([q, m]) => (globalThis as unknown as { runStepBench(quick: boolean, only?: string): Promise<{ meta: Record<string, unknown>; records: StepRecord[] }> }).runStepBench(q, m),
      [quick, only] as const,
    );
    if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
    const meta = { ...run.meta, chromium: browser.version(), loadavg_start: loadStart, date: new Date().toISOString() };
    process.stdout.write(`# whole training steps in headless Chromium (${JSON.stringify(meta)})\n`);
    printTable(run.records);
    process.stdout.write(`# ${run.records.length} configurations in ${((performance.now() - started) / 1000).toFixed(1)} s, load average now ${loadavg().map((v) => v.toFixed(2)).join(' ')}\n`);
    if (jsonFile) writeFileSync(jsonFile, JSON.stringify({ meta: { ...meta, loadavg_end: loadavg() }, records: run.records }, null, 2));
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
