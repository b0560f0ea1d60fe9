// Settings of one coordinator instance, resolved once at start and injected where needed.

export type CoordinatorLogLevel = 'silent' | 'error' | 'warn' | 'log' | 'debug';

export interface CoordinatorConfig {
  readonly dataDir: string;
  readonly heartbeatIntervalMs: number;
  /** A device is online until `last heartbeat + patience × heartbeatIntervalMs`. */
  readonly heartbeatPatience: number;
  /** How long a pushed JobAssignment may wait for the device's JobAccepted. */
  readonly assignmentAckTimeoutMs: number;
  /** A job that needed this many attempts without finishing is failed instead of requeued. */
  readonly maxJobAttempts: number;
  readonly serverVersion: string;
}

/** Injection token of the CoordinatorConfig value. */
export const COORDINATOR_CONFIG = Symbol('COORDINATOR_CONFIG');

export const DEFAULT_HEARTBEAT_INTERVAL_MS = 5000;
export const SERVER_VERSION = '0.1.0';

export function resolveCoordinatorConfig(
  input: Partial<CoordinatorConfig> & { dataDir: string },
): CoordinatorConfig {
  return {
    dataDir: input.dataDir,
    heartbeatIntervalMs: input.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
    heartbeatPatience: input.heartbeatPatience ?? 3,
    assignmentAckTimeoutMs: input.assignmentAckTimeoutMs ?? 10_000,
    maxJobAttempts: input.maxJobAttempts ?? 5,
    serverVersion: input.serverVersion ?? SERVER_VERSION,
  };
}
