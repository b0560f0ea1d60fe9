// Compiles the AssemblyScript kernels (assembly/*.ts, options in /asconfig.json: -O3, stub runtime, SIMD) into
// generated/kernels/sparse.wasm. Plain JS so it runs before (and without) the TypeScript build:
//   node client/src/engine/kernels/build.mjs [--if-stale]
// Tests and the benchmark call ensureKernelsBuilt(), which builds only when the wasm is missing or older than a source.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The repository root: the nearest ancestor holding asconfig.json (works from src and from dist). */
function findRoot(start) {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'asconfig.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`asconfig.json not found above ${start}`);
  }
}

export const projectRoot = findRoot(here);
export const kernelWasmPath = join(projectRoot, 'generated', 'kernels', 'sparse.wasm');
const sourceDir = join(projectRoot, 'client', 'src', 'engine', 'kernels', 'assembly');

export async function buildKernels(options = {}) {
  const outFile = resolve(options.outFile ?? kernelWasmPath);
  mkdirSync(dirname(outFile), { recursive: true });
  // Write next to the target and rename, so concurrent test workers never read a half-written file.
  const temp = `${outFile}.${process.pid}.${Date.now()}.tmp`;
  const { default: asc } = await import('assemblyscript/asc');
  const output = [];
  const sink = { write: (chunk) => (output.push(String(chunk)), true) };
  const { error } = await asc.main(
    ['--config', join(projectRoot, 'asconfig.json'), '--target', 'release', '--outFile', temp],
    { stdout: sink, stderr: sink },
  );
  if (error) {
    rmSync(temp, { force: true });
    throw new Error(`AssemblyScript build failed: ${error.message}\n${output.join('')}`);
  }
  renameSync(temp, outFile);
  if (!options.quiet) process.stdout.write(`built ${outFile}\n`);
  return outFile;
}

/** True when the wasm is missing or older than any AssemblyScript source or asconfig.json. */
export function kernelsStale(wasmPath = kernelWasmPath) {
  if (!existsSync(wasmPath)) return true;
  const built = statSync(wasmPath).mtimeMs;
  const sources = readdirSync(sourceDir).map((name) => join(sourceDir, name));
  sources.push(join(projectRoot, 'asconfig.json'));
  return sources.some((file) => statSync(file).mtimeMs > built);
}

export async function ensureKernelsBuilt(options = {}) {
  const wasmPath = resolve(options.outFile ?? kernelWasmPath);
  if (kernelsStale(wasmPath)) await buildKernels({ ...options, outFile: wasmPath });
  return wasmPath;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const onlyIfStale = process.argv.includes('--if-stale');
  (onlyIfStale ? ensureKernelsBuilt() : buildKernels()).catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
