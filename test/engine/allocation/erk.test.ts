import { describe, expect, it } from 'vitest';
import { activeCount, allocateDensities, erkDensities, solveErk, uniformDensities } from '../../../client/src/engine/sparse/allocation/index.js';
import { convShape, layerSize, linearShape, type MaskableLayerInfo } from '../../../client/src/engine/sparse/types.js';

const LAYERS: MaskableLayerInfo[] = [
  { name: 'conv1', shape: convShape(16, 3, 3, 3) },
  { name: 'conv2', shape: convShape(32, 16, 3, 3) },
  { name: 'conv3', shape: convShape(64, 32, 3, 3) },
  { name: 'fc', shape: linearShape(10, 64) },
];

function overallDensity(layers: MaskableLayerInfo[], densities: Map<string, number>): number {
  const total = layers.reduce((sum, l) => sum + layerSize(l.shape), 0);
  return layers.reduce((sum, l) => sum + densities.get(l.name)! * layerSize(l.shape), 0) / total;
}

describe('solveErk', () => {
  it.each([
    [0.1, [0.566298, 0.114675, 0.054152, 1.0], 9.785635],
    [0.2, [1.0, 0.281731, 0.13304, 1.0], 24.041026],
    [0.5, [1.0, 0.82512, 0.38964, 1.0], 70.410256],
  ])('should reproduce the spec test vector at density %s', (density, expected, epsilon) => {
    // Execute
    const solution = solveErk(LAYERS, density);
    // Assert
    LAYERS.forEach((layer, i) => expect(solution.densities.get(layer.name)).toBeCloseTo(expected[i], 5));
    expect(solution.epsilon).toBeCloseTo(epsilon, 5);
    expect(overallDensity(LAYERS, solution.densities)).toBeCloseTo(density, 12);
  });

  it('should force dense every layer sharing the maximum raw score', () => {
    const twins: MaskableLayerInfo[] = [
      { name: 'a', shape: linearShape(4, 4) },
      { name: 'b', shape: linearShape(4, 4) },
      { name: 'big', shape: linearShape(512, 512) },
    ];
    const solution = solveErk(twins, 0.5);
    expect([...solution.forcedDense].sort()).toEqual(['a', 'b']);
    expect(overallDensity(twins, solution.densities)).toBeCloseTo(0.5, 12);
  });

  it('should use only (out, in) for plain ER and honour the power scale', () => {
    const er = erkDensities(LAYERS, 0.3, { kernel: false });
    const erk = erkDensities(LAYERS, 0.3);
    expect(er.get('conv3')).not.toBeCloseTo(erk.get('conv3')!, 3);
    expect(overallDensity(LAYERS, er)).toBeCloseTo(0.3, 12);
    const flat = erkDensities(LAYERS, 0.3, { powerScale: 0 });
    LAYERS.forEach((layer) => expect(flat.get(layer.name)).toBeCloseTo(0.3, 12));
  });

  it('should make every layer dense at density 1 and reject densities outside (0, 1]', () => {
    erkDensities(LAYERS, 1).forEach((d) => expect(d).toBe(1));
    expect(() => erkDensities(LAYERS, 0)).toThrow(RangeError);
    expect(() => erkDensities(LAYERS, 1.5)).toThrow(RangeError);
  });
});

describe('uniformDensities', () => {
  it('should give every layer the density, optionally keeping the first dense', () => {
    expect([...uniformDensities(LAYERS, 0.2).values()]).toEqual([0.2, 0.2, 0.2, 0.2]);
    expect([...uniformDensities(LAYERS, 0.2, { denseFirstLayer: true }).values()]).toEqual([1, 0.2, 0.2, 0.2]);
  });

  it('should reject duplicate layer names', () => {
    expect(() => uniformDensities([LAYERS[0], LAYERS[0]], 0.5)).toThrow(/Duplicate layer name "conv1"/);
  });
});

describe('allocateDensities', () => {
  it('should dispatch on the allocation name', () => {
    expect(allocateDensities({ layers: LAYERS, density: 0.1, allocation: 'erk' }).get('fc')).toBe(1);
    expect(allocateDensities({ layers: LAYERS, density: 0.1, allocation: 'uniform' }).get('fc')).toBe(0.1);
    const profile = 'prune_ratios:\n  conv2.weight:\n    0.75\n';
    const byProfile = allocateDensities({ layers: LAYERS, density: 0.1, allocation: 'profile', profileYaml: profile });
    expect(byProfile.get('conv2')).toBeCloseTo(0.25, 12);
    expect(byProfile.get('conv1')).toBe(1);
  });

  it('should require the profile text for profile allocation', () => {
    expect(() => allocateDensities({ layers: LAYERS, density: 0.1, allocation: 'profile' })).toThrow(/profileYaml/);
  });
});

describe('activeCount', () => {
  it('should round d·N to the nearest integer within [0, N]', () => {
    expect(activeCount(linearShape(10, 100), 0.1)).toBe(100);
    expect(activeCount(linearShape(3, 3), 0.5)).toBe(5);
    expect(activeCount(linearShape(3, 3), 0.05)).toBe(0);
    expect(activeCount(linearShape(3, 3), 1)).toBe(9);
    expect(() => activeCount(linearShape(3, 3), -0.1)).toThrow(RangeError);
  });
});
