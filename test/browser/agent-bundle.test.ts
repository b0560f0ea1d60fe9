// The browser agent bundles for a browser: esbuild with platform 'browser' fails on any Node built-in that the page
// or the worker (agent + engine) reaches, static or through a literal import(). No browser needed.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAgentBuildOptions } from '../../scripts/build-browser-agent.mjs';

describe('browser agent bundle', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sf-agent-bundle-'));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('bundles the page and the worker (agent, engine, tfjs wasm backend, kernels) without a Node built-in', async () => {
    const result = await esbuild.build({ ...browserAgentBuildOptions(), outdir: dir, write: false, metafile: true });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((file) => file.endsWith('client/src/agent/agent.ts'))).toBe(true);
    expect(inputs.some((file) => file.endsWith('client/src/engine/train/run.ts'))).toBe(true);
    expect(inputs.some((file) => file.includes('tfjs-backend-wasm'))).toBe(true);
    const imports = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((entry) => entry.path));
    expect(imports.filter((path) => path.startsWith('node:'))).toEqual([]);
  }, 120_000);

  it('fails when a module the worker reaches imports a Node built-in (the check can fail)', async () => {
    const entry = join(dir, 'uses-node.ts');
    await writeFile(entry, "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n");
    const options = { ...browserAgentBuildOptions(), entryPoints: [entry], outdir: join(dir, 'out'), write: false };
    await expect(esbuild.build(options)).rejects.toThrow(/node:fs/);
  });
});
