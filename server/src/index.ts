// The coordinator as a library: start one in this process (`sparsefleet serve`, the demo). Importing this loads
// NestJS and the whole server; tools that only read campaign specs or reports use ./campaigns/index.ts, and offline
// administration of a data directory uses ./bootstrap/index.ts.
export { startCoordinator, type CoordinatorOptions, type ExpiredLease, type RunningCoordinator } from './coordinator.js';
export { DatabaseUnavailableError } from './storage/database.service.js';
export { describePostgresUrl } from './storage/database-dialect.js';
export type { FederatedModelLab, FederatedModelEvaluation } from './federated/federated-lab.js';
