// Which socket currently speaks for each device on this node, and the JobPusher that delivers assignments over it.
// A device connected to another coordinator node is reached through the socket.io adapter and the device's room
// (one-way messages only: cancels and revocations; assignments go only to this node's own devices).
import { Inject, Injectable, Optional } from '@nestjs/common';
import { CLOCK, realClock, type Clock } from '../common/clock.js';
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
import { deviceRoom, type DeviceServer, type DeviceSocket } from './socket.types.js';

@Injectable()
export class DeviceSocketRegistry implements JobPusher {
  private readonly sockets = new Map<string, DeviceSocket>();
  private server: DeviceServer | undefined;

  constructor(
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = realClock,
  ) {}

  /** The device channel's server, through which devices held by other nodes are reached. */
  attachServer(server: DeviceServer): void {
    this.server = server;
  }

  /**
   * Drops every other connection of the device, on any node (the device reconnected through another node while an
   * old connection there is still open): only the newest connection may speak for a device. The adapter applies
   * it here only after publishing it, so the new socket is named as the exception.
   */
  dropOtherConnections(deviceId: string, newest: DeviceSocket): void {
    if (this.config.redisUrl) this.server?.in(deviceRoom(deviceId)).except(newest.id).disconnectSockets(true);
  }

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

  handlesFrameReceivedBy(deviceId: string, at: number): boolean {
    const data = this.sockets.get(deviceId)?.data;
    return data !== undefined && (data.framesInHand ?? 0) > 0 && (data.inHandSince ?? Infinity) <= at;
  }

  isReachable(deviceId: string): boolean {
    return this.sockets.has(deviceId) || (this.config.redisUrl !== undefined && this.server !== undefined);
  }

  /**
   * Tells the device why, then drops its connection at once (e.g. DEVICE_REVOKED); false when this node held no
   * live connection (one held by another node is dropped through the adapter).
   */
  disconnectWith(deviceId: string, fault: ProtocolFault): boolean {
    const socket = this.sockets.get(deviceId);
    if (!socket) {
      if (this.config.redisUrl && this.server) {
        const room = this.server.to(deviceRoom(deviceId));
        room.emit(DEVICE_CHANNEL_EVENT, encodeProtocolError(fault.toProtocolError(), this.config.serverVersion));
        this.server.in(deviceRoom(deviceId)).disconnectSockets(true);
      }
      return false;
    }
    this.sockets.delete(deviceId);
    if (socket.connected) {
      socket.emit(DEVICE_CHANNEL_EVENT, encodeProtocolError(fault.toProtocolError(), this.config.serverVersion));
      socket.disconnect(true);
    }
    return true;
  }

  /**
   * Pushes JobCancel and waits for the device's ack (any reply counts as delivered). A device held by another node
   * gets it through the adapter, unacknowledged: it would also learn from its next Hello or Heartbeat.
   */
  cancel(deviceId: string, cancel: JobCancel): Promise<void> {
    const frame = encodeMessage('sparsefleet.v1.JobCancel', cancel, {
      senderVersion: this.config.serverVersion,
      requestId: `cancel-${cancel.jobId}`,
    });
    if (!this.sockets.has(deviceId) && this.config.redisUrl && this.server) {
      this.server.to(deviceRoom(deviceId)).emit(DEVICE_CHANNEL_EVENT, frame);
      return Promise.resolve();
    }
    return this.request(deviceId, 'cancel', frame).then(() => undefined);
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
      const timer = this.clock.setTimeout(() => settle(() => reject(new Error(`no ${awaiting} within ${timeoutMs} ms`))), timeoutMs);
      let settled = false;
      const clock = this.clock;
      function settle(action: () => void): void {
        if (settled) return;
        settled = true;
        clock.clearTimeout(timer);
        socket?.off('disconnect', onDisconnect);
        action();
      }
      socket.once('disconnect', onDisconnect);
      socket.emit(DEVICE_CHANNEL_EVENT, frame, (reply: unknown) => settle(() => resolve(reply)));
    });
  }
}
