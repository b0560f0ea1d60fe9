// The browser agent's enrollment in IndexedDB (the Node agent's 0600 state file, in a browser).
import type { StoredCredential } from '../../agent/credential-store.js';
import type { CredentialStorage } from '../../agent/platform.js';
import { KeyValueDb } from './indexeddb.js';

const DATABASE = 'sparsefleet-agent';
const STORE = 'state';
const KEY = 'credential';

export class IndexedDbCredentialStore implements CredentialStorage {
  private readonly db = new KeyValueDb(DATABASE, STORE);
  readonly location = `IndexedDB ${DATABASE}/${STORE}/${KEY}`;

  async load(): Promise<StoredCredential | undefined> {
    const value = await this.db.get<unknown>(KEY);
    return isStoredCredential(value) ? value : undefined;
  }

  async save(credential: StoredCredential): Promise<void> {
    await this.db.put(KEY, { ...credential });
  }

  async clear(): Promise<void> {
    await this.db.delete(KEY);
  }
}

function isStoredCredential(value: unknown): value is StoredCredential {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return [record.server, record.deviceId, record.credential].every((field) => typeof field === 'string' && field !== '');
}
