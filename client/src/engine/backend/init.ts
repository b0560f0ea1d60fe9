// Backend selection: tfjs-node ('tensorflow') when it loads, else wasm (SIMD when the runtime has it), else cpu.
// tfjs-node is an optional dependency that is usually absent, so it is detected with a real dynamic import (a
// package whose install script was skipped exists on disk but fails to load). The wasm backend is imported lazily
// too: importing it makes wasm the highest-priority backend, and any tf call before setBackend would then throw.
import * as tf from '@tensorflow/tfjs';
import { registerConv2dGradient } from './conv-gradient.js';
import { registerDepthwiseConv2dGradient } from './depthwise-gradient.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  readonly name: BackendName;
  /** WebAssembly SIMD in use (wasm backend only). */
  readonly simd: boolean;
  /** Threads the backend computes with (1 for wasm in Node: tfjs disables wasm threads there). */
  readonly threads: number;
  /** Backends that could be initialised in this process, best first. */
  readonly available: BackendName[];
}

const PRIORITY: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

let registration: Promise<BackendName[]> | undefined;
let current: BackendInfo | undefined;

/**
 * Initialise the best available backend, or `preferred` when it is available (falls back down the priority list
 * when it is not). Idempotent: repeated calls return the active backend, switching only when asked for another.
 */
export async function initBackend(preferred?: BackendName): Promise<BackendInfo> {
  const available = await (registration ??= registerBackends());
  const wanted = preferred !== undefined && available.includes(preferred) ? preferred : available[0];
  if (current !== undefined && current.name === wanted) return current;
  const candidates = [wanted, ...available.filter((name) => name !== wanted)];
  for (const name of candidates) {
    if (await trySetBackend(name)) {
      registerConv2dGradient();
      registerDepthwiseConv2dGradient();
      current = { name, ...(await describe(name)), available };
      return current;
    }
  }
  throw new Error(`no TensorFlow.js backend could be initialised (tried ${candidates.join(', ')})`);
}

/** The backend chosen by the last initBackend call, if any. */
export function activeBackend(): BackendInfo | undefined {
  return current;
}

async function registerBackends(): Promise<BackendName[]> {
  const available: BackendName[] = [];
  if (await importOptional('@tensorflow/tfjs-node')) available.push('tensorflow');
  // A browser bundle imports the wasm backend itself (a bare specifier does not resolve there at run time).
  if (tf.findBackendFactory('wasm') !== null || (await importOptional('@tensorflow/tfjs-backend-wasm'))) available.push('wasm');
  available.push('cpu');
  return PRIORITY.filter((name) => available.includes(name) && tf.findBackendFactory(name) !== null);
}

async function importOptional(specifier: string): Promise<boolean> {
  try {
    await import(/* @vite-ignore */ specifier);
    return true;
  } catch {
    return false;
  }
}

async function trySetBackend(name: BackendName): Promise<boolean> {
  try {
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
    return false;
  }
}

async function describe(name: BackendName): Promise<{ simd: boolean; threads: number }> {
  if (name !== 'wasm') return { simd: false, threads: name === 'tensorflow' ? defaultThreads() : 1 };
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const multithread = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  return { simd, threads: multithread ? Math.max(1, Math.min(8, Math.floor(defaultThreads() / 2))) : 1 };
}

function defaultThreads(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return nav?.hardwareConcurrency ?? 1;
}
