// Heartbeat telemetry of a browser agent: the page's latest conditions, and the JS heap where Chromium exposes it.
import type { Telemetry } from '../../../../protocol/src/index.js';
import type { PageConditions } from './conditions.js';

interface ChromiumMemory {
  readonly usedJSHeapSize: number;
  readonly jsHeapSizeLimit: number;
}

export function browserTelemetry(conditions: PageConditions): Telemetry {
  const memory = (globalThis.performance as { memory?: ChromiumMemory } | undefined)?.memory;
  return {
    freeMemoryBytes: memory ? Math.max(0, memory.jsHeapSizeLimit - memory.usedJSHeapSize) : 0,
    rssBytes: memory?.usedJSHeapSize ?? 0,
    loadAverage_1m: -1,
    temperatureCelsius: -1,
    batteryLevel: conditions.batteryLevel,
    charging: conditions.charging,
    visibility: conditions.visibility,
    thermalState: conditions.thermalState,
  };
}
