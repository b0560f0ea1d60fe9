// Hardware and runtime facts a device reports at enrollment and on every hello: the host's (from the platform) plus
// what the backend probe found.
import type { DeviceFacts } from '../../../protocol/src/index.js';
import { nodeBuiltins } from './node-builtins.js';
import type { HostFacts } from './platform.js';
import { AGENT_VERSION } from './version.js';

/** What the engine's backend probe tells the agent (structurally the engine's BackendInfo). */
export interface BackendSummary {
  readonly name: string;
  readonly simd: boolean;
  /** Threads the backend computes with (1 = single-threaded). */
  readonly threads: number;
  readonly available: readonly string[];
}

export interface FactsOptions {
  readonly backend: BackendSummary;
  /** The host's facts; default: this Node process's (nodeHostFacts). */
  readonly host?: HostFacts;
  /** Extra labels, e.g. a simulated device's profile. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Overrides the detected device model (simulated fleets name their devices). */
  readonly deviceModel?: string;
  /** Replace detected facts (a simulated device states its profile's hardware). */
  readonly overrides?: Partial<Omit<DeviceFacts, 'labels'>>;
}

/** Boards such as Jetson and Raspberry Pi name themselves here. */
const DEVICE_TREE_MODEL = '/proc/device-tree/model';

export function collectDeviceFacts(options: FactsOptions): DeviceFacts {
  const host = options.host ?? nodeHostFacts();
  return {
    platform: host.platform,
    arch: host.arch,
    cpuModel: host.cpuModel,
    cores: host.cores,
    memoryBytes: host.memoryBytes,
    backendsAvailable: [...options.backend.available],
    wasmSimd: options.backend.simd,
    wasmThreads: options.backend.name === 'wasm' && options.backend.threads > 1,
    deviceModel: options.deviceModel ?? host.deviceModel,
    agentVersion: AGENT_VERSION,
    chosenBackend: options.backend.name,
    runtime: host.runtime,
    labels: { ...host.labels, ...options.labels },
    ...definedOnly(options.overrides),
  };
}

/** This Node process's host: node:os, and the board's device-tree model where Linux has one. */
export function nodeHostFacts(): HostFacts {
  const os = nodeBuiltins('host facts')('node:os');
  const cpus = os.cpus();
  return {
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : Math.max(cpus.length, 1),
    memoryBytes: os.totalmem(),
    deviceModel: readDeviceTreeModel() ?? os.hostname(),
    runtime: `node ${process.versions.node}`,
    labels: { hostname: os.hostname() },
  };
}

export function readDeviceTreeModel(path = DEVICE_TREE_MODEL): string | undefined {
  try {
    // The kernel writes a NUL-terminated string.
    const model = nodeBuiltins('the device-tree model')('node:fs').readFileSync(path, 'utf8').replace(/\0/g, '').trim();
    return model === '' ? undefined : model;
  } catch {
    return undefined;
  }
}

function definedOnly<T extends object>(values: T | undefined): Partial<T> {
  if (!values) return {};
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
