// Which socket currently speaks for each device, and the JobPusher that delivers assignments over it.
import { Inject, Injectable } from '@nestjs/common';
import type { JobAssignment, JobAccepted } from '../../../generated/proto/sparsefleet/v1/job.js';
import { DEVICE_CHANNEL_EVENT, decodeFrame, encodeMessage, expectMessage } from '../../../protocol/src/index.js';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import type { JobPusher } from '../jobs/assignment.service.js';
import type { DeviceSocket } from './socket.types.js';

@Injectable()
export class DeviceSocketRegistry implements JobPusher {
  private readonly sockets = new Map<string, DeviceSocket>();

  constructor(@Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig) {}

  /** The newest connection of a device wins: pushes go to it. Returns the connection it replaced, if any. */
  bind(deviceId: string, socket: DeviceSocket): DeviceSocket | undefined {
    const previous = this.sockets.get(deviceId);
    this.sockets.set(deviceId, socket);
    return previous === socket ? undefined : previous;
  }

  /** Forgets the socket; false when a newer connection of the same device already replaced it. */
  unbind(deviceId: string, socket: DeviceSocket): boolean {
    if (this.sockets.get(deviceId) !== socket) return false;
    this.sockets.delete(deviceId);
    return true;
  }

  isConnected(deviceId: string): boolean {
    return this.sockets.has(deviceId);
  }

  /**
   * Sends the assignment and waits for the device's acked JobAccepted. Like `socket.timeout(ms).emitWithAck`,
   * but it also gives up at once when the socket disconnects, so no timer outlives the connection.
   */
  push(deviceId: string, assignment: JobAssignment): Promise<JobAccepted> {
    const socket = this.sockets.get(deviceId);
    if (!socket) return Promise.reject(new Error(`device ${deviceId} is not connected`));
    const frame = encodeMessage('sparsefleet.v1.JobAssignment', assignment, {
      senderVersion: this.config.serverVersion,
      requestId: `assign-${assignment.jobId}-${assignment.attempt}`,
    });
    const timeoutMs = this.config.assignmentAckTimeoutMs;
    return new Promise<JobAccepted>((resolve, reject) => {
      const onDisconnect = (): void => settle(() => reject(new Error('device disconnected before accepting')));
      const timer = setTimeout(
        () => settle(() => reject(new Error(`no JobAccepted within ${timeoutMs} ms`))),
        timeoutMs,
      );
      let settled = false;
      function settle(action: () => void): void {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket?.off('disconnect', onDisconnect);
        action();
      }
      socket.once('disconnect', onDisconnect);
      socket.emit(DEVICE_CHANNEL_EVENT, frame, (reply: unknown) =>
        settle(() => {
          try {
            const accepted = expectMessage(decodeFrame(reply), 'sparsefleet.v1.JobAccepted');
            if (accepted.jobId !== assignment.jobId) throw new Error(`JobAccepted names job ${accepted.jobId}`);
            resolve(accepted);
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        }),
      );
    });
  }
}
