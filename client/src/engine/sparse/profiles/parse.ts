// MEST-format per-layer sparsity profiles (YAML):
//   prune_ratios: { <pytorch parameter name>: <sparsity> }   (values may sit on the line after the key)
//   rho: <float>                                              (ADMM leftover, ignored)
//   masked_layers / fixed_layers                              (optional; see below)
// Any other top-level key (e.g. VGG profiles' lower_bound / upper_bound) is ignored, as the reference does.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { MaskableLayerInfo } from '../types.js';

export class ProfileError extends Error {
  override readonly name = 'ProfileError';
}

const layerListSchema = z.union([z.array(z.string()), z.record(z.string(), z.unknown())]).nullish();

const profileSchema = z.looseObject({
  prune_ratios: z.record(z.string(), z.number()),
  rho: z.number().nullish(),
  masked_layers: layerListSchema,
  fixed_layers: layerListSchema,
});

export interface ParsedProfile {
  /** Sparsity per layer (our names) for every layer the profile masks. Unlisted layers stay dense. */
  readonly sparsities: ReadonlyMap<string, number>;
  /** `fixed_layers` as our names: read and validated, but unused (as in MEST). */
  readonly fixedLayers: readonly string[];
}

/**
 * Parses and validates a profile against the model's maskable layers. Keys may be PyTorch names (`module.` prefix
 * and `.weight` suffix are stripped) or our names directly. When `masked_layers` is present, listed ratios of layers
 * missing from it are ignored (those layers stay dense), as MEST masks only `masked_layers`.
 */
export function parseProfile(layers: readonly MaskableLayerInfo[], yamlText: string): ParsedProfile {
  let document: unknown;
  try {
    document = parseYaml(yamlText);
  } catch (error) {
    throw new ProfileError(`profile is not valid YAML: ${(error as Error).message}`);
  }
  const result = profileSchema.safeParse(document);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
    throw new ProfileError(`invalid profile: ${issues.join('; ')}`);
  }
  const validNames = layers.map((layer) => layer.name);
  const resolve = nameResolver(validNames);

  const sparsities = new Map<string, number>();
  for (const [key, sparsity] of Object.entries(result.data.prune_ratios)) {
    const name = resolve(key, 'prune_ratios');
    if (!(sparsity >= 0 && sparsity < 1)) {
      throw new ProfileError(`prune_ratios."${key}": sparsity ${sparsity} must be in [0, 1)`);
    }
    if (sparsities.has(name)) throw new ProfileError(`prune_ratios."${key}": layer "${name}" is listed twice`);
    sparsities.set(name, sparsity);
  }

  const masked = result.data.masked_layers;
  if (masked) {
    const maskedNames = new Set(listKeys(masked).map((key) => resolve(key, 'masked_layers')));
    for (const name of [...sparsities.keys()]) if (!maskedNames.has(name)) sparsities.delete(name);
  }
  const fixed = result.data.fixed_layers;
  const fixedLayers = fixed ? listKeys(fixed).map((key) => resolve(key, 'fixed_layers')) : [];
  return { sparsities, fixedLayers };
}

/** Density per layer from a profile: 1 − sparsity for listed layers, 1 (dense) for every other layer. */
export function profileDensities(layers: readonly MaskableLayerInfo[], yamlText: string): Map<string, number> {
  const { sparsities } = parseProfile(layers, yamlText);
  return new Map(layers.map((layer) => [layer.name, 1 - (sparsities.get(layer.name) ?? 0)]));
}

/** PyTorch parameter name → our layer name: strips every leading `module.` and a trailing `.weight`. */
export function canonicalLayerName(key: string): string {
  let name = key.trim();
  while (name.startsWith('module.')) name = name.slice('module.'.length);
  return name.endsWith('.weight') ? name.slice(0, -'.weight'.length) : name;
}

function nameResolver(validNames: readonly string[]): (key: string, section: string) => string {
  const valid = new Set(validNames);
  return (key, section) => {
    const name = canonicalLayerName(key);
    if (!valid.has(name)) {
      throw new ProfileError(`${section}."${key}": unknown layer "${name}"; valid layers: ${validNames.join(', ')}`);
    }
    return name;
  };
}

function listKeys(list: string[] | Record<string, unknown>): string[] {
  return Array.isArray(list) ? list : Object.keys(list);
}
