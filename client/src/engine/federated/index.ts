// Federated sparse training, the engine's side (issue 18): the contract with the coordinator, sparse transport,
// aggregation, partitions and the client round. Browser-safe, no networking.
export * from './pure.js';
