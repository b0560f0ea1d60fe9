// Every message type of the wire contract, mapped to the handler a device may reach with it (null: the type is
// never a device request, e.g. replies and server pushes). Adding a message type forces a decision here.
import type { MessageOf, MessageTypeName } from '../../../protocol/src/index.js';
import type { CheckpointHandlers } from '../checkpoints/checkpoint.handlers.js';
import type { DeviceSession, EnrollmentSession, HandlerResult } from '../common/session.types.js';
import type { DeviceHandlers } from '../devices/device.handlers.js';
import type { JobHandlers } from '../jobs/job.handlers.js';
import type { DatastatsHandlers } from '../datastats/datastats.handlers.js';
import type { FederatedHandlers } from '../federated/federated.handlers.js';
import type { MaskHandlers } from '../masks/mask.handlers.js';
import type { PresenceHandlers } from '../devices/presence.handlers.js';

type Handler<N extends MessageTypeName, S> = (message: MessageOf<N>, session: S) => Promise<HandlerResult>;

export type Route<N extends MessageTypeName> =
  | { readonly session: 'enrollment'; readonly handle: Handler<N, EnrollmentSession> }
  | { readonly session: 'device'; readonly handle: Handler<N, DeviceSession> };

export type DispatchTable = { readonly [N in MessageTypeName]: Route<N> | null };

export interface DispatchDependencies {
  readonly devices: Pick<DeviceHandlers, 'enroll'> & Pick<PresenceHandlers, 'hello' | 'heartbeat'>;
  readonly jobs: Pick<JobHandlers, 'progress' | 'result'>;
  readonly checkpoints: Pick<CheckpointHandlers, 'chunk' | 'commit' | 'fetch'>;
  readonly masks: Pick<MaskHandlers, 'chunk' | 'fetch'>;
  readonly datastats: Pick<DatastatsHandlers, 'chunk' | 'removalSet'>;
  readonly federated: Pick<FederatedHandlers, 'fetchModel' | 'chunk'>;
}

export function buildDispatchTable({ devices, jobs, checkpoints, masks, datastats, federated }: DispatchDependencies): DispatchTable {
  return {
    'sparsefleet.v1.EnrollRequest': { session: 'enrollment', handle: (m, s) => devices.enroll(m, s) },
    'sparsefleet.v1.HelloRequest': { session: 'device', handle: (m, s) => devices.hello(m, s) },
    'sparsefleet.v1.Heartbeat': { session: 'device', handle: (m, s) => devices.heartbeat(m, s) },
    'sparsefleet.v1.ProgressReport': { session: 'device', handle: (m, s) => jobs.progress(m, s) },
    'sparsefleet.v1.JobResult': { session: 'device', handle: (m, s) => jobs.result(m, s) },
    'sparsefleet.v1.CheckpointChunk': { session: 'device', handle: (m, s) => checkpoints.chunk(m, s) },
    'sparsefleet.v1.CheckpointCommit': { session: 'device', handle: (m, s) => checkpoints.commit(m, s) },
    'sparsefleet.v1.CheckpointFetchRequest': { session: 'device', handle: (m, s) => checkpoints.fetch(m, s) },
    'sparsefleet.v1.Ack': null,
    'sparsefleet.v1.ProtocolError': null,
    'sparsefleet.v1.EnrollResponse': null,
    'sparsefleet.v1.HelloResponse': null,
    'sparsefleet.v1.HeartbeatAck': null,
    'sparsefleet.v1.JobAssignment': null,
    // JobAccepted travels only as the ack of a JobAssignment push, never as a request.
    'sparsefleet.v1.JobAccepted': null,
    'sparsefleet.v1.JobCancel': null,
    'sparsefleet.v1.CheckpointFetchResponse': null,
    'sparsefleet.v1.MaskUpdateChunk': { session: 'device', handle: (m, s) => masks.chunk(m, s) },
    'sparsefleet.v1.MaskFetchRequest': { session: 'device', handle: (m, s) => masks.fetch(m, s) },
    'sparsefleet.v1.MaskUpdateAck': null,
    'sparsefleet.v1.MaskFetchResponse': null,
    'sparsefleet.v1.ForgettingStatsChunk': { session: 'device', handle: (m, s) => datastats.chunk(m, s) },
    'sparsefleet.v1.ForgettingStatsAck': null,
    'sparsefleet.v1.RemovalSetRequest': { session: 'device', handle: (m, s) => datastats.removalSet(m, s) },
    'sparsefleet.v1.RemovalSetReply': null,
    'sparsefleet.v1.FederatedModelFetchRequest': { session: 'device', handle: (m, s) => federated.fetchModel(m, s) },
    'sparsefleet.v1.FederatedModelFetchResponse': null,
    'sparsefleet.v1.FederatedUpdateChunk': { session: 'device', handle: (m, s) => federated.chunk(m, s) },
    'sparsefleet.v1.FederatedUpdateAck': null,
  };
}
