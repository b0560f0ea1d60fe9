// The socket.io contract of the device channel: one binary event in each direction, acked with a binary frame.
import type { Server, Socket } from 'socket.io';
import type { Session } from '../common/session.types.js';

export type FrameAck = (reply: Uint8Array) => void;

export interface DeviceToServerEvents {
  sf: (frame: unknown, ack?: FrameAck) => void;
}

export interface ServerToDeviceEvents {
  sf: (frame: Uint8Array, ack?: (reply: unknown) => void) => void;
}

export interface DeviceSocketData {
  session?: Session;
  /** When this connection's last frame was handled (ms since the epoch). */
  lastHeardAt?: number;
  /** Frames received on this connection and not yet handled. */
  framesInHand?: number;
  /**
   * While frames are in hand: when the oldest of those received since none was last in hand arrived (ms on the
   * coordinator's clock). Never later than the oldest frame still in hand; two numbers instead of a list per frame.
   */
  inHandSince?: number;
}

/** Server-to-server events (used by clustering adapters): none. */
type NoServerSideEvents = Record<never, never>;

export type DeviceServer = Server<DeviceToServerEvents, ServerToDeviceEvents, NoServerSideEvents, DeviceSocketData>;
export type DeviceSocket = Socket<DeviceToServerEvents, ServerToDeviceEvents, NoServerSideEvents, DeviceSocketData>;

export function deviceRoom(deviceId: string): string {
  return `device:${deviceId}`;
}
