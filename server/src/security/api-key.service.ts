// Operator API keys. A key is `sfk_` + 32 random bytes (base64url); only its sha256 is stored. A fast unsalted
// hash is enough here because the key has 256 bits of entropy: no dictionary or brute-force attack applies, and
// the lookup by hash stays a single indexed read per request.
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { generateSecret, sha256Hex } from './secrets.js';
import { ApiKeyRepository, type ApiKeyRow } from './api-key.repository.js';

export const API_KEY_PREFIX = 'sfk_';
/** Characters of a key shown in listings (the `sfk_` marker plus 8 of the secret). */
const SHOWN_PREFIX_LENGTH = API_KEY_PREFIX.length + 8;

export interface CreatedApiKey {
  readonly id: string;
  /** The secret itself: shown once, never stored. */
  readonly key: string;
}

export interface ApiKeyView {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

@Injectable()
export class ApiKeyService {
  constructor(private readonly keys: ApiKeyRepository) {}

  async create(name: string, now = new Date()): Promise<CreatedApiKey> {
    const trimmed = name.trim();
    if (trimmed === '') throw new RangeError('an API key needs a name');
    const id = randomUUID();
    const key = `${API_KEY_PREFIX}${generateSecret()}`;
    await this.keys.insert({
      id,
      name: trimmed,
      prefix: key.slice(0, SHOWN_PREFIX_LENGTH),
      hash: sha256Hex(key),
      created_at: now.toISOString(),
      revoked_at: null,
    });
    return { id, key };
  }

  /** The id of the active key `presented` is, or undefined. */
  async verify(presented: string): Promise<string | undefined> {
    if (!presented.startsWith(API_KEY_PREFIX)) return undefined;
    return (await this.keys.findActiveByHash(sha256Hex(presented)))?.id;
  }

  async list(): Promise<ApiKeyView[]> {
    return (await this.keys.list()).map(toView);
  }

  async revoke(id: string, now = new Date()): Promise<boolean> {
    return this.keys.revoke(id, now.toISOString());
  }
}

function toView(row: ApiKeyRow): ApiKeyView {
  return { id: row.id, name: row.name, prefix: row.prefix, createdAt: row.created_at, revokedAt: row.revoked_at };
}
