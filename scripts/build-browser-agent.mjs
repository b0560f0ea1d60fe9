#!/usr/bin/env node
// Bundles the browser agent (the /agent/ page and its training worker) with esbuild into dist/web/agent/, which the
// coordinator serves. Platform 'browser': a Node built-in anywhere in the bundle is a build error, which
// test/browser/agent-bundle.test.ts relies on. The wasm files are served from node_modules and generated/ directly.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'client', 'src', 'browser');

/** esbuild options of the agent bundles; `outdir` and `write` are left to the caller. */
export function browserAgentBuildOptions() {
  return {
    entryPoints: { 'agent-page': join(source, 'page.ts'), 'agent-worker': join(source, 'worker.ts') },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    logLevel: 'silent',
    // tfjs-node is probed with a computed import() that never resolves in a browser; nothing else may stay external.
    external: [],
  };
}

export async function buildBrowserAgent(outdir = join(root, 'dist', 'web', 'agent')) {
  mkdirSync(outdir, { recursive: true });
  const result = await esbuild.build({ ...browserAgentBuildOptions(), outdir, metafile: true });
  copyFileSync(join(source, 'index.html'), join(outdir, 'index.html'));
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await buildBrowserAgent();
  const outputs = Object.entries(result.metafile.outputs).map(([file, { bytes }]) => `${file} ${(bytes / 1024).toFixed(0)} KiB`);
  process.stdout.write(`browser agent: ${outputs.join(', ')}\n`);
}
