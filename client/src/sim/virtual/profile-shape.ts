// The parts of a device profile (issue 12's shared design, owned by client/src/sim/profiles) that the virtual fleet
// reads. Structural, so a full DeviceProfile from the profiles module fits.
export type Distribution =
  | { readonly kind: 'fixed'; readonly value: number }
  | { readonly kind: 'uniform'; readonly min: number; readonly max: number }
  | { readonly kind: 'exponential'; readonly mean: number }
  | { readonly kind: 'lognormal'; readonly median: number; readonly sigma: number };

export interface FleetDeviceProfile {
  readonly name: string;
  readonly platform: string;
  readonly compute: { readonly speedFactor: number };
  readonly memory: { readonly totalMb: number; readonly availableMb: number };
  readonly backends: readonly string[];
  readonly simd: boolean;
  readonly threads: number;
  readonly network: { readonly latencyMs: number; readonly jitterMs: number; readonly bandwidthKbps: number; readonly lossRate: number };
  readonly availability:
    | { readonly sessionMinutes: Distribution; readonly offlineMinutes: Distribution }
    | { readonly trace: string };
}
