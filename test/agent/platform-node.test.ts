// The agent's platform port on Node: the default platform keeps the credential in the state file and describes this
// host; an agent given another platform uses its storage, facts and telemetry instead of the host's.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../client/src/agent/agent.js';
import { collectDeviceFacts } from '../../client/src/agent/facts.js';
import { nodePlatform } from '../../client/src/agent/node-platform.js';
import type { AgentPlatform, CredentialStorage } from '../../client/src/agent/platform.js';
import type { StoredCredential } from '../../client/src/agent/credential-store.js';

const BACKEND = { name: 'wasm', simd: true, threads: 1, available: ['wasm', 'cpu'] };

describe('node platform', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sf-platform-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the credential in the state file it names', async () => {
    const path = join(dir, 'agent.json');
    const platform = nodePlatform(path);
    expect(platform.credentials.location).toBe(path);
    const credential: StoredCredential = { server: 'http://127.0.0.1:1', deviceId: 'd-1', credential: 'secret' };
    await platform.credentials.save(credential);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject(credential);
    expect(await nodePlatform(path).credentials.load()).toMatchObject(credential);
  });

  it('describes this Node host', () => {
    const host = nodePlatform(join(dir, 'x.json')).hostFacts();
    expect(host.runtime).toBe(`node ${process.versions.node}`);
    expect(host.cores).toBeGreaterThan(0);
    expect(host.memoryBytes).toBeGreaterThan(0);
    expect(nodePlatform(join(dir, 'x.json')).telemetry().freeMemoryBytes).toBeGreaterThan(0);
  });

  it('builds device facts from the host the platform gives', () => {
    const host = { platform: 'browser-android', arch: 'wasm32', cpuModel: 'unknown', cores: 8, memoryBytes: 4 * 2 ** 30, deviceModel: 'Pixel', runtime: 'Chrome 140', labels: { a: '1' } };
    const facts = collectDeviceFacts({ backend: BACKEND, host, labels: { b: '2' } });
    expect(facts).toMatchObject({ platform: 'browser-android', cores: 8, deviceModel: 'Pixel', runtime: 'Chrome 140', chosenBackend: 'wasm', wasmSimd: true });
    expect(facts.labels).toEqual({ a: '1', b: '2' });
  });

  it('lets an agent run on another platform (its credential storage, not the state file)', () => {
    const memory: CredentialStorage = {
      location: 'memory',
      load: async () => undefined,
      save: async () => undefined,
      clear: async () => undefined,
    };
    const platform: AgentPlatform = { ...nodePlatform(join(dir, 'unused.json')), credentials: memory };
    const agent = new Agent({ server: 'http://127.0.0.1:1', platform });
    expect(agent.store).toBe(memory);
    expect(agent.platform).toBe(platform);
  });
});
