// The registry of every message that may travel in an Envelope, keyed by its fully qualified proto name.
import { Ack, ProtocolError } from '../../generated/proto/sparsefleet/v1/envelope.js';
import {
  EnrollRequest,
  EnrollResponse,
  Heartbeat,
  HeartbeatAck,
  HelloRequest,
  HelloResponse,
} from '../../generated/proto/sparsefleet/v1/device.js';
import {
  JobAccepted,
  JobAssignment,
  JobCancel,
  JobResult,
  ProgressReport,
} from '../../generated/proto/sparsefleet/v1/job.js';
import {
  CheckpointChunk,
  CheckpointCommit,
  CheckpointFetchRequest,
  CheckpointFetchResponse,
} from '../../generated/proto/sparsefleet/v1/checkpoint.js';
import {
  MaskFetchRequest,
  MaskFetchResponse,
  MaskUpdateAck,
  MaskUpdateChunk,
} from '../../generated/proto/sparsefleet/v1/mask.js';

export interface MessageCodec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
  fromPartial(object: Partial<T> | Record<string, unknown>): T;
}

export const MESSAGE_TYPES = {
  'sparsefleet.v1.Ack': Ack,
  'sparsefleet.v1.ProtocolError': ProtocolError,
  'sparsefleet.v1.EnrollRequest': EnrollRequest,
  'sparsefleet.v1.EnrollResponse': EnrollResponse,
  'sparsefleet.v1.HelloRequest': HelloRequest,
  'sparsefleet.v1.HelloResponse': HelloResponse,
  'sparsefleet.v1.Heartbeat': Heartbeat,
  'sparsefleet.v1.HeartbeatAck': HeartbeatAck,
  'sparsefleet.v1.JobAssignment': JobAssignment,
  'sparsefleet.v1.JobAccepted': JobAccepted,
  'sparsefleet.v1.JobCancel': JobCancel,
  'sparsefleet.v1.ProgressReport': ProgressReport,
  'sparsefleet.v1.JobResult': JobResult,
  'sparsefleet.v1.CheckpointChunk': CheckpointChunk,
  'sparsefleet.v1.CheckpointCommit': CheckpointCommit,
  'sparsefleet.v1.CheckpointFetchRequest': CheckpointFetchRequest,
  'sparsefleet.v1.CheckpointFetchResponse': CheckpointFetchResponse,
  'sparsefleet.v1.MaskUpdateChunk': MaskUpdateChunk,
  'sparsefleet.v1.MaskUpdateAck': MaskUpdateAck,
  'sparsefleet.v1.MaskFetchRequest': MaskFetchRequest,
  'sparsefleet.v1.MaskFetchResponse': MaskFetchResponse,
} as const;

export type MessageTypeName = keyof typeof MESSAGE_TYPES;

type CodecMessage<C> = C extends MessageCodec<infer T> ? T : never;

/** The decoded TypeScript shape of the message named `N`. */
export type MessageOf<N extends MessageTypeName> = CodecMessage<(typeof MESSAGE_TYPES)[N]>;

export function isMessageTypeName(name: string): name is MessageTypeName {
  return Object.prototype.hasOwnProperty.call(MESSAGE_TYPES, name);
}
