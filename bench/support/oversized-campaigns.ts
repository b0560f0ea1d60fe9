// Campaign specs that test the coordinator's bounds on operator requests: one at the 5,000-job cap, and one whose
// small body names 300,000 cells. Shared by bench/request-stall.ts and test/security/bounded-work.test.ts.

export function range<T>(count: number, at: (index: number) => T): T[] {
  return Array.from({ length: count }, (_, index) => at(index));
}

export const KERNEL_SCHEMES = ['irregular', 'pattern', 'block', 'channel', 'shuffled-block'];

/** 1 op × 10 shapes × 5 schemes × 100 densities = 5,000 kernel cells: the cap with one device. */
export function kernelCampaignAtCap(name: string) {
  return {
    name,
    measure: 'kernel',
    matrix: {
      op: 'linear-forward',
      shape: range(10, (i) => [8, 16 + i, 16]),
      scheme: KERNEL_SCHEMES,
      density: range(100, (i) => Math.round((i + 1) * 0.01 * 1000) / 1000),
    },
    runRules: { warmupIterations: 1, minIterations: 5, minDurationMs: 10 },
  };
}

/** 3 ops × 100 shapes × 5 schemes × 200 densities = 300,000 cells in about 3 KB of JSON. */
export function hugeCampaign(name: string) {
  return {
    name,
    measure: 'kernel',
    matrix: {
      op: ['linear-forward', 'linear-backward-data', 'linear-backward-weight'],
      shape: range(100, (i) => [8, 16 + i, 16]),
      scheme: KERNEL_SCHEMES,
      density: range(200, (i) => Math.round((i + 1) * 0.005 * 1000) / 1000),
    },
  };
}

/** The same spec as YAML with flow-style lists (a few KB, under the YAML body cap). */
export function hugeCampaignYaml(spec: ReturnType<typeof hugeCampaign>): string {
  const m = spec.matrix;
  return [
    `name: ${spec.name}`,
    `measure: ${spec.measure}`,
    'matrix:',
    `  op: [${m.op.join(', ')}]`,
    `  shape: [${m.shape.map((s) => `[${s.join(', ')}]`).join(', ')}]`,
    `  scheme: [${m.scheme.join(', ')}]`,
    `  density: [${m.density.join(', ')}]`,
    '',
  ].join('\n');
}
