// Messages between the coordinator benchmark and one of its device-group child processes
// (bench/support/device-group-process.ts).
import type { LoopDelay } from './loop-delay.js';

export interface DeviceGroupSetup {
  /** Coordinator URLs; device i of the fleet talks to urls[i % urls.length]. */
  readonly urls: readonly string[];
  /** Fleet indexes of this group's devices: firstIndex, firstIndex + 1, … */
  readonly firstIndex: number;
  readonly count: number;
}

export type DeviceGroupCommand =
  | { readonly kind: 'enroll'; readonly enrollmentToken: string; readonly concurrency: number }
  | { readonly kind: 'connect'; readonly concurrency: number }
  | { readonly kind: 'window-start' }
  | { readonly kind: 'window-end' }
  | { readonly kind: 'job-count' }
  | { readonly kind: 'storm'; readonly deadlineMs: number }
  | { readonly kind: 'held' }
  | { readonly kind: 'stop' };

/** Devices that failed a step, and the first error seen (the rest are usually the same). */
export interface Failures {
  readonly failed: number;
  readonly firstError?: string;
}

export type DeviceGroupReply =
  | { readonly kind: 'enrolled'; readonly failures: Failures }
  | { readonly kind: 'connected'; readonly held: number; readonly failures: Failures; readonly heartbeatIntervalMs: number }
  | { readonly kind: 'window-started' }
  | {
      readonly kind: 'window';
      /** Round trips (ms) of the heartbeats sent in the window and answered with a HeartbeatAck. */
      readonly rtts: number[];
      readonly sent: number;
      /** No reply within the heartbeat timeout. */
      readonly missed: number;
      /** Answered with something other than a HeartbeatAck. */
      readonly refused: number;
      /** This device process's own event-loop delay over the window. */
      readonly loopDelay: LoopDelay;
    }
  | { readonly kind: 'job-count'; readonly done: number; readonly refused: number; readonly firstError?: string }
  | {
      readonly kind: 'storm';
      /** Epoch ms (performance.timeOrigin + now) of the first close and of the last HelloResponse. */
      readonly startedAt: number;
      readonly lastHelloAt: number;
      readonly reconnected: number;
      /** Handshakes or hellos that failed and were tried again (after a pause), and the first such error. */
      readonly retries: Failures;
      /** Handshakes refused by a busy coordinator with a retry delay, and retried after it (not in `retries`). */
      readonly toldToWait: number;
      readonly failures: Failures;
    }
  | { readonly kind: 'held'; readonly held: number; readonly unexpectedDisconnects: number }
  | { readonly kind: 'stopped' };
