// The way job services reach devices: a JobPusher the gateway attaches at start (absent in service-only tests
// until one is attached). Pushes to a device this process has no connection to fail or are skipped.
import { Injectable, Logger } from '@nestjs/common';
import type { JobAccepted, JobAssignment, JobCancel } from '../../../protocol/src/index.js';

/** Delivers messages to devices over their live connection. */
export interface JobPusher {
  /** Whether this process holds a live connection to the device (only those are offered work). */
  isConnected(deviceId: string): boolean;
  /**
   * Whether this process received a frame from the device at or before `at` (ms, the coordinator's clock) and is
   * still handling it: the device spoke in time, the coordinator has not caught up yet. May also say so for a frame
   * that arrived later while an earlier one is still in hand (the gateway keeps a count and the start of the run of
   * frames in hand, not each arrival): the sweep then waits until that run is handled.
   */
  handlesFrameReceivedBy(deviceId: string, at: number): boolean;
  /** Whether a one-way message can be sent to the device: connected here, or possibly to another node. */
  isReachable(deviceId: string): boolean;
  /** Sends the assignment and returns the device's JobAccepted; rejects when it cannot be delivered. */
  push(deviceId: string, assignment: JobAssignment): Promise<JobAccepted>;
  /** Tells the device to stop a job; resolves once delivered (or rejects when it could not be). */
  cancel(deviceId: string, cancel: JobCancel): Promise<void>;
}

@Injectable()
export class DeviceChannel {
  private readonly logger = new Logger('Fleet');
  private pusher: JobPusher | undefined;

  attach(pusher: JobPusher | undefined): void {
    this.pusher = pusher;
  }

  get ready(): boolean {
    return this.pusher !== undefined;
  }

  isConnected(deviceId: string): boolean {
    return this.pusher?.isConnected(deviceId) ?? false;
  }

  handlesFrameReceivedBy(deviceId: string, at: number): boolean {
    return this.pusher?.handlesFrameReceivedBy(deviceId, at) ?? false;
  }

  push(deviceId: string, assignment: JobAssignment): Promise<JobAccepted> {
    if (!this.pusher) return Promise.reject(new Error('no device channel'));
    return this.pusher.push(deviceId, assignment);
  }

  /**
   * Best effort: a device that is not connected learns on its next Hello or Heartbeat. The pusher decides whether
   * the device is reachable (here, or on another node).
   */
  cancel(deviceId: string, jobId: string, reason: string): void {
    if (!this.pusher?.isReachable(deviceId)) return;
    this.pusher.cancel(deviceId, { jobId, reason }).then(
      () => this.logger.log(`[Fleet.JobCancel] device=${deviceId} job=${jobId}: ${reason}`),
      (error: unknown) =>
        this.logger.warn(`[Fleet.JobCancel] device=${deviceId} job=${jobId} not delivered: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
}
