// Creates an operator API key without a running coordinator (`sparsefleet apikey create --data-dir D --name N`,
// or `--database-url URL`): opens the coordinator's database, migrates it and inserts the key. Prints nothing; the caller shows the key once.
import { resolveCoordinatorConfig } from '../config/coordinator-config.js';
import { ApiKeyRepository } from '../security/api-key.repository.js';
import { ApiKeyService, type CreatedApiKey } from '../security/api-key.service.js';
import { DatabaseService } from '../storage/database.service.js';

export async function createApiKey(options: { dataDir: string; databaseUrl?: string | undefined; name: string }): Promise<CreatedApiKey> {
  const { dataDir, databaseUrl } = options;
  const database = new DatabaseService(resolveCoordinatorConfig({ dataDir, databaseUrl, logLevel: 'silent' }));
  try {
    await database.migrate({ quiet: true });
    return await new ApiKeyService(new ApiKeyRepository(database)).create(options.name);
  } finally {
    await database.db.destroy();
  }
}
