// What a simulated fleet reports about its agents. Plain data only: the events cross worker_threads boundaries
// (structured clone), so they carry no class instances.
import type { BackoffOptions } from '../agent/connection.js';
import type { Agent } from '../agent/agent.js';
import type { TrainProgress, TrainResult } from '../engine/train/types.js';

export type FleetEvent =
  | { readonly kind: 'enrolled'; readonly index: number; readonly deviceId: string }
  | { readonly kind: 'connected'; readonly index: number; readonly deviceId: string; readonly backend: string }
  | { readonly kind: 'disconnected'; readonly index: number; readonly reason: string }
  | { readonly kind: 'unreachable'; readonly index: number; readonly error: string; readonly attempt: number }
  | { readonly kind: 'job-started'; readonly index: number; readonly deviceId: string; readonly jobId: string; readonly attempt: number }
  | {
      readonly kind: 'job-progress';
      readonly index: number;
      readonly deviceId: string;
      readonly jobId: string;
      readonly progress: TrainProgress;
    }
  | {
      readonly kind: 'job-finished';
      readonly index: number;
      readonly deviceId: string;
      readonly jobId: string;
      readonly outcome: 'succeeded' | 'failed' | 'cancelled';
      readonly error?: string;
      readonly result?: TrainResult;
    }
  | {
      readonly kind: 'checkpoint-committed';
      readonly index: number;
      readonly deviceId: string;
      readonly jobId: string;
      readonly attempt: number;
      readonly step: number;
    }
  | { readonly kind: 'warning'; readonly index: number; readonly message: string }
  | { readonly kind: 'error'; readonly index: number; readonly message: string; readonly codeName: string }
  | { readonly kind: 'stopped'; readonly index: number };

/** Everything one simulated agent needs; cloneable, so it can be a Worker's workerData. */
export interface SimAgentConfig {
  readonly index: number;
  readonly server: string;
  readonly enrollmentToken?: string;
  readonly statePath: string;
  readonly backend?: string;
  readonly displayName: string;
  readonly deviceModel: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly backoff?: Partial<BackoffOptions>;
  readonly progressEverySteps?: number;
  readonly checkpointEverySteps?: number;
}

/** Parent → worker. 'kill' stops like a crash (no goodbye, no result for the running job). */
export type WorkerCommand = { readonly kind: 'stop' } | { readonly kind: 'kill' };

/** Subscribes to an agent and re-emits what happens as FleetEvents. */
export function forwardAgentEvents(agent: Agent, index: number, post: (event: FleetEvent) => void): void {
  const deviceId = (): string => agent.deviceId ?? '';
  agent.on('enrolled', (id) => post({ kind: 'enrolled', index, deviceId: id }));
  agent.on('connected', (id) => post({ kind: 'connected', index, deviceId: id, backend: agent.backend?.name ?? '' }));
  agent.on('disconnected', (reason) => post({ kind: 'disconnected', index, reason }));
  agent.on('unreachable', (error, attempt) => post({ kind: 'unreachable', index, error, attempt }));
  agent.on('job-started', (job) =>
    post({ kind: 'job-started', index, deviceId: deviceId(), jobId: job.jobId, attempt: job.attempt }),
  );
  agent.on('job-progress', (jobId, progress) => post({ kind: 'job-progress', index, deviceId: deviceId(), jobId, progress }));
  agent.on('job-finished', (job) =>
    post({
      kind: 'job-finished',
      index,
      deviceId: deviceId(),
      jobId: job.jobId,
      outcome: job.outcome,
      error: job.error,
      result: job.result,
    }),
  );
  agent.on('checkpoint-committed', (checkpoint) =>
    post({ kind: 'checkpoint-committed', index, deviceId: deviceId(), jobId: checkpoint.jobId, attempt: checkpoint.attempt, step: checkpoint.step }),
  );
  agent.on('warning', (message) => post({ kind: 'warning', index, message }));
  agent.on('error', (error) => post({ kind: 'error', index, message: error.message, codeName: error.codeName }));
}
