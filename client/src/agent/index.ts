// Public surface of the edge agent (used by the CLI, the simulated fleet and tests).
export { Agent, type AgentEvents, type AgentOptions } from './agent.js';
export { realClock, sleepOn, type Clock, type TimerHandle, type TimerOptions } from './clock.js';
export { normalizeServer, startingCredential } from './starting-credential.js';
export { DeviceConnection, backoffDelay, DEFAULT_BACKOFF, NotConnectedError, type BackoffOptions } from './connection.js';
export { CredentialStore, CredentialStoreError, defaultStatePath, type StoredCredential } from './credential-store.js';
export { nodePlatform } from './node-platform.js';
export type { AgentPlatform, CredentialStorage, HostFacts } from './platform.js';
export { AgentFatalError, isFatalRefusalCode } from './errors.js';
export { collectDeviceFacts, nodeHostFacts, readDeviceTreeModel, type BackendSummary, type FactsOptions } from './facts.js';
export {
  DEFAULT_CHECKPOINT_EVERY_STEPS,
  JobRunner,
  type CheckpointFetcher,
  type CheckpointQueued,
  type JobFinished,
  type JobStarted,
} from './job-runner.js';
export {
  DEFAULT_MAX_PROGRESS_BACKLOG,
  Outbox,
  ReportRejectedError,
  isCheckpointPiece,
  reportKey,
  type CheckpointPiece,
  type OutboundReport,
  type ReportSender,
} from './outbox.js';
export {
  DEFAULT_CHECKPOINT_CHUNK_BYTES,
  MAX_CHECKPOINT_CHUNK_BYTES,
  checkpointUploadReports,
  type CheckpointReports,
  type CheckpointUpload,
} from './checkpoint-upload.js';
export { CheckpointFetchError, checkpointFetcher, fetchCheckpoint, type FetchCheckpointOptions } from './checkpoint-fetch.js';
export { sha256Hex } from './sha256.js';
export { PushDispatcher } from './push-dispatcher.js';
export { collectTelemetry, readBattery, readTemperature } from './telemetry.js';
export type { EngineRunOptions, TrainingEngine } from './training-engine.js';
export { AGENT_VERSION } from './version.js';
