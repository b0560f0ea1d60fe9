import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maskableLayers, MODEL_NAMES, profileFamily, type ModelName } from '../../../client/src/engine/models/catalog.js';
import { canonicalLayerName, parseProfile, profileDensities, ProfileError } from '../../../client/src/engine/sparse/profiles/index.js';
import { createScheme } from '../../../client/src/engine/sparse/schemes/registry.js';
import { SCHEME_NAMES, type SchemeName } from '../../../client/src/engine/sparse/schemes/types.js';

const RESNET32 = maskableLayers('resnet32', { height: 32, width: 32, channels: 3 }, 10);
const PROFILES_DIR = join(import.meta.dirname, '../../../profiles');

describe('parseProfile', () => {
  it('should read MEST files with values on the next line and map PyTorch names onto ours', () => {
    // Prepare
    const yaml = [
      'prune_ratios:',
      '  module.layer1.0.conv1.weight:',
      '    0.6',
      '  layer1.0.conv2.weight: 0.7',
      '  layer3.4.conv2:',
      '    0.9',
      'rho:',
      '  0.001',
      'lower_bound: "0.9-0.9"',
    ].join('\n');
    // Execute
    const densities = profileDensities(RESNET32, yaml);
    // Assert
    expect(densities.get('layer1.0.conv1')).toBeCloseTo(0.4, 12);
    expect(densities.get('layer1.0.conv2')).toBeCloseTo(0.3, 12);
    expect(densities.get('layer3.4.conv2')).toBeCloseTo(0.1, 12);
    expect(densities.get('conv1')).toBe(1);
    expect(densities.get('fc')).toBe(1);
    expect(densities.size).toBe(RESNET32.length);
  });

  it('should name the key and list valid layers for an unknown layer', () => {
    const yaml = 'prune_ratios:\n  layer9.0.conv1.weight:\n    0.9\n';
    expect(() => parseProfile(RESNET32, yaml)).toThrow(ProfileError);
    expect(() => parseProfile(RESNET32, yaml)).toThrow(/"layer9\.0\.conv1\.weight": unknown layer "layer9\.0\.conv1"; valid layers: conv1, layer1\.0\.conv1/);
  });

  it('should name the key for ratios outside [0, 1) and for non-numeric values', () => {
    expect(() => parseProfile(RESNET32, 'prune_ratios:\n  layer1.0.conv1.weight: 1.0\n')).toThrow(/"layer1\.0\.conv1\.weight": sparsity 1 must be in \[0, 1\)/);
    expect(() => parseProfile(RESNET32, 'prune_ratios:\n  fc.weight: -0.1\n')).toThrow(/"fc\.weight"/);
    expect(() => parseProfile(RESNET32, 'prune_ratios:\n  fc.weight: lots\n')).toThrow(/prune_ratios\.fc\.weight/);
  });

  it('should reject a profile without prune_ratios, invalid YAML and duplicate layers', () => {
    expect(() => parseProfile(RESNET32, 'rho: 0.001\n')).toThrow(/prune_ratios/);
    expect(() => parseProfile(RESNET32, 'prune_ratios: [\n')).toThrow(/not valid YAML/);
    expect(() => parseProfile(RESNET32, 'prune_ratios:\n  fc: 0.5\n  fc.weight: 0.5\n')).toThrow(/listed twice/);
  });

  it('should keep layers outside masked_layers dense and validate fixed_layers', () => {
    const yaml = 'prune_ratios:\n  fc.weight: 0.5\n  conv1.weight: 0.5\nmasked_layers:\n  - fc.weight\nfixed_layers:\n  conv1.weight: 1\n';
    const profile = parseProfile(RESNET32, yaml);
    expect([...profile.sparsities.keys()]).toEqual(['fc']);
    expect(profile.fixedLayers).toEqual(['conv1']);
    expect(() => parseProfile(RESNET32, 'prune_ratios: {}\nmasked_layers: [nope]\n')).toThrow(/masked_layers\."nope"/);
  });

  it('should strip repeated module. prefixes', () => {
    expect(canonicalLayerName('module.module.features.4.weight')).toBe('features.4');
    expect(canonicalLayerName('layer2.0.shortcut.0.weight')).toBe('layer2.0.shortcut.0');
  });
});

describe('shipped profiles', () => {
  // profiles/<family>/: variants of a network that differ only in stem or width share a family (same layer names).
  const files = MODEL_NAMES.flatMap((model) =>
    readdirSync(join(PROFILES_DIR, profileFamily(model)))
      .filter((file) => file.endsWith('.yaml'))
      .map((file) => [model, file] as [ModelName, string]),
  );

  it('should ship at least one profile for every model', () => {
    expect(new Set(files.map(([model]) => model))).toEqual(new Set(MODEL_NAMES));
  });

  it.each(files)('should load %s/%s against the model and suit its scheme', (model, file) => {
    const yaml = readFileSync(join(PROFILES_DIR, profileFamily(model), file), 'utf8');
    const scheme = file.split('-')[0];
    expect(SCHEME_NAMES).toContain(scheme);
    for (const input of [{ height: 28, width: 28, channels: 1 }, { height: 32, width: 32, channels: 3 }]) {
      const layers = maskableLayers(model, input, 10);
      const { sparsities } = parseProfile(layers, yaml);
      expect(sparsities.size).toBeGreaterThan(0);
      for (const layer of layers) {
        if (!sparsities.has(layer.name)) continue;
        expect(createScheme(scheme as SchemeName).unsupportedReason(layer.shape)).toBeUndefined();
      }
    }
  });
});
