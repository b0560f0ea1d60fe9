import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialStore, CredentialStoreError } from '../../client/src/agent/credential-store.js';

describe(CredentialStore.name, () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sf-cred-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should return undefined when the state file does not exist', async () => {
    const sut = new CredentialStore(join(dir, 'missing.json'));
    expect(await sut.load()).toBeUndefined();
  });

  it('should round-trip a credential and create missing parent folders', async () => {
    // Prepare
    const sut = new CredentialStore(join(dir, 'nested', 'deeper', 'agent.json'));
    const credential = { server: 'http://127.0.0.1:8080', deviceId: 'dev-1', credential: 'secret' };
    // Execute
    await sut.save(credential);
    // Assert
    expect(await sut.load()).toEqual(credential);
  });

  it('should write the file readable only by its owner', async () => {
    const sut = new CredentialStore(join(dir, 'agent.json'));
    await sut.save({ server: 's', deviceId: 'd', credential: 'c' });
    const mode = (await stat(sut.path)).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it('should replace an existing file atomically and leave no temp files behind', async () => {
    // Prepare
    const sut = new CredentialStore(join(dir, 'agent.json'));
    await writeFile(sut.path, '{"old": true}', { mode: 0o644 });
    // Execute
    await sut.save({ server: 's', deviceId: 'new-device', credential: 'c2' });
    // Assert
    expect(JSON.parse(await readFile(sut.path, 'utf8')).deviceId).toBe('new-device');
    expect((await stat(sut.path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['agent.json']);
  });

  it('should keep the last of several concurrent saves whole', async () => {
    const sut = new CredentialStore(join(dir, 'agent.json'));
    await Promise.all(
      Array.from({ length: 8 }, (_, index) => sut.save({ server: 's', deviceId: `dev-${index}`, credential: 'c' })),
    );
    const loaded = await sut.load();
    expect(loaded?.deviceId).toMatch(/^dev-[0-7]$/);
    expect(await readdir(dir)).toEqual(['agent.json']);
  });

  it('should reject a corrupt state file with a message naming the file', async () => {
    const sut = new CredentialStore(join(dir, 'agent.json'));
    await writeFile(sut.path, '{not json');
    await expect(sut.load()).rejects.toBeInstanceOf(CredentialStoreError);
    await expect(sut.load()).rejects.toThrow(sut.path);
  });

  it('should reject a state file without a credential', async () => {
    const sut = new CredentialStore(join(dir, 'agent.json'));
    await writeFile(sut.path, JSON.stringify({ server: 's', deviceId: 'd' }));
    await expect(sut.load()).rejects.toThrow(/credential/);
  });

  it('should delete the state file on clear', async () => {
    const sut = new CredentialStore(join(dir, 'agent.json'));
    await sut.save({ server: 's', deviceId: 'd', credential: 'c' });
    await sut.clear();
    expect(await sut.load()).toBeUndefined();
  });
});
