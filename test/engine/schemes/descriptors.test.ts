// One descriptor per scheme, and every consumer reads it: the scheme registry, the compressed-format choice, the
// memory estimate, TrainConfig, campaign specs, kernel benchmark requests, the simulator's reference rates and the
// CLI's help text all accept exactly the descriptors' names and aliases and read them as the canonical name.
import { describe, expect, it } from 'vitest';
import { BenchmarkKind, withDefaults } from '../../../protocol/src/index.js';
import { benchmarkRequestFromJobSpec } from '../../../client/src/engine/bench/request.js';
import { estimateTrainingMemory } from '../../../client/src/engine/memory/estimate.js';
import { formatPreferenceForScheme } from '../../../client/src/engine/models/storage/compressed-format.js';
import { parseSchedule } from '../../../client/src/engine/sparse/schedules/schema.js';
import {
  ACCEPTED_SCHEME_NAMES,
  DEFAULT_SHUFFLED_BLOCK_SIDE,
  SCHEME_DESCRIPTORS,
  canonicalSchemeName,
  describeSchemeNames,
} from '../../../client/src/engine/sparse/schemes/descriptors.js';
import { KERNEL_OPS } from '../../../client/src/engine/sparse/schemes/kernel-ops.js';
import { createScheme } from '../../../client/src/engine/sparse/schemes/registry.js';
import { SCHEME_NAMES, type SchemeName } from '../../../client/src/engine/sparse/schemes/types.js';
import { parseTrainConfig, TrainConfigError } from '../../../client/src/engine/train/config.js';
import { referenceKernelGflops } from '../../../client/src/sim/profiles/reference-kernels.js';
import { CampaignSpecError, parseCampaignSpec } from '../../../server/src/campaigns/campaign-spec.js';

const ALIASES: [string, SchemeName][] = SCHEME_NAMES.flatMap((name) => SCHEME_DESCRIPTORS[name].aliases.map((alias) => [alias, name] as [string, SchemeName]));
const UNKNOWN = ['diagonal', 'Block', 'block8', 'dsb', ''];

function kernelCampaign(scheme: unknown) {
  return { name: 'k', measure: 'kernel', matrix: { op: 'linear-forward', shape: [[8, 16, 16]], scheme, density: [0.5] } };
}

function kernelRequest(op: string, scheme: string) {
  const shape = op.startsWith('linear') ? [8, 16, 16] : [2, 8, 8, 16, 16, 3];
  const spec = withDefaults('sparsefleet.v1.TrainingJobSpec', {
    seed: 1,
    benchmark: { kind: BenchmarkKind.BENCHMARK_KIND_KERNEL, campaignId: 'c', cellId: 'x', op, scheme, shape, density: 0.25 },
  });
  return benchmarkRequestFromJobSpec(spec);
}

describe('scheme descriptors', () => {
  it('should describe every scheme once, under its own name, with aliases that name no other scheme', () => {
    expect(Object.keys(SCHEME_DESCRIPTORS).sort()).toEqual([...SCHEME_NAMES].sort());
    for (const name of SCHEME_NAMES) expect(SCHEME_DESCRIPTORS[name].name).toBe(name);
    expect(new Set(ACCEPTED_SCHEME_NAMES).size).toBe(ACCEPTED_SCHEME_NAMES.length);
    expect(ALIASES).toEqual(expect.arrayContaining([['block4', 'block'], ['csr', 'irregular']]));
  });

  it.each(SCHEME_NAMES)('should build %s through its descriptor, in its own compressed format', (name) => {
    expect(createScheme(name).name).toBe(name);
    expect(formatPreferenceForScheme(name).kind).toBe(SCHEME_DESCRIPTORS[name].format);
    expect(canonicalSchemeName(name)).toBe(name);
  });

  it('should take the shuffled-block side from the descriptor wherever none is given', () => {
    expect((createScheme('shuffled-block') as unknown as { blockSize: number }).blockSize).toBe(DEFAULT_SHUFFLED_BLOCK_SIDE);
    expect(formatPreferenceForScheme('shuffled-block').blockSize).toBe(DEFAULT_SHUFFLED_BLOCK_SIDE);
    expect(parseSchedule({ kind: 'dsb' })).toMatchObject({ blockSize: DEFAULT_SHUFFLED_BLOCK_SIDE });
  });

  it('should estimate each scheme\'s index memory from its descriptor', () => {
    const stateOf = (scheme: SchemeName) => estimateTrainingMemory(parseTrainConfig({ model: 'mlp', method: 'static', scheme, density: 0.1 })).modelStateBytes;
    const irregular = stateOf('irregular');
    // Only the index differs between schemes, so every difference divided by the index-bytes difference is the same
    // active weight count.
    const actives = SCHEME_NAMES.filter((name) => name !== 'irregular').map(
      (name) => (stateOf(name) - irregular) / (SCHEME_DESCRIPTORS[name].indexBytesPerActive - SCHEME_DESCRIPTORS.irregular.indexBytesPerActive),
    );
    expect(new Set(actives).size).toBe(1);
    expect(actives[0]).toBeGreaterThan(0);
  });

  it.each(ALIASES)('should read the old name %s as %s in a training config', (alias, name) => {
    expect(parseTrainConfig({ scheme: alias }).scheme).toBe(name);
  });

  it.each(UNKNOWN)('should refuse the scheme name %j in a training config, listing the accepted names', (name) => {
    expect(() => parseTrainConfig({ scheme: name })).toThrow(TrainConfigError);
    expect(() => parseTrainConfig({ scheme: name })).toThrow(`must be one of ${ACCEPTED_SCHEME_NAMES.join(', ')}`);
  });

  it('should accept exactly the descriptors\' names and aliases in a campaign, stored as canonical names', () => {
    const spec = parseCampaignSpec(kernelCampaign(ALIASES.map(([alias]) => alias)));
    expect(spec.matrix.scheme).toEqual(ALIASES.map(([, name]) => name));
    for (const name of SCHEME_NAMES) expect(parseCampaignSpec(kernelCampaign([name])).matrix.scheme).toEqual([name]);
    for (const name of UNKNOWN) expect(() => parseCampaignSpec(kernelCampaign([name]))).toThrow(CampaignSpecError);
    // A canonical name and its alias are the same axis value.
    expect(() => parseCampaignSpec(kernelCampaign(['block', 'block4']))).toThrow(/must not repeat a value/);
  });

  it('should accept a kernel cell exactly for the ops its scheme\'s descriptor lists, under any accepted name', () => {
    for (const accepted of ACCEPTED_SCHEME_NAMES) {
      const name = canonicalSchemeName(accepted) as SchemeName;
      for (const op of KERNEL_OPS) {
        if (SCHEME_DESCRIPTORS[name].kernelOps.includes(op)) expect(kernelRequest(op, accepted)).toMatchObject({ op, scheme: name });
        else expect(() => kernelRequest(op, accepted)).toThrow(/no kernel for/);
      }
    }
    for (const name of UNKNOWN) expect(() => kernelRequest('linear-forward', name)).toThrow(/scheme must be one of/);
  });

  it('should find the reference kernel rate of a scheme under its old name', () => {
    expect(referenceKernelGflops('linear-forward', 'block4')).toBe(referenceKernelGflops('linear-forward', 'block'));
    expect(referenceKernelGflops('linear-forward', 'block')).toBeGreaterThan(0);
  });

  it('should list every accepted name in the CLI help text', () => {
    const help = describeSchemeNames();
    for (const name of ACCEPTED_SCHEME_NAMES) expect(help).toMatch(new RegExp(`\\b${name}\\b`));
  });
});
