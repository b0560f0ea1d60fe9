// What a virtual device tells the coordinator about itself: its profile's hardware instead of the host's.
import type { DeviceFacts, Telemetry } from '../../../../protocol/src/index.js';
import type { DeviceProfile } from '../profiles/index.js';

const MIB = 1024 * 1024;
const KNOWN_ARCHES = new Set(['arm64', 'x64', 'arm', 'armv7l', 'ia32']);

/** Facts overriding the host's (AgentOptions.facts): memory cap, cores, platform and backends come from the profile. */
export function profileFacts(profile: DeviceProfile): Partial<Omit<DeviceFacts, 'labels'>> {
  const [platform = profile.platform, ...rest] = profile.platform.split('-');
  const arch = rest.find((part) => KNOWN_ARCHES.has(part)) ?? '';
  return {
    platform,
    arch,
    cpuModel: `virtual ${profile.name}`,
    cores: Math.max(1, profile.threads),
    memoryBytes: Math.round(profile.memory.totalMb * MIB),
    backendsAvailable: [...profile.backends],
    wasmSimd: profile.simd,
    wasmThreads: profile.threads > 1,
    deviceModel: profile.name,
    runtime: `virtual (${profile.platform})`,
  };
}

/** Heartbeat telemetry of a virtual device: the profile's available memory; no sensors. */
export function profileTelemetry(profile: DeviceProfile): () => Telemetry {
  const telemetry: Telemetry = {
    freeMemoryBytes: Math.round(profile.memory.availableMb * MIB),
    rssBytes: 0,
    loadAverage_1m: 0,
    temperatureCelsius: -1,
    batteryLevel: -1,
    charging: false,
  };
  return () => telemetry;
}
