// The device's conditions at one moment (thermal, battery, memory, load), recorded at the start and end of every
// benchmark measurement and with every drift sample.
import os from 'node:os';
import { LINUX_TELEMETRY_PATHS, readBattery, readTemperature, type TelemetryPaths } from './sensors.js';
import type { DeviceConditions } from './types.js';

export type ConditionsReader = () => DeviceConditions;

export function readDeviceConditions(paths: TelemetryPaths = LINUX_TELEMETRY_PATHS): DeviceConditions {
  const battery = readBattery(paths.powerSupplies);
  return {
    temperatureCelsius: readTemperature(paths.thermalZone),
    batteryLevel: battery.level,
    charging: battery.charging,
    freeMemoryBytes: os.freemem(),
    loadAverage_1m: os.loadavg()[0] ?? 0,
    atMs: Date.now(),
  };
}
