// The coordinator's REST answers as the CLI reads them. Kept here (not imported from server/) because the CLI is a
// client of the HTTP contract: fields the CLI does not show are left out, and optional ones tolerate older servers.

export type Labels = Record<string, string>;

export interface CreateTokenRequest {
  maxUses?: number;
  ttlSeconds?: number;
  labels?: Labels;
}

export interface CreatedToken {
  id: string;
  token: string;
  expiresAt: string;
  maxUses: number;
}

export interface TokenSummary {
  id: string;
  prefix: string;
  uses: number;
  maxUses: number;
  expiresAt: string;
  revokedAt: string | null;
  labels?: Labels | null;
}

export interface DeviceFacts {
  platform?: string;
  arch?: string;
  cpuModel?: string;
  cores?: number;
  memoryBytes?: number;
  backendsAvailable?: string[];
  wasmSimd?: boolean;
  wasmThreads?: boolean;
  deviceModel?: string;
  agentVersion?: string;
  chosenBackend?: string;
  runtime?: string;
}

export interface DeviceTelemetry {
  freeMemoryBytes?: number;
  rssBytes?: number;
  loadAverage_1m?: number;
  /** Negative when the platform does not expose it. */
  temperatureCelsius?: number;
  /** 0..1, negative when unknown. */
  batteryLevel?: number;
  charging?: boolean;
}

export interface Device {
  id: string;
  displayName: string;
  state: string;
  facts: DeviceFacts;
  labels?: Labels | null;
  telemetry: DeviceTelemetry | null;
  currentJobId?: string | null;
  /** `GET /api/devices/:id` carries the whole job instead of its id. */
  currentJob?: { id: string; name?: string; state?: string } | null;
  onlineUntil: string | null;
  lastSeen?: string | null;
  chosenBackend?: string;
  createdAt?: string;
}

export interface JobSelector {
  labels?: Labels;
  backend?: string;
  minMemoryMb?: number;
}

export interface SubmitJobRequest {
  name?: string;
  config: unknown;
  selector?: JobSelector;
  maxAttempts?: number;
  checkpointEverySteps?: number;
  report?: { masks?: 'every' | 'final' | 'off'; fullMaskEvery?: number };
  initialMask?: { job: string; step: number };
}

/** GET /api/jobs/:id/mask-stats: churn and ITOP exploration rate per mask update. */
export interface MaskStats {
  jobId: string;
  updates: Array<{
    attempt: number;
    updateIndex: number;
    step: number;
    epoch: number;
    active: number;
    total: number;
    density: number;
    churn: number | null;
    itopRate: number | null;
  }>;
  diverged: Array<{ attempt: number; updateIndex: number; step: number; reason: string }>;
  storedBytes: number;
}

/** The parts of the wire TrainingJobSpec the CLI displays. */
export interface JobSpecSummary {
  model?: string;
  method?: string;
  scheme?: string;
  density?: number;
  epochs?: number;
  dataset?: { name?: string };
}

export const TERMINAL_JOB_STATES = ['succeeded', 'failed', 'cancelled'] as const;
export const JOB_STATE_NAMES = ['queued', 'assigned', 'running', ...TERMINAL_JOB_STATES] as const;

export interface Job {
  id: string;
  name: string;
  state: string;
  attempt: number;
  deviceId: string | null;
  waitingReason: string | null;
  spec: JobSpecSummary;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  maxAttempts?: number;
  selector?: JobSelector;
  /** What a device must offer (selector plus the memory estimate with headroom). */
  requirements?: { labels?: Labels; backend?: string; memoryBytes?: number };
  memoryEstimate?: { totalBytes: number } | null;
  leaseExpiresAt?: string | null;
}

export interface JobProgress {
  attempt: number;
  sequence: number;
  epoch: number;
  step: number;
  totalSteps: number;
  loss: number;
  trainAccuracy: number;
  /** Negative when not evaluated at this report. */
  testAccuracy: number;
  density: number;
  phase?: string;
  elapsedMs?: number;
  deviceId?: string;
  receivedAt?: string;
}

export interface JobResult {
  attempt: number;
  /** JobOutcome: 1 succeeded, 2 failed, 3 cancelled. */
  outcome: number | string;
  error?: string;
  backend?: string;
  dataSource?: string;
  syntheticData?: boolean;
  testAccuracy: number;
  testLoss: number;
  finalDensity: number;
  epochs?: number;
  steps?: number;
  wallMs?: number;
  deviceId?: string;
}

export function isTerminalJobState(state: string): boolean {
  return (TERMINAL_JOB_STATES as readonly string[]).includes(state);
}
