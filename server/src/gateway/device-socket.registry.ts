// Which socket currently speaks for each device, and the JobPusher that delivers assignments over it.
import { Inject, Injectable } from '@nestjs/common';
import type { JobAssignment, JobAccepted, JobCancel } from '../../../protocol/src/index.js';
import {
  DEVICE_CHANNEL_EVENT,
  ProtocolFault,
  decodeFrame,
  encodeMessage,
  encodeProtocolError,
  expectMessage,
} from '../../../protocol/src/index.js';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import type { JobPusher } from '../jobs/device-channel.js';
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

  /** Tells the device why, then drops its connection at once (e.g. DEVICE_REVOKED); false when none was live. */
  disconnectWith(deviceId: string, fault: ProtocolFault): boolean {
    const socket = this.sockets.get(deviceId);
    if (!socket) return false;
    this.sockets.delete(deviceId);
    if (socket.connected) {
      socket.emit(DEVICE_CHANNEL_EVENT, encodeProtocolError(fault.toProtocolError(), this.config.serverVersion));
      socket.disconnect(true);
    }
    return true;
  }

  /** Pushes JobCancel and waits for the device's ack (any reply counts as delivered). */
  cancel(deviceId: string, cancel: JobCancel): Promise<void> {
    return this.request(deviceId, 'cancel', encodeMessage('sparsefleet.v1.JobCancel', cancel, {
      senderVersion: this.config.serverVersion,
      requestId: `cancel-${cancel.jobId}`,
    })).then(() => undefined);
  }

  /** Sends the assignment and waits for the device's acked JobAccepted. */
  async push(deviceId: string, assignment: JobAssignment): Promise<JobAccepted> {
    const frame = encodeMessage('sparsefleet.v1.JobAssignment', assignment, {
      senderVersion: this.config.serverVersion,
      requestId: `assign-${assignment.jobId}-${assignment.attempt}`,
    });
    const reply = await this.request(deviceId, 'JobAccepted', frame);
    const accepted = expectMessage(decodeFrame(reply), 'sparsefleet.v1.JobAccepted');
    if (accepted.jobId !== assignment.jobId) throw new Error(`JobAccepted names job ${accepted.jobId}`);
    return accepted;
  }

  /**
   * Emits a frame and resolves with the device's ack. Like `socket.timeout(ms).emitWithAck`, but it also gives up
   * at once when the socket disconnects, so no timer outlives the connection.
   */
  private request(deviceId: string, awaiting: string, frame: Uint8Array): Promise<unknown> {
    const socket = this.sockets.get(deviceId);
    if (!socket) return Promise.reject(new Error(`device ${deviceId} is not connected`));
    const timeoutMs = this.config.assignmentAckTimeoutMs;
    return new Promise<unknown>((resolve, reject) => {
      const onDisconnect = (): void => settle(() => reject(new Error(`device disconnected before its ${awaiting}`)));
      const timer = setTimeout(() => settle(() => reject(new Error(`no ${awaiting} within ${timeoutMs} ms`))), timeoutMs);
      let settled = false;
      function settle(action: () => void): void {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket?.off('disconnect', onDisconnect);
        action();
      }
      socket.once('disconnect', onDisconnect);
      socket.emit(DEVICE_CHANNEL_EVENT, frame, (reply: unknown) => settle(() => resolve(reply)));
    });
  }
}
