import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_URL, normalizeServerUrl, resolveConnection } from '../../cli/src/operator/connection.js';
import { UsageError } from '../../cli/src/operator/errors.js';
import { readOperatorConfig, writeOperatorConfig } from '../../cli/src/operator/operator-config.js';

describe('resolveConnection', () => {
  let dir: string;
  let configPath: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sf-cli-conn-'));
    configPath = join(dir, 'operator.json');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should fall back to the default URL and no key when nothing is given', async () => {
    expect(await resolveConnection({}, { env: {}, configPath })).toEqual({ serverUrl: DEFAULT_SERVER_URL, apiKey: undefined });
  });

  it('should prefer flags over the environment over the saved login', async () => {
    // Prepare
    await writeOperatorConfig(configPath, { server: 'http://saved:1', apiKey: 'saved-key' });
    const env = { SPARSEFLEET_SERVER: 'http://env:2', SPARSEFLEET_API_KEY: 'env-key' };

    // Execute
    const fromFlags = await resolveConnection({ server: 'http://flag:3', apiKey: 'flag-key' }, { env, configPath });
    const fromEnv = await resolveConnection({}, { env, configPath });
    const fromFile = await resolveConnection({}, { env: {}, configPath });

    // Assert
    expect(fromFlags).toEqual({ serverUrl: 'http://flag:3', apiKey: 'flag-key' });
    expect(fromEnv).toEqual({ serverUrl: 'http://env:2', apiKey: 'env-key' });
    expect(fromFile).toEqual({ serverUrl: 'http://saved:1', apiKey: 'saved-key' });
  });

  it('should not send the saved key to a different coordinator', async () => {
    await writeOperatorConfig(configPath, { server: 'http://saved:1/', apiKey: 'saved-key' });

    const other = await resolveConnection({ server: 'http://other:9' }, { env: {}, configPath });
    const same = await resolveConnection({ server: 'saved:1' }, { env: {}, configPath });

    expect(other.apiKey).toBeUndefined();
    expect(same.apiKey).toBe('saved-key');
  });

  it('should reject a broken login file with a usage error naming it', async () => {
    await writeFile(configPath, '{ not json');

    await expect(resolveConnection({}, { env: {}, configPath })).rejects.toThrow(UsageError);
    await expect(resolveConnection({}, { env: {}, configPath })).rejects.toThrow(configPath);
  });

  it('should not need the login file when flags give both server and key', async () => {
    await writeFile(configPath, '{ not json');

    await expect(resolveConnection({ server: 'http://a:1', apiKey: 'k' }, { env: {}, configPath })).resolves.toEqual({
      serverUrl: 'http://a:1',
      apiKey: 'k',
    });
  });
});

describe('normalizeServerUrl', () => {
  it('should add http:// to host:port and drop trailing slashes', () => {
    expect(normalizeServerUrl('127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(normalizeServerUrl('https://fleet.example/sf/')).toBe('https://fleet.example/sf');
  });

  it('should reject other schemes', () => {
    expect(() => normalizeServerUrl('ftp://x')).toThrow(/http/);
  });
});

describe('writeOperatorConfig', () => {
  it('should write a file only its owner can read, and read it back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sf-cli-cfg-'));
    try {
      const path = join(dir, 'nested', 'operator.json');

      await writeOperatorConfig(path, { server: 'http://h:1', apiKey: 'secret' });

      expect((await stat(path)).mode & 0o777).toBe(0o600);
      expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ server: 'http://h:1', apiKey: 'secret' });
      expect(await readOperatorConfig(path)).toEqual({ server: 'http://h:1', apiKey: 'secret' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
