import { describe, expect, it } from 'vitest';
import {
  DeviceProfileError,
  isTraceAvailability,
  loadDeviceProfile,
  parseDeviceProfile,
  SHIPPED_DEVICE_PROFILES,
} from '../../../client/src/sim/profiles/index.js';

const VALID = `
name: test-board
description: a board for tests
platform: linux-arm64
compute: { speedFactor: 0.5, stepMs: { "mlp/irregular/0.1/b128": 4.2 } }
memory: { totalMb: 4000, availableMb: 2000 }
backends: [wasm, cpu]
simd: true
threads: 1
network: { latencyMs: 20, jitterMs: 5, bandwidthKbps: 50000, lossRate: 0.01 }
availability:
  sessionMinutes: { kind: lognormal, median: 60, sigma: 0.5 }
  offlineMinutes: { kind: exponential, mean: 10 }
thermal: { throttleAfterMinutes: 10, throttleFactor: 1.5 }
`;

function errorOf(text: string, source = 'board.yaml'): DeviceProfileError {
  try {
    parseDeviceProfile(text, source);
  } catch (error) {
    if (error instanceof DeviceProfileError) return error;
    throw error;
  }
  throw new Error('expected a DeviceProfileError');
}

describe('device profile schema', () => {
  it('parses a complete profile', () => {
    const profile = parseDeviceProfile(VALID, 'board.yaml');
    expect(profile.compute).toEqual({ speedFactor: 0.5, stepMs: { 'mlp/irregular/0.1/b128': 4.2 } });
    expect(profile.availability).toEqual({
      sessionMinutes: { kind: 'lognormal', median: 60, sigma: 0.5 },
      offlineMinutes: { kind: 'exponential', mean: 10 },
    });
    expect(profile.battery).toBeUndefined();
  });

  it('names the file and the field of a bad value', () => {
    const error = errorOf(VALID.replace('speedFactor: 0.5', 'speedFactor: 0'), 'phone.yaml');
    expect(error.message).toBe('phone.yaml: compute.speedFactor: must be > 0');
  });

  it('names unknown fields, nested ones included', () => {
    expect(errorOf(`${VALID}\ncolour: red\n`).message).toContain('board.yaml: colour: unknown field');
    expect(errorOf(VALID.replace('lossRate: 0.01', 'lossRate: 0.01, mtu: 1500')).message).toContain('network.mtu: unknown field');
  });

  it('refuses more available memory than total, a bad distribution and a bad step key', () => {
    expect(errorOf(VALID.replace('availableMb: 2000', 'availableMb: 5000')).message).toContain('memory.availableMb: must be <= memory.totalMb');
    expect(errorOf(VALID.replace('kind: exponential, mean: 10', 'kind: poisson, mean: 10')).message).toContain(
      'availability: must be { sessionMinutes, offlineMinutes } or { trace }',
    );
    expect(errorOf(VALID.replace('mlp/irregular/0.1/b128', 'mlp-0.1')).message).toContain('compute.stepMs');
    expect(errorOf(VALID.replace('backends: [wasm, cpu]', 'backends: [webgpu]')).message).toContain('backends[0]: must be one of tensorflow, wasm, cpu');
  });

  it('reports YAML syntax errors with the file and the line', () => {
    expect(errorOf('name: [unclosed\n', 'x.yaml').message).toMatch(/^x\.yaml: line \d+, column \d+: /);
  });

  it('accepts trace availability', () => {
    const profile = parseDeviceProfile(VALID.replace(/availability:\n(.*\n){2}/, 'availability: { trace: traces/phone.csv }\n'), 'board.yaml');
    expect(isTraceAvailability(profile.availability)).toBe(true);
  });
});

describe('shipped device profiles', () => {
  it.each(SHIPPED_DEVICE_PROFILES)('%s parses and is named after its file', async (name) => {
    const profile = await loadDeviceProfile(name);
    expect(profile.name).toBe(name);
    expect(profile.memory.availableMb).toBeLessThanOrEqual(profile.memory.totalMb);
  });

  it('a bare name that is not shipped lists the shipped ones', async () => {
    await expect(loadDeviceProfile('toaster')).rejects.toThrow(/shipped profiles: jetson-nano, /);
  });
});
