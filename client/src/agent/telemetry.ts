// Live device telemetry of a Node host, sent with every heartbeat. Missing sensors are reported as negative values.
// The sensor readers live in the engine (engine/bench/sensors.ts) because benchmark runs record the same conditions.
import type { Telemetry } from '../../../protocol/src/index.js';
import { LINUX_TELEMETRY_PATHS, readBattery, readTemperature, type TelemetryPaths } from '../engine/bench/sensors.js';
import { nodeBuiltins } from './node-builtins.js';

export { LINUX_TELEMETRY_PATHS, readBattery, readTemperature, type TelemetryPaths };

export function collectTelemetry(paths: TelemetryPaths = LINUX_TELEMETRY_PATHS): Telemetry {
  const os = nodeBuiltins('host telemetry')('node:os');
  const battery = readBattery(paths.powerSupplies);
  return {
    freeMemoryBytes: os.freemem(),
    rssBytes: process.memoryUsage.rss(),
    loadAverage_1m: os.loadavg()[0] ?? 0,
    temperatureCelsius: readTemperature(paths.thermalZone),
    batteryLevel: battery.level,
    charging: battery.charging,
  };
}
