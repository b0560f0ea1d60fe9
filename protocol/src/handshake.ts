// What a device sends in socket.io's handshake `auth` object, and how refusals come back.
// The handshake is socket.io's own CONNECT packet, so these two small objects are the only non-protobuf data on
// the device channel; every later payload is an Envelope.
import { ErrorCode } from '../../generated/proto/wire-types.js';

export type HandshakeAuth =
  | { readonly enrollmentToken: string }
  | { readonly deviceId: string; readonly credential: string };

/** `connect_error` data for a refused handshake: the protocol error code and its text name. */
export interface HandshakeRefusal {
  readonly code: ErrorCode;
  readonly codeName: string;
  readonly message: string;
  /**
   * Set on a RATE_LIMITED refusal from a coordinator too busy to set up more sessions now: connect again after this
   * many ms (already spread at random by the coordinator, so the refused devices do not come back together).
   */
  readonly retryAfterMs?: number;
}

export function isHandshakeRefusal(value: unknown): value is HandshakeRefusal {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as HandshakeRefusal).code === 'number' &&
    typeof (value as HandshakeRefusal).message === 'string'
  );
}
