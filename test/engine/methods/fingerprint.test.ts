// Behaviour fingerprint of every method × scheme: a whole simulated run (fixed seeds) reduced to the CRC-32 of the
// final masks and weights, the active count and (VRPGE) the channel scores. The table in fingerprints.json was
// recorded before methods became modules of their own (issue 16); any change to what a method does shows up here.
// A deliberate change of behaviour re-records it: FINGERPRINT_RECORD=1 npx vitest run --project sqlite <this file>.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../../protocol/src/index.js';
import { createMethod } from '../../../client/src/engine/sparse/methods/registry.js';
import type { MethodName } from '../../../client/src/engine/sparse/methods/types.js';
import { parseSchedule, type Schedule } from '../../../client/src/engine/sparse/schedules/schema.js';
import type { VrpgeMethod } from '../../../client/src/engine/sparse/methods/vrpge.js';
import { createScheme } from '../../../client/src/engine/sparse/schemes/registry.js';
import { SCHEME_NAMES, type SchemeName } from '../../../client/src/engine/sparse/schemes/types.js';
import { convShape, linearShape } from '../../../client/src/engine/sparse/types.js';
import { METHOD_NAMES } from '../../../client/src/engine/train/config.js';
import { makeContext, makeLayers, simulate, type LayerSpec } from './harness.js';

const TABLE = new URL('./fingerprints.json', import.meta.url);
const RECORD = process.env.FINGERPRINT_RECORD === '1';

const SPECS: LayerSpec[] = [
  { name: 'conv1', shape: convShape(8, 3, 3, 3), density: 0.5 },
  { name: 'conv2', shape: convShape(16, 16, 3, 3), density: 0.25 },
  { name: 'fc1', shape: linearShape(32, 64), density: 0.3 },
  { name: 'fc2', shape: linearShape(10, 32), density: 0.4 },
];
const RUN = { epochs: 4, stepsPerEpoch: 5, density: 0.3 };
const BLOCK_SIZE = 4;
/** Every method; DSB and SSB need shuffled blocks and run below with that scheme only. */
const METHODS = METHOD_NAMES.filter((method) => method !== 'dsb' && method !== 'ssb');

const cases: [MethodName, SchemeName][] = [
  ...METHODS.flatMap((method) => SCHEME_NAMES.map((scheme) => [method, scheme] as [MethodName, SchemeName])),
  ['dsb', 'shuffled-block'],
  ['ssb', 'shuffled-block'],
];

function fingerprint(method: MethodName, schemeName: SchemeName): string {
  const scheme = createScheme(schemeName, { blockSize: BLOCK_SIZE });
  const layers = makeLayers(SPECS, 3);
  const ctx = makeContext(layers, SPECS, { scheme, ...RUN, seed: 11 });
  const sut = createMethod(method, { epochs: RUN.epochs, stepsPerEpoch: RUN.stepsPerEpoch, density: RUN.density, ...dsbBlock(method) });
  simulate(sut, ctx, { gradientSeed: 5 });
  let crc = 0;
  let active = 0;
  for (const layer of layers) {
    const mask = layer.mask;
    for (let i = 0; i < mask.length; i++) active += mask[i];
    crc = crc32(mask, crc);
    const weights = layer.readWeights();
    crc = crc32(new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength), crc);
  }
  if (method === 'vrpge') {
    for (const scores of (sut as VrpgeMethod).channelScores().values()) crc = crc32(new Uint8Array(scores.buffer, scores.byteOffset, scores.byteLength), crc);
  }
  return `${(crc >>> 0).toString(16).padStart(8, '0')}/${active}`;
}

/** DSB's default schedule uses B = 16, too large for these layers; the scheme and the schedule must agree. */
function dsbBlock(method: MethodName): { schedule?: Schedule } {
  if (method !== 'dsb' && method !== 'ssb') return {};
  return { schedule: parseSchedule({ kind: 'dsb', updateInterval: 3, blockSize: BLOCK_SIZE, staticMask: method === 'ssb' }) };
}

describe('method behaviour fingerprint', () => {
  const recorded = RECORD ? {} : (JSON.parse(readFileSync(TABLE, 'utf8')) as Record<string, string>);
  const measured: Record<string, string> = {};

  it.each(cases)('%s with %s should end a seeded run exactly as recorded', (method, scheme) => {
    const key = `${method}/${scheme}`;
    measured[key] = fingerprint(method, scheme);
    if (RECORD) return;
    expect(measured[key]).toBe(recorded[key]);
  });

  it('should cover exactly the recorded cases', () => {
    if (RECORD) {
      writeFileSync(TABLE, `${JSON.stringify(measured, null, 2)}\n`);
      return;
    }
    expect(Object.keys(measured).sort()).toEqual(Object.keys(recorded).sort());
  });
});
