// The engine's removal option from a FLEET assignment, and its per-epoch refresh over RemovalSetRequest.
import { describe, expect, it, vi } from 'vitest';
import { RemovalSetError, fleetRemoval } from '../../client/src/agent/fleet-removal.js';
import {
  DataEfficiencySource,
  RemovalRefresh,
  removalSetMessage,
  withDefaults,
  type DatasetIdentity,
  type JobAssignment,
  type RemovalSet,
  type RemovalSetReply,
} from '../../protocol/src/index.js';

const DATASET: DatasetIdentity = { name: 'synthetic', contentHash: 'cd'.repeat(32), size: 100 };

function removalSet(version: number, removedIds: number[], dataset = DATASET): RemovalSet {
  return removalSetMessage({ id: `set-${version}`, version, dataset, removedIds: Uint32Array.from(removedIds) });
}

function assignment(source: DataEfficiencySource, refresh: RemovalRefresh, set: RemovalSet | undefined): JobAssignment {
  const spec = withDefaults('sparsefleet.v1.TrainingJobSpec', {
    model: 'mlp',
    dataEfficiency: withDefaults('sparsefleet.v1.DataEfficiency', { source, refresh, removalSetId: 'set-1' }),
  });
  return withDefaults('sparsefleet.v1.JobAssignment', { jobId: 'job-7', attempt: 1, spec, ...(set ? { removalSet: set } : {}) });
}

const FLEET = DataEfficiencySource.DATA_EFFICIENCY_SOURCE_FLEET;

describe('fleetRemoval', () => {
  it('is absent for jobs that do not train on a fleet set', () => {
    const local = assignment(DataEfficiencySource.DATA_EFFICIENCY_SOURCE_LOCAL, RemovalRefresh.REMOVAL_REFRESH_NEVER, removalSet(1, [1]));

    expect(fleetRemoval(local)).toBeUndefined();
  });

  it('decodes the assigned set, without refresh when the job never refreshes', () => {
    const request = vi.fn();

    const removal = fleetRemoval(assignment(FLEET, RemovalRefresh.REMOVAL_REFRESH_NEVER, removalSet(3, [0, 5, 99])), { request });

    expect(removal).toEqual({ removedIds: Uint32Array.from([0, 5, 99]), version: 3, dataset: DATASET });
    expect(request).not.toHaveBeenCalled();
  });

  it('fails clearly when the assignment carries no set, or an unreadable one', () => {
    expect(() => fleetRemoval(assignment(FLEET, RemovalRefresh.REMOVAL_REFRESH_NEVER, undefined))).toThrow(
      /fleet removal set set-1, but the assignment carries no removal set/,
    );
    const corrupt = { ...removalSet(1, [4, 8]), removed: { ...removalSet(1, [4, 8]).removed!, checksum: 1 } };
    expect(() => fleetRemoval(assignment(FLEET, RemovalRefresh.REMOVAL_REFRESH_NEVER, corrupt))).toThrow(RemovalSetError);
  });

  it('refreshes per epoch: asks with the known version and takes a newer set of the same data', async () => {
    const replies: RemovalSetReply[] = [{ changed: false }, { changed: true, removalSet: removalSet(2, [7]) }];
    const request = vi.fn(async () => replies.shift()!);
    const removal = fleetRemoval(assignment(FLEET, RemovalRefresh.REMOVAL_REFRESH_EPOCH, removalSet(1, [1, 2])), { request });

    const unchanged = await removal!.refresh!(1, 1);
    const newer = await removal!.refresh!(2, 1);

    expect(request.mock.calls).toEqual([[{ jobId: 'job-7', knownVersion: 1 }], [{ jobId: 'job-7', knownVersion: 1 }]]);
    expect(unchanged).toBeUndefined();
    expect(newer).toEqual({ removedIds: Uint32Array.from([7]), version: 2, dataset: DATASET });
  });

  it('keeps the current set when the coordinator is unreachable or offers another data set', async () => {
    const failures: string[] = [];
    const other = { ...DATASET, contentHash: 'ef'.repeat(32) };
    const request = vi
      .fn<() => Promise<RemovalSetReply>>()
      .mockRejectedValueOnce(new Error('not connected to the coordinator'))
      .mockResolvedValueOnce({ changed: true, removalSet: removalSet(5, [3], other) });
    const removal = fleetRemoval(assignment(FLEET, RemovalRefresh.REMOVAL_REFRESH_EPOCH, removalSet(1, [1])), {
      request,
      onRefreshFailed: (reason) => failures.push(reason),
    });

    expect(await removal!.refresh!(1, 1)).toBeUndefined();
    expect(await removal!.refresh!(2, 1)).toBeUndefined();
    expect(failures).toEqual(['not connected to the coordinator', 'the coordinator offered removal set set-5 of another data set']);
  });
});
