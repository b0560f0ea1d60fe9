// When each device was live — connected, and its link neither partitioned nor impaired by a scenario fault — as
// spans of wall time, for the lease invariant. Records the fleet's connection events and the runner's own fault
// actions as they happen; the spans are worked out at the end (connected spans minus the outages).

export interface WallSpan {
  readonly fromWallMs: number;
  readonly toWallMs: number;
}

interface DeviceRecord {
  connectedSince: number | undefined;
  readonly connected: WallSpan[];
  readonly outages: WallSpan[];
  impairedSince: number | undefined;
}

export class LivenessTracker {
  private readonly devices: DeviceRecord[];

  constructor(deviceCount: number) {
    this.devices = Array.from({ length: deviceCount }, () => ({ connectedSince: undefined, connected: [], outages: [], impairedSince: undefined }));
  }

  connected(index: number, wallMs: number): void {
    const device = this.devices[index];
    if (device && device.connectedSince === undefined) device.connectedSince = wallMs;
  }

  /** Disconnected, killed or taken offline. */
  gone(index: number, wallMs: number): void {
    const device = this.devices[index];
    if (!device || device.connectedSince === undefined) return;
    device.connected.push({ fromWallMs: device.connectedSince, toWallMs: wallMs });
    device.connectedSince = undefined;
  }

  partitioned(index: number, wallMs: number, forWallMs: number): void {
    this.devices[index]?.outages.push({ fromWallMs: wallMs, toWallMs: wallMs + forWallMs });
  }

  linkImpaired(index: number, wallMs: number, impaired: boolean): void {
    const device = this.devices[index];
    if (!device) return;
    if (impaired && device.impairedSince === undefined) device.impairedSince = wallMs;
    if (!impaired && device.impairedSince !== undefined) {
      device.outages.push({ fromWallMs: device.impairedSince, toWallMs: wallMs });
      device.impairedSince = undefined;
    }
  }

  /** The live spans of one device up to `endWallMs`. */
  spans(index: number, endWallMs: number): WallSpan[] {
    const device = this.devices[index];
    if (!device) return [];
    const connected = [...device.connected];
    if (device.connectedSince !== undefined) connected.push({ fromWallMs: device.connectedSince, toWallMs: endWallMs });
    const outages = [...device.outages];
    if (device.impairedSince !== undefined) outages.push({ fromWallMs: device.impairedSince, toWallMs: endWallMs });
    return subtract(connected, outages);
  }
}

/** Parts of `spans` not covered by any of `holes`. */
export function subtract(spans: readonly WallSpan[], holes: readonly WallSpan[]): WallSpan[] {
  const sortedHoles = [...holes].sort((a, b) => a.fromWallMs - b.fromWallMs);
  const result: WallSpan[] = [];
  for (const span of spans) {
    let from = span.fromWallMs;
    for (const hole of sortedHoles) {
      if (hole.toWallMs <= from || hole.fromWallMs >= span.toWallMs) continue;
      if (hole.fromWallMs > from) result.push({ fromWallMs: from, toWallMs: hole.fromWallMs });
      from = Math.max(from, hole.toWallMs);
    }
    if (from < span.toWallMs) result.push({ fromWallMs: from, toWallMs: span.toWallMs });
  }
  return result;
}
