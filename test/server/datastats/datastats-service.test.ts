// The datastats store under concurrency and across coordinator nodes sharing one database (two service instances
// here): pieces of one report applied at once make one contribution, removal-set versions never repeat, and an
// aggregate cached by one node is recomputed once another node stored a contribution.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseTrainConfig } from '../../../client/src/engine/train/config.js';
import { trainConfigToJobSpec } from '../../../client/src/engine/train/job-spec.js';
import { ForgettingReportCadence, forgettingStatsChunks, forgettingStatsMessage, type ExampleStatistics } from '../../../protocol/src/index.js';
import { DatastatsRepository } from '../../../server/src/datastats/datastats.repository.js';
import { DatastatsService } from '../../../server/src/datastats/datastats.service.js';
import { JobReportService } from '../../../server/src/jobs/job-report.service.js';
import { JobService } from '../../../server/src/jobs/job.service.js';
import { DatabaseService } from '../../../server/src/storage/database.service.js';
import { createServiceHarness, type ServiceHarness } from '../support/service-harness.js';

const DATASET = { name: 'synthetic', contentHash: '0f'.repeat(32), size: 6 };

function everyExample(presentations: number): ExampleStatistics {
  const ids = Uint32Array.from([0, 1, 2, 3, 4, 5]);
  return { ids, presentations: ids.map(() => presentations), forgettingEvents: ids.map(() => 0), firstLearned: ids.map(() => 1) };
}

describe('DatastatsService', () => {
  let harness: ServiceHarness;
  let nodeA: DatastatsService;
  let nodeB: DatastatsService;
  let jobIds: string[];

  beforeEach(async () => {
    harness = await createServiceHarness();
    nodeA = harness.get(DatastatsService);
    nodeB = new DatastatsService(new DatastatsRepository(harness.get(DatabaseService)), harness.get(JobService), harness.get(JobReportService));
    await nodeA.registerDataset(DATASET);
    const spec = {
      ...trainConfigToJobSpec(parseTrainConfig({ model: 'mlp', data: { name: 'synthetic' } })),
      forgettingReporting: { cadence: ForgettingReportCadence.FORGETTING_REPORT_CADENCE_EPOCH, dataset: DATASET },
    };
    const jobs = harness.get(JobService);
    jobIds = [(await jobs.submit(spec, 'one')).id, (await jobs.submit(spec, 'two')).id];
  });

  afterEach(async () => {
    await harness.close();
  });

  function chunksOf(jobId: string, epoch: number, presentations: number) {
    const message = forgettingStatsMessage({ dataset: DATASET, epoch, final: false, epochsObserved: epoch, stats: everyExample(presentations) });
    return forgettingStatsChunks({ jobId, attempt: 1 }, message, 5);
  }

  it('makes one contribution from pieces applied at once on two nodes, every piece answered', async () => {
    const chunks = chunksOf(jobIds[0], 1, 1);
    const acks = await Promise.all([...chunks, ...chunks].map((chunk, i) => (i % 2 === 0 ? nodeA : nodeB).applyChunk(chunk, 'dev-1', DATASET)));
    expect(acks.some((ack) => ack.complete)).toBe(true);
    const detail = await nodeA.showDataset(DATASET.contentHash);
    expect(detail.contributions).toHaveLength(1);
    const db = harness.get(DatabaseService).db;
    expect(await db.selectFrom('forgetting_chunks').selectAll().execute()).toEqual([]);
  });

  it('recomputes an aggregate another node has added to', async () => {
    for (const chunk of chunksOf(jobIds[0], 1, 1)) await nodeA.applyChunk(chunk, 'dev-1', DATASET);
    expect((await nodeA.showDataset(DATASET.name)).summary).toMatchObject({ contributions: 1, jobs: 1, epochsObserved: 1 });
    for (const chunk of chunksOf(jobIds[1], 2, 2)) await nodeB.applyChunk(chunk, 'dev-2', DATASET);
    const summary = (await nodeA.showDataset(DATASET.name)).summary;
    expect(summary).toMatchObject({ contributions: 2, jobs: 2, devices: 2, epochsObserved: 3 });
    expect(await nodeA.exportCsv(DATASET.name)).toContain('\n0,3,0,0,0,2\n');
  });

  it('numbers removal sets created at once on two nodes 1, 2, 3, ... without a repeat', async () => {
    for (const chunk of chunksOf(jobIds[0], 1, 1)) await nodeA.applyChunk(chunk, 'dev-1', DATASET);
    const rule = { kind: 'fraction', fraction: 0.5, minEpochs: 1 } as const;
    const sets = await Promise.all([nodeA, nodeB, nodeA, nodeB].map((node) => node.createRemovalSet(DATASET.contentHash, rule)));
    expect(sets.map((set) => set.version).sort()).toEqual([1, 2, 3, 4]);
    // All ids tie at count 0: the first round(0.5 × 6) = 3 ids.
    expect([...(await nodeB.removalSetIds(sets[0].id))]).toEqual([0, 1, 2]);
    expect((await nodeA.newerRemovalSet(sets[0].id, 3))?.version).toBe(4);
    expect(await nodeA.newerRemovalSet(sets[0].id, 4)).toBeUndefined();
  });
});
