// Offline administration of a coordinator's data directory, with no coordinator running: the first operator API key
// (it cannot come through an API that needs a key) and the database file that tells whether the directory is in use.
export { createApiKey } from './api-key.js';
export { SQLITE_FILE_NAME, describePostgresUrl } from '../storage/database-dialect.js';
export type { CreatedApiKey } from '../security/api-key.service.js';
