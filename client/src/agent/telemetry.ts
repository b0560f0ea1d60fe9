// Live device telemetry sent with every heartbeat. Missing sensors are reported as negative values.
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { Telemetry } from '../../../generated/proto/sparsefleet/v1/device.js';

export interface TelemetryPaths {
  /** Millidegrees Celsius, as Linux thermal zones report them. */
  readonly thermalZone: string;
  /** Folder holding `BAT*` power supplies with `capacity` (percent) and `status`. */
  readonly powerSupplies: string;
}

export const LINUX_TELEMETRY_PATHS: TelemetryPaths = {
  thermalZone: '/sys/class/thermal/thermal_zone0/temp',
  powerSupplies: '/sys/class/power_supply',
};

export function collectTelemetry(paths: TelemetryPaths = LINUX_TELEMETRY_PATHS): Telemetry {
  const battery = readBattery(paths.powerSupplies);
  return {
    freeMemoryBytes: os.freemem(),
    rssBytes: process.memoryUsage.rss(),
    loadAverage1m: os.loadavg()[0] ?? 0,
    temperatureCelsius: readTemperature(paths.thermalZone),
    batteryLevel: battery.level,
    charging: battery.charging,
  };
}

export function readTemperature(path: string): number {
  const raw = readTrimmed(path);
  if (raw === undefined) return -1;
  const milli = Number(raw);
  return Number.isFinite(milli) ? milli / 1000 : -1;
}

export function readBattery(folder: string): { level: number; charging: boolean } {
  let names: string[];
  try {
    names = readdirSync(folder).filter((name) => name.startsWith('BAT')).sort();
  } catch {
    return { level: -1, charging: false };
  }
  for (const name of names) {
    const capacity = Number(readTrimmed(join(folder, name, 'capacity')));
    if (!Number.isFinite(capacity) || capacity < 0) continue;
    const status = readTrimmed(join(folder, name, 'status')) ?? '';
    return { level: Math.min(capacity, 100) / 100, charging: status === 'Charging' || status === 'Full' };
  }
  return { level: -1, charging: false };
}

function readTrimmed(path: string): string | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}
