// The server key device credentials are HMAC'd with: generated once, kept in the database so that every
// coordinator node sharing the database verifies the same way. Losing it invalidates every credential (devices
// then need re-enrollment), so it lives with the data it protects rather than in a node's config.
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { generateSecret } from '../security/secrets.js';
import { CoordinatorSecretRepository } from './coordinator-secret.repository.js';

const CREDENTIAL_KEY_NAME = 'device-credential-hmac-key';

@Injectable()
export class CredentialKeyService implements OnModuleInit {
  private key: Uint8Array | undefined;

  constructor(private readonly secrets: CoordinatorSecretRepository) {}

  async onModuleInit(): Promise<void> {
    // Insert-or-keep, then read: two nodes starting together agree on one key.
    await this.secrets.insertIfAbsent(CREDENTIAL_KEY_NAME, generateSecret(), new Date().toISOString());
    const value = await this.secrets.find(CREDENTIAL_KEY_NAME);
    if (!value) throw new Error(`coordinator secret ${CREDENTIAL_KEY_NAME} could not be stored`);
    this.key = Buffer.from(value, 'base64url');
  }

  get current(): Uint8Array {
    if (!this.key) throw new Error('the credential key is read at module init; it is not loaded yet');
    return this.key;
  }
}
