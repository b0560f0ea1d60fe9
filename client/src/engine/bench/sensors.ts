// Pure readers of the device's sensors (Linux sysfs), shared by the agent's heartbeat telemetry and the benchmark
// runner's device conditions. Missing sensors read as negative values; nothing here throws. node:fs is looked up
// when a sensor is read (process.getBuiltinModule), not imported, so the engine still loads in a browser, where
// every sensor reads as missing.

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

export interface BatteryReading {
  /** 0..1, or -1 when there is no battery. */
  readonly level: number;
  readonly charging: boolean;
}

export function readTemperature(path: string): number {
  const raw = readTrimmed(path);
  if (raw === undefined) return -1;
  const milli = Number(raw);
  return Number.isFinite(milli) ? milli / 1000 : -1;
}

export function readBattery(folder: string): BatteryReading {
  const fs = nodeFs();
  if (fs === undefined) return { level: -1, charging: false };
  let names: string[];
  try {
    names = fs.readdirSync(folder).filter((name) => name.startsWith('BAT')).sort();
  } catch {
    return { level: -1, charging: false };
  }
  for (const name of names) {
    const capacity = Number(readTrimmed(`${folder}/${name}/capacity`));
    if (!Number.isFinite(capacity) || capacity < 0) continue;
    const status = readTrimmed(`${folder}/${name}/status`) ?? '';
    return { level: Math.min(capacity, 100) / 100, charging: status === 'Charging' || status === 'Full' };
  }
  return { level: -1, charging: false };
}

function readTrimmed(path: string): string | undefined {
  const fs = nodeFs();
  if (fs === undefined) return undefined;
  try {
    const text = fs.readFileSync(path, 'utf8').trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}

/** node:fs in Node; undefined in a browser. */
function nodeFs(): typeof import('node:fs') | undefined {
  return globalThis.process?.getBuiltinModule?.('node:fs');
}
