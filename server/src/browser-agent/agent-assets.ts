// Where the coordinator finds what it serves at /agent/: the bundles (dist/web/agent/, built by
// scripts/build-browser-agent.mjs), the project's kernels and build info (generated/), and TensorFlow.js's wasm
// binaries (node_modules/@tensorflow/tfjs-backend-wasm/dist/). Nothing is fetched from elsewhere.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KERNEL_FILES } from '../../../client/src/engine/spec.js';

export interface AgentAsset {
  readonly path: string;
  readonly contentType: string;
  /** Content that never changes under this name may be cached; the page and bundles are revalidated. */
  readonly immutable: boolean;
}

const BUNDLE_FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'agent-page.js': 'text/javascript; charset=utf-8',
  'agent-worker.js': 'text/javascript; charset=utf-8',
};
const TFJS_WASM_FILES = new Set(['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']);
const WASM = 'application/wasm';

export class AgentAssets {
  constructor(
    private readonly root: string = projectRoot(),
    private readonly tfjsWasmDir: string = tfjsWasmDirectory(),
  ) {}

  /** The page, a bundle or build-info.json by file name; undefined for any other name. */
  page(name: string): AgentAsset | undefined {
    if (name === 'build-info.json') return { path: join(this.root, 'generated', 'build-info.json'), contentType: 'application/json', immutable: false };
    const contentType = BUNDLE_FILES[name];
    return contentType === undefined ? undefined : { path: join(this.root, 'dist', 'web', 'agent', name), contentType, immutable: false };
  }

  tfjsWasm(name: string): AgentAsset | undefined {
    return TFJS_WASM_FILES.has(name) ? { path: join(this.tfjsWasmDir, name), contentType: WASM, immutable: false } : undefined;
  }

  /** One of the kernel builds (SIMD, scalar, SIMD + threads): the page's worker picks by feature detection. */
  kernels(file: string): AgentAsset | undefined {
    if (!Object.values(KERNEL_FILES).includes(file)) return undefined;
    return { path: join(this.root, 'generated', 'kernels', file), contentType: WASM, immutable: false };
  }
}

/** The repository (or installed package) root: the nearest ancestor of this module holding asconfig.json. */
function projectRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'asconfig.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`asconfig.json not found above ${start}`);
  }
}

function tfjsWasmDirectory(): string {
  // The package's exports map hides dist/ files; resolve its main entry and take its folder (dist/).
  return dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
}
