// Fleet data efficiency on the device: the removal set a job was assigned with (JobAssignment.removal_set, when
// spec.data_efficiency.source is FLEET) becomes the engine's `removal` option. With refresh EPOCH the engine asks at
// each epoch boundary whether a newer set exists (RemovalSetRequest{jobId, knownVersion}); when the coordinator is
// unreachable or answers with an error, the run keeps the set it has: a refresh is an improvement, never a reason
// to stop training.
import {
  DataEfficiencySource,
  RemovalRefresh,
  readRemovalSet,
  sameDatasetIdentity,
  type JobAssignment,
  type RemovalSet,
  type RemovalSetReply,
  type RemovalSetRequest,
} from '../../../protocol/src/index.js';
import { errorText } from './errors.js';
import type { FleetRemoval, FleetRemovalSet } from '../engine/train/fleet-removal.js';

export type RemovalSetRequester = (request: RemovalSetRequest) => Promise<RemovalSetReply>;

/** The assignment asks for fleet data efficiency but its removal set is missing or unreadable. */
export class RemovalSetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemovalSetError';
  }
}

/** True when the spec trains on a fleet removal set. */
export function usesFleetRemoval(assignment: JobAssignment): boolean {
  return assignment.spec?.dataEfficiency?.source === DataEfficiencySource.DATA_EFFICIENCY_SOURCE_FLEET;
}

export interface FleetRemovalOptions {
  /** Asks the coordinator for a newer set; absent = this agent cannot refresh (the job keeps its set). */
  readonly request?: RemovalSetRequester;
  /** Told when a refresh failed (the run goes on with the set it has). */
  readonly onRefreshFailed?: (reason: string) => void;
}

/**
 * The engine's removal option for a FLEET assignment, or undefined for any other. Throws RemovalSetError when the
 * assignment carries no set or one that does not decode.
 */
export function fleetRemoval(assignment: JobAssignment, options: FleetRemovalOptions = {}): FleetRemoval | undefined {
  if (!usesFleetRemoval(assignment)) return undefined;
  const efficiency = assignment.spec?.dataEfficiency;
  if (assignment.removalSet === undefined) {
    const named = efficiency?.removalSetId ? ` ${efficiency.removalSetId}` : '';
    throw new RemovalSetError(`the job trains on fleet removal set${named}, but the assignment carries no removal set`);
  }
  const initial = decodeRemovalSet(assignment.removalSet);
  if (efficiency?.refresh !== RemovalRefresh.REMOVAL_REFRESH_EPOCH || options.request === undefined) return initial;
  const request = options.request;
  const jobId = assignment.jobId;
  return {
    ...initial,
    refresh: async (_atEpoch, version) => {
      try {
        const reply = await request({ jobId, knownVersion: version });
        if (!reply.changed || reply.removalSet === undefined) return undefined;
        const next = decodeRemovalSet(reply.removalSet);
        if (!sameDatasetIdentity(next.dataset, initial.dataset)) {
          options.onRefreshFailed?.(`the coordinator offered removal set ${reply.removalSet.id} of another data set`);
          return undefined;
        }
        return next.version > version ? next : undefined;
      } catch (error) {
        options.onRefreshFailed?.(errorText(error));
        return undefined;
      }
    },
  };
}

function decodeRemovalSet(message: RemovalSet): FleetRemovalSet {
  try {
    const { removedIds, version, dataset } = readRemovalSet(message);
    return { removedIds, version, dataset };
  } catch (error) {
    throw new RemovalSetError(`removal set ${message.id || '(no id)'} is unreadable: ${errorText(error)}`);
  }
}
