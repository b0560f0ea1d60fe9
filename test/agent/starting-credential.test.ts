import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialStore } from '../../client/src/agent/credential-store.js';
import { normalizeServer, startingCredential } from '../../client/src/agent/starting-credential.js';

describe('startingCredential', () => {
  let dir: string;
  let store: CredentialStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sf-start-'));
    store = new CredentialStore(join(dir, 'agent.json'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should use the saved credential of the same coordinator, however its URL is spelled', async () => {
    await store.save({ server: 'http://127.0.0.1:8080', deviceId: 'd', credential: 'c' });
    expect(await startingCredential(store, 'http://127.0.0.1:8080/', undefined)).toMatchObject({ deviceId: 'd' });
  });

  it('should enroll with the token when the saved credential belongs to another coordinator', async () => {
    await store.save({ server: 'http://other:8080', deviceId: 'd', credential: 'c' });
    expect(await startingCredential(store, 'http://127.0.0.1:8080', 'token')).toBeUndefined();
  });

  it('should refuse to start when the credential is for another coordinator and no token is given', async () => {
    await store.save({ server: 'http://other:8080', deviceId: 'd', credential: 'c' });
    await expect(startingCredential(store, 'http://127.0.0.1:8080', undefined)).rejects.toThrow(/enrolled with http:\/\/other:8080/);
  });

  it('should normalise trailing slashes and default ports', () => {
    expect(normalizeServer('http://host:80/')).toBe('http://host');
    expect(normalizeServer('http://host:8080//')).toBe('http://host:8080');
  });
});
