// The config fingerprint a checkpoint carries: a hash of the canonical JSON of the TrainConfig (keys sorted,
// undefined left out). Settings that choose how, not what, is computed are left out, so an attempt resumed on a
// different device may differ in them: `backend` (the agent fills in its own), `compute` (masked-dense or sparse
// kernels, by what the device supports) and `data.path` (where the device keeps its files).
import type { TrainConfig } from '../train/config.js';

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

export function configFingerprint(config: TrainConfig): string {
  const { backend: _backend, compute: _compute, data, ...rest } = config;
  const { path: _path, ...dataRest } = data;
  return `fnv1a64:${fnv1a64Hex(canonicalJson({ ...rest, data: dataRest }))}`;
}

/** JSON with object keys sorted at every level and undefined members omitted; arrays keep their order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
}

/** 64-bit FNV-1a over the UTF-8 bytes of `text`, as 16 hex digits. */
export function fnv1a64Hex(text: string): string {
  let hash = FNV64_OFFSET;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * FNV64_PRIME) & MASK64;
  }
  return hash.toString(16).padStart(16, '0');
}
