// Public surface of the edge agent (used by the CLI, the simulated fleet and tests).
export { Agent, type AgentEvents, type AgentOptions } from './agent.js';
export { normalizeServer, startingCredential } from './starting-credential.js';
export { DeviceConnection, backoffDelay, DEFAULT_BACKOFF, NotConnectedError, type BackoffOptions } from './connection.js';
export { CredentialStore, CredentialStoreError, defaultStatePath, type StoredCredential } from './credential-store.js';
export { AgentFatalError, isFatalRefusalCode } from './errors.js';
export { collectDeviceFacts, readDeviceTreeModel, type BackendSummary, type FactsOptions } from './facts.js';
export { JobRunner, type JobFinished, type JobStarted } from './job-runner.js';
export { Outbox, ReportRejectedError, reportKey, type OutboundReport, type ReportSender } from './outbox.js';
export { PushDispatcher } from './push-dispatcher.js';
export { collectTelemetry, readBattery, readTemperature } from './telemetry.js';
export type { TrainingEngine } from './training-engine.js';
export { AGENT_VERSION } from './version.js';
