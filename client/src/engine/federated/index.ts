// Federated sparse training, the engine's side (issue 18): the contract with the coordinator, sparse transport,
// aggregation, partitions (./pure.ts, no tfjs) and the client round on the engine. Browser-safe, no networking.
export * from './pure.js';
export { FederatedTaskError, clientShard, runClientRound } from './client-round.js';
export { createInitialModel, evaluateModel, loadFederatedData } from './global-model.js';
export { captureModelSet, loadModelSet } from './model-state.js';
