// The kernel worker pool in a real browser (Debian's Chromium, driven by playwright-core), on a cross-origin-isolated
// page served from loopback: inside a dedicated worker the runtime picks the threads build, starts a pool of Web
// Workers (Blob URLs) over one shared memory and computes exactly what the one-thread SIMD build computes; on the
// page's main thread (which may not block on Atomics.wait) it falls back to one thread and says why.
// Skipped, saying why, where /usr/bin/chromium is missing (.ci/run installs it).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKernelsBuilt, kernelDir } from '../../client/src/engine/kernels/build.mjs';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`kernel threads browser test skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'];
const KERNELS = resolve('client/src/engine/kernels/index.ts');

// Runs in the page (main) and in a dedicated worker: one random CSR layer, forward + SDDMM, on 1 thread and on 2.
const PROBE = `
import { KernelRuntime, buildCsr, createLinearKernel } from ${JSON.stringify(KERNELS)};
export async function probe(baseUrl) {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const rows = 96, cols = 80, batch = 64;
  const weights = Float32Array.from({ length: rows * cols }, random);
  const mask = Uint8Array.from({ length: rows * cols }, () => (random() > 0.6 ? 1 : 0));
  const x = Float32Array.from({ length: cols * batch }, random);
  const dy = Float32Array.from({ length: rows * batch }, random);
  const run = (rt) => {
    const kernel = createLinearKernel(rt, { kind: 'csr', matrix: buildCsr(weights, mask, rows, cols) });
    const xb = rt.uploadF32(x), dyb = rt.uploadF32(dy), y = rt.allocF32(rows * batch), dw = rt.allocF32(kernel.values.length);
    kernel.forward(xb, y, batch);
    kernel.backwardWeight(xb, dyb, dw, batch);
    return [...rt.read(y), ...rt.read(dw)];
  };
  const single = await KernelRuntime.create({ baseUrl });
  const pooled = await KernelRuntime.create({ threads: 2, baseUrl, minParallelWork: 0, minSliceWork: 0 });
  const a = run(single), b = run(pooled);
  const info = pooled.describe();
  const parallelCalls = pooled.parallelCalls;
  await pooled.close();
  return { single: single.describe(), pooled: info, parallelCalls, equal: a.length > 0 && a.every((v, i) => Object.is(v, b[i])) };
}
`;

async function bundle(entry: string): Promise<string> {
  const result = await build({ stdin: { contents: entry, resolveDir: process.cwd(), loader: 'js' }, bundle: true, format: 'iife', platform: 'browser', write: false, logLevel: 'silent',
    // The runtime's Node-only file reads sit behind dynamic imports that never run in a browser.
    external: ['node:*'],
  });
  return result.outputFiles[0].text;
}

describe.skipIf(!haveChromium)(`kernel worker pool in Chromium (${haveChromium ? CHROMIUM : `skipped: no ${CHROMIUM}`})`, () => {
  let browser: Browser;
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    await ensureKernelsBuilt({ quiet: true });
    const files: Record<string, { type: string; body: string | Buffer }> = {
      '/': { type: 'text/html', body: '<!doctype html><script src="/main.js"></script>' },
      '/main.js': { type: 'text/javascript', body: await bundle(`${PROBE}\nwindow.probe = probe;`) },
      '/worker.js': { type: 'text/javascript', body: await bundle(`${PROBE}\nself.onmessage = async (e) => self.postMessage(await probe(e.data).catch((error) => ({ error: String(error) })));`) },
    };
    for (const name of ['sparse.wasm', 'sparse-scalar.wasm', 'sparse-threads.wasm']) {
      files[`/kernels/${name}`] = { type: 'application/wasm', body: await readFile(join(kernelDir, name)) };
    }
    server = createServer((request, response) => {
      const file = files[request.url ?? ''];
      response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      response.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
      response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
      if (file === undefined) return void response.writeHead(404).end();
      response.writeHead(200, { 'Content-Type': file.type }).end(file.body);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    if (server !== undefined) {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
  });

  it('should run two threads in a dedicated worker, bit-identical to one, and fall back to one on the main thread', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${origin}/`);
    const base = `${origin}/kernels/`;
    const isolated = await page.evaluate(() => crossOriginIsolated);
    const inWorker = await page.evaluate(
      (baseUrl) =>
        new Promise((done) => {
          const worker = new Worker('/worker.js');
          worker.onmessage = (event) => done(event.data);
          worker.postMessage(baseUrl);
        }),
      base,
    );
    const onMain = await page.evaluate((baseUrl) => (window as unknown as { probe(b: string): Promise<unknown> }).probe(baseUrl), base);
    await page.close();

    expect(errors).toEqual([]);
    expect(isolated).toBe(true);
    expect(inWorker).toMatchObject({ single: { variant: 'simd', threads: 1 }, pooled: { variant: 'threads', threads: 2, requestedThreads: 2 }, equal: true });
    expect((inWorker as { parallelCalls: number }).parallelCalls).toBeGreaterThan(0);
    expect(onMain).toMatchObject({ pooled: { variant: 'simd', threads: 1, requestedThreads: 2 }, parallelCalls: 0, equal: true });
    expect((onMain as { pooled: { threadFallbackReason: string } }).pooled.threadFallbackReason).toMatch(/cannot block/);
  });
});
