// The messages that may travel in an Envelope, keyed by their fully qualified proto names.
import type { ProtoShape, ProtoTypeName } from './wire.js';

export const ENVELOPE_MESSAGE_TYPES = [
  'sparsefleet.v1.Ack',
  'sparsefleet.v1.ProtocolError',
  'sparsefleet.v1.EnrollRequest',
  'sparsefleet.v1.EnrollResponse',
  'sparsefleet.v1.HelloRequest',
  'sparsefleet.v1.HelloResponse',
  'sparsefleet.v1.Heartbeat',
  'sparsefleet.v1.HeartbeatAck',
  'sparsefleet.v1.JobAssignment',
  'sparsefleet.v1.JobAccepted',
  'sparsefleet.v1.JobCancel',
  'sparsefleet.v1.ProgressReport',
  'sparsefleet.v1.JobResult',
  'sparsefleet.v1.CheckpointChunk',
  'sparsefleet.v1.CheckpointCommit',
  'sparsefleet.v1.CheckpointFetchRequest',
  'sparsefleet.v1.CheckpointFetchResponse',
  'sparsefleet.v1.MaskUpdateChunk',
  'sparsefleet.v1.MaskUpdateAck',
  'sparsefleet.v1.MaskFetchRequest',
  'sparsefleet.v1.MaskFetchResponse',
  'sparsefleet.v1.ForgettingStatsChunk',
  'sparsefleet.v1.ForgettingStatsAck',
  'sparsefleet.v1.RemovalSetRequest',
  'sparsefleet.v1.RemovalSetReply',
  'sparsefleet.v1.FederatedModelFetchRequest',
  'sparsefleet.v1.FederatedModelFetchResponse',
  'sparsefleet.v1.FederatedUpdateChunk',
  'sparsefleet.v1.FederatedUpdateAck',
] as const satisfies readonly ProtoTypeName[];

export type MessageTypeName = (typeof ENVELOPE_MESSAGE_TYPES)[number];

/** The decoded TypeScript shape of the message named `N`. */
export type MessageOf<N extends MessageTypeName> = ProtoShape<N>;

const envelopeTypes: ReadonlySet<string> = new Set(ENVELOPE_MESSAGE_TYPES);

export function isMessageTypeName(name: string): name is MessageTypeName {
  return envelopeTypes.has(name);
}
