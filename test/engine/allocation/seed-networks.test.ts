// Allocation and profiles over the seed networks' catalogs: MEST-style profiles written with the seeds' own layer
// names load as they are, and ERK / uniform follow the reference formulas over every maskable layer (first conv and
// classifier included, as DSB and GraNet do; MobileNetV2's depthwise convs are not maskable and take no part).
import { describe, expect, it } from 'vitest';
import { maskableLayers, SEED_NETWORK_NAMES, unmaskedLayers, type SeedNetworkName } from '../../../client/src/engine/models/catalog.js';
import { activeCount, allocateDensities } from '../../../client/src/engine/sparse/allocation/index.js';
import { parseProfile, ProfileError } from '../../../client/src/engine/sparse/profiles/index.js';
import { layerSize, type MaskableLayerInfo } from '../../../client/src/engine/sparse/types.js';

const CIFAR = { height: 32, width: 32, channels: 3 };

/** MEST's profiles/vgg19_cifar/irr/vgg_0.9.yaml, verbatim. */
const MEST_VGG19 = `prune_ratios:
#  features.0.weight:
#    0.9
  features.3.weight:
    0.9
  features.7.weight:
    0.9
  features.10.weight:
    0.9
  features.14.weight:
    0.9
  features.17.weight:
    0.9
  features.20.weight:
    0.9
  features.23.weight:
    0.9
  features.27.weight:
    0.9
  features.30.weight:
    0.9
  features.33.weight:
    0.9
  features.36.weight:
    0.9
  features.40.weight:
    0.9
  features.43.weight:
    0.9
  features.46.weight:
    0.9
  features.49.weight:
    0.9
rho:
  0.001
`;

/** A MEST-format ResNet-50 profile in the naming of GraNet's ImageNet ResNet-50 (torchvision), every weight listed. */
function resnet50Profile(): { yaml: string; keys: string[] } {
  const keys = ['module.conv1.weight'];
  [3, 4, 6, 3].forEach((blocks, stage) => {
    for (let i = 0; i < blocks; i++) {
      const prefix = `module.layer${stage + 1}.${i}`;
      keys.push(`${prefix}.conv1.weight`, `${prefix}.conv2.weight`, `${prefix}.conv3.weight`);
      if (i === 0) keys.push(`${prefix}.downsample.0.weight`);
    }
  });
  keys.push('module.fc.weight');
  const yaml = ['prune_ratios:', ...keys.flatMap((key) => [`  ${key}:`, '    0.8']), 'rho:', '  0.001', ''].join('\n');
  return { yaml, keys };
}

describe('seed-network profiles', () => {
  it("should find every layer of MEST's VGG-19 profile", () => {
    // Execute
    const { sparsities } = parseProfile(maskableLayers('vgg19', CIFAR, 10), MEST_VGG19);

    // Assert
    expect([...sparsities.keys()]).toEqual([3, 7, 10, 14, 17, 20, 23, 27, 30, 33, 36, 40, 43, 46, 49].map((i) => `features.${i}`));
    for (const sparsity of sparsities.values()) expect(sparsity).toBe(0.9);
  });

  it.each(['resnet50', 'resnet50-imagenet'] as const)('should find every layer of a ResNet-50 profile in the seeds naming (%s)', (model) => {
    // Prepare
    const { yaml, keys } = resnet50Profile();
    const layers = maskableLayers(model, CIFAR, 10);

    // Execute
    const { sparsities } = parseProfile(layers, yaml);

    // Assert
    expect(keys).toHaveLength(54);
    expect(sparsities.size).toBe(keys.length);
    expect([...sparsities.keys()]).toEqual(layers.map((layer) => layer.name));
  });

  it('should refuse names of other naming schemes and depthwise layers, naming the key', () => {
    const resnet = maskableLayers('resnet18', CIFAR, 10);
    expect(() => parseProfile(resnet, 'prune_ratios:\n  layer2.0.shortcut.0.weight: 0.5\n')).toThrow(ProfileError);
    expect(() => parseProfile(resnet, 'prune_ratios:\n  layer2.0.shortcut.0.weight: 0.5\n')).toThrow(/unknown layer "layer2\.0\.shortcut\.0"/);
    const mobile = maskableLayers('mobilenetv2', CIFAR, 10);
    expect(() => parseProfile(mobile, 'prune_ratios:\n  features.1.conv.0.0.weight: 0.5\n')).toThrow(/unknown layer "features\.1\.conv\.0\.0"/);
  });
});

/** Reference ERK (RigL get_sparsities_erdos_renyi / DSB googleAI_ERK): raw = Σ dims / Π dims of the PyTorch shape. */
function referenceRaw(layer: MaskableLayerInfo): number {
  const dims = layer.shape.kind === 'conv' ? [layer.shape.out, layer.shape.in, layer.shape.kh, layer.shape.kw] : [layer.shape.out, layer.shape.in];
  return dims.reduce((a, b) => a + b, 0) / dims.reduce((a, b) => a * b, 1);
}

describe('allocation over the seed networks', () => {
  const models: SeedNetworkName[] = [...SEED_NETWORK_NAMES];

  it.each(models)('ERK over %s should hit the target density with d_l = min(1, ε·raw_l) on every maskable layer', (model) => {
    for (const density of [0.05, 0.1, 0.2, 0.5]) {
      // Prepare
      const layers = maskableLayers(model, CIFAR, 10);

      // Execute
      const densities = allocateDensities({ layers, density, allocation: 'erk' });

      // Assert: every maskable layer takes part, first conv and classifier included; no depthwise conv does.
      expect([...densities.keys()]).toEqual(layers.map((layer) => layer.name));
      for (const hidden of unmaskedLayers(model, CIFAR, 10)) expect(densities.has(hidden.name)).toBe(false);
      const total = layers.reduce((sum, layer) => sum + layerSize(layer.shape), 0);
      const kept = layers.reduce((sum, layer) => sum + densities.get(layer.name)! * layerSize(layer.shape), 0);
      expect(kept / total).toBeCloseTo(density, 10);
      const active = layers.reduce((sum, layer) => sum + activeCount(layer.shape, densities.get(layer.name)!), 0);
      expect(Math.abs(active - density * total)).toBeLessThanOrEqual(layers.length);
      // One ε for every layer not forced dense.
      const sparse = layers.filter((layer) => densities.get(layer.name)! < 1);
      expect(sparse.length).toBeGreaterThan(0);
      const epsilon = densities.get(sparse[0].name)! / referenceRaw(sparse[0]);
      for (const layer of layers) {
        const expected = Math.min(1, epsilon * referenceRaw(layer));
        expect(densities.get(layer.name)!).toBeCloseTo(expected, 9);
      }
    }
  });

  it('uniform should give every maskable layer the density (optionally the first conv dense)', () => {
    const layers = maskableLayers('wrn-22-2', CIFAR, 10);
    const uniform = allocateDensities({ layers, density: 0.1, allocation: 'uniform' });
    expect(new Set(uniform.values())).toEqual(new Set([0.1]));
    const rigl = allocateDensities({ layers, density: 0.1, allocation: 'uniform', denseFirstLayer: true });
    expect(rigl.get('net0_block0_conv0')).toBe(1);
    expect(rigl.get('fc')).toBe(0.1);
  });
});
