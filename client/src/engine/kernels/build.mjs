// Compiles the AssemblyScript kernels (assembly/*.ts, options in /asconfig.json: -O3, stub runtime) into three
// variants under generated/kernels/: sparse.wasm (SIMD), sparse-scalar.wasm, sparse-threads.wasm (SIMD + threads).
// Plain JS so it runs before (and without) the TypeScript build:
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
/** The three builds of the same kernels (targets in /asconfig.json); runtime.ts picks one by feature detection. */
export const KERNEL_VARIANTS = {
  /** SIMD, own memory: the default everywhere WebAssembly SIMD exists. */
  simd: { target: 'release', file: 'sparse.wasm' },
  /** No SIMD (browsers without WebAssembly SIMD); same results within float rounding. */
  scalar: { target: 'scalar', file: 'sparse-scalar.wasm' },
  /** SIMD + threads: imports a shared memory, so a worker pool can run the same module over it. */
  threads: { target: 'threads', file: 'sparse-threads.wasm' },
};

export const kernelDir = join(projectRoot, 'generated', 'kernels');
export const kernelWasmPath = join(kernelDir, KERNEL_VARIANTS.simd.file);
const sourceDir = join(projectRoot, 'client', 'src', 'engine', 'kernels', 'assembly');

export function kernelVariantPath(variant) {
  const spec = KERNEL_VARIANTS[variant];
  if (spec === undefined) throw new Error(`unknown kernel variant ${variant}; known: ${Object.keys(KERNEL_VARIANTS).join(', ')}`);
  return join(kernelDir, spec.file);
}

/** Builds one variant (default simd) into options.outFile or its default path. */
export async function buildKernels(options = {}) {
  const variant = options.variant ?? 'simd';
  const outFile = resolve(options.outFile ?? kernelVariantPath(variant));
  mkdirSync(dirname(outFile), { recursive: true });
  // Write next to the target and rename, so concurrent test workers never read a half-written file.
  const temp = `${outFile}.${process.pid}.${Date.now()}.tmp`;
  const { default: asc } = await import('assemblyscript/asc');
  const output = [];
  const sink = { write: (chunk) => (output.push(String(chunk)), true) };
  const { error } = await asc.main(
    ['--config', join(projectRoot, 'asconfig.json'), '--target', KERNEL_VARIANTS[variant].target, '--outFile', temp],
    { stdout: sink, stderr: sink },
  );
  if (error) {
    rmSync(temp, { force: true });
    throw new Error(`AssemblyScript build (${variant}) failed: ${error.message}\n${output.join('')}`);
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

/**
 * Builds every variant that is missing or stale and returns the SIMD variant's path (or options.outFile's, when
 * given: then only that one file, as the simd variant unless options.variant says otherwise).
 */
export async function ensureKernelsBuilt(options = {}) {
  if (options.outFile !== undefined) {
    const wasmPath = resolve(options.outFile);
    if (kernelsStale(wasmPath)) await buildKernels({ ...options, outFile: wasmPath });
    return wasmPath;
  }
  for (const variant of Object.keys(KERNEL_VARIANTS)) {
    const path = kernelVariantPath(variant);
    if (kernelsStale(path)) await buildKernels({ ...options, variant, outFile: path });
  }
  return kernelWasmPath;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const onlyIfStale = process.argv.includes('--if-stale');
  const buildAll = async () => {
    for (const variant of Object.keys(KERNEL_VARIANTS)) await buildKernels({ variant });
  };
  (onlyIfStale ? ensureKernelsBuilt() : buildAll()).catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
