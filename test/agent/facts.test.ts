import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceFacts, decodeProto, encodeProto } from '../../protocol/src/index.js';
import { collectDeviceFacts, readDeviceTreeModel } from '../../client/src/agent/facts.js';
import { collectTelemetry, readBattery, readTemperature } from '../../client/src/agent/telemetry.js';
import { AGENT_VERSION } from '../../client/src/agent/version.js';

const WASM = { name: 'wasm', simd: true, threads: 1, available: ['wasm', 'cpu'] };

describe('collectDeviceFacts', () => {
  it('should describe this machine, its backends and the agent', () => {
    const sut = collectDeviceFacts({ backend: WASM });
    expect(sut.platform).toBe(process.platform);
    expect(sut.arch).toBe(process.arch);
    expect(sut.cores).toBeGreaterThanOrEqual(1);
    expect(sut.memoryBytes).toBe(os.totalmem());
    expect(sut.cpuModel.length).toBeGreaterThan(0);
    expect(sut.backendsAvailable).toEqual(['wasm', 'cpu']);
    expect(sut.chosenBackend).toBe('wasm');
    expect(sut.wasmSimd).toBe(true);
    expect(sut.wasmThreads).toBe(false);
    expect(sut.agentVersion).toBe(AGENT_VERSION);
    expect(sut.runtime).toBe(`node ${process.versions.node}`);
    expect(sut.deviceModel.length).toBeGreaterThan(0);
    expect(sut.labels.hostname).toBe(os.hostname());
  });

  it('should encode as a DeviceFacts protobuf message without loss', () => {
    const sut = collectDeviceFacts({ backend: WASM, labels: { profile: 'phone' }, deviceModel: 'sim-phone-3' });
    const decoded = decodeProto('sparsefleet.v1.DeviceFacts', encodeProto('sparsefleet.v1.DeviceFacts', sut));
    expect(decoded).toEqual(sut);
    expect(decoded.deviceModel).toBe('sim-phone-3');
    expect(decoded.labels.profile).toBe('phone');
  });
});

describe('device files', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sf-facts-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should read a NUL-terminated device-tree model name', async () => {
    const path = join(dir, 'model');
    await writeFile(path, 'NVIDIA Jetson Orin Nano Developer Kit\0');
    expect(readDeviceTreeModel(path)).toBe('NVIDIA Jetson Orin Nano Developer Kit');
    expect(readDeviceTreeModel(join(dir, 'absent'))).toBeUndefined();
  });

  it('should read the temperature in Celsius from millidegrees, or -1 when absent', async () => {
    const path = join(dir, 'temp');
    await writeFile(path, '48500\n');
    expect(readTemperature(path)).toBeCloseTo(48.5);
    expect(readTemperature(join(dir, 'absent'))).toBe(-1);
  });

  it('should read the first battery capacity as a fraction with its charging state', async () => {
    await mkdir(join(dir, 'AC'));
    await mkdir(join(dir, 'BAT0'));
    await writeFile(join(dir, 'BAT0', 'capacity'), '73\n');
    await writeFile(join(dir, 'BAT0', 'status'), 'Charging\n');
    expect(readBattery(dir)).toEqual({ level: 0.73, charging: true });
    expect(readBattery(join(dir, 'absent'))).toEqual({ level: -1, charging: false });
  });

  it('should collect telemetry with negative values for missing sensors', () => {
    const sut = collectTelemetry({ thermalZone: join(dir, 'none'), powerSupplies: join(dir, 'none') });
    expect(sut.freeMemoryBytes).toBeGreaterThan(0);
    expect(sut.rssBytes).toBeGreaterThan(0);
    expect(sut.loadAverage_1m).toBeGreaterThanOrEqual(0);
    expect(sut.temperatureCelsius).toBe(-1);
    expect(sut.batteryLevel).toBe(-1);
  });
});
