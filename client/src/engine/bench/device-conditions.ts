// The device's conditions at one moment (thermal, battery, memory, load), recorded at the start and end of every
// benchmark measurement and with every drift sample. node:os is looked up at run time (process.getBuiltinModule),
// not imported, so the engine still loads in a browser; there free memory and load read as -1 (unknown).
import { LINUX_TELEMETRY_PATHS, readBattery, readTemperature, type TelemetryPaths } from './sensors.js';
import type { DeviceConditions } from './types.js';

export type ConditionsReader = () => DeviceConditions;

export function readDeviceConditions(paths: TelemetryPaths = LINUX_TELEMETRY_PATHS): DeviceConditions {
  const battery = readBattery(paths.powerSupplies);
  const os = globalThis.process?.getBuiltinModule?.('node:os');
  return {
    temperatureCelsius: readTemperature(paths.thermalZone),
    batteryLevel: battery.level,
    charging: battery.charging,
    freeMemoryBytes: os ? os.freemem() : -1,
    loadAverage_1m: os ? (os.loadavg()[0] ?? 0) : -1,
    atMs: Date.now(),
  };
}
