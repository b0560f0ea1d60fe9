// The agent and fleet data efficiency, against the fake coordinator: forgetting statistics go out as
// ForgettingStatsChunk reports through the outbox (in order before the result, resent after a lost link, dropped for
// good after a final refusal), the run gets the job's reporting cadence, expected data set and removal set, and a
// refresh at an epoch boundary asks the coordinator for a newer set.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Agent } from '../../client/src/agent/agent.js';
import {
  DataEfficiencySource,
  ErrorCode,
  ForgettingReportCadence,
  JobOutcome,
  RemovalRefresh,
  decodeForgettingStats,
  joinBodyChunks,
  readForgettingStats,
  removalSetMessage,
  withDefaults,
  type ForgettingStatsChunk,
  type TrainingJobSpec,
} from '../../protocol/src/index.js';
import { FakeCoordinator } from './fake-coordinator.js';
import { FakeEngine } from './fake-engine.js';
import { FIXTURE_DATASET, forgettingReport } from './forgetting-fixtures.js';

const FAST_BACKOFF = { reconnectionDelayMs: 20, reconnectionDelayMaxMs: 100, randomizationFactor: 0.2 };
const DATASET = FIXTURE_DATASET;

async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function reportingSpec(cadence: ForgettingReportCadence): Partial<TrainingJobSpec> {
  return { model: 'mlp', forgettingReporting: { cadence, dataset: DATASET } };
}

describe('Agent with fleet data efficiency', () => {
  let coordinator: FakeCoordinator;
  let dir: string;
  let agent: Agent;
  let engine: FakeEngine;
  let warnings: string[];

  beforeEach(async () => {
    coordinator = await FakeCoordinator.start();
    dir = await mkdtemp(join(tmpdir(), 'sf-agent-de-'));
    engine = new FakeEngine();
    agent = new Agent({
      server: coordinator.url,
      enrollmentToken: 'good-token',
      statePath: join(dir, 'agent.json'),
      engine,
      backoff: FAST_BACKOFF,
      requestTimeoutMs: 2000,
      checkpointChunkBytes: 200,
    });
    warnings = [];
    agent.on('warning', (message) => warnings.push(message));
    await agent.start();
  });

  afterEach(async () => {
    await agent.stop();
    await coordinator.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The distinct pieces received for one epoch, joined and decoded. */
  function receivedStats(epoch: number) {
    const pieces = new Map<number, ForgettingStatsChunk>();
    for (const chunk of coordinator.messages('sparsefleet.v1.ForgettingStatsChunk')) if (chunk.epoch === epoch) pieces.set(chunk.chunkIndex, chunk);
    return readForgettingStats(decodeForgettingStats(joinBodyChunks([...pieces.values()])));
  }

  it('sends each epoch report as chunks before the result, and runs with the cadence and expected data set', async () => {
    engine.script = {
      steps: 4,
      forgetting: [
        { step: 2, report: forgettingReport(1) },
        { step: 4, report: forgettingReport(2, true) },
      ],
      resultExtras: { examplesSeen: 2000 },
    };

    await coordinator.assign(agent.deviceId!, 'job-1', reportingSpec(ForgettingReportCadence.FORGETTING_REPORT_CADENCE_EPOCH));
    await until(() => coordinator.results('job-1').length === 1);

    expect(engine.runOptions[0]).toMatchObject({ forgettingReport: 'epoch', expectedDataset: DATASET });
    expect(engine.runOptions[0]?.removal).toBeUndefined();
    const types = coordinator.received.map((entry) => entry.type);
    const lastChunk = types.lastIndexOf('sparsefleet.v1.ForgettingStatsChunk');
    expect(lastChunk).toBeGreaterThan(-1);
    expect(lastChunk).toBeLessThan(types.indexOf('sparsefleet.v1.JobResult'));
    // checkpointChunkBytes 200 also sizes the statistics pieces: each report takes several.
    const chunks = coordinator.messages('sparsefleet.v1.ForgettingStatsChunk');
    expect(new Set(chunks.filter((c) => c.epoch === 2).map((c) => c.chunkIndex)).size).toBeGreaterThan(1);
    expect(receivedStats(1).epochsObserved).toBe(1);
    const final = receivedStats(2);
    expect([final.final, final.epochsObserved]).toEqual([true, 2]);
    expect(final.stats.forgettingEvents).toEqual(forgettingReport(2).stats.forgettingEvents);
    expect(coordinator.results('job-1')[0]).toMatchObject({ outcome: JobOutcome.JOB_OUTCOME_SUCCEEDED, examplesSeen: 2000 });
  });

  it('resends a statistics piece lost with the link after reconnecting, and the pieces still make the report', async () => {
    engine.script = { steps: 3, forgetting: [{ step: 2, report: forgettingReport(1, true) }] };
    coordinator.dropForgettingOnce.add('1|1');

    await coordinator.assign(agent.deviceId!, 'job-2', reportingSpec(ForgettingReportCadence.FORGETTING_REPORT_CADENCE_FINAL));
    await until(() => coordinator.results('job-2').length === 1);
    await until(() => agent.outbox.pending === 0);

    const pieceOne = coordinator.messages('sparsefleet.v1.ForgettingStatsChunk').filter((c) => c.chunkIndex === 1);
    expect(pieceOne).toHaveLength(2);
    expect(pieceOne[1]).toEqual(pieceOne[0]);
    expect(coordinator.messages('sparsefleet.v1.HelloRequest').length).toBeGreaterThanOrEqual(2);
    expect(receivedStats(1).stats.ids).toEqual(forgettingReport(1).stats.ids);
  });

  it('drops the statistics for good after a final refusal, warns once and still reports the result', async () => {
    engine.script = {
      steps: 4,
      forgetting: [
        { step: 1, report: forgettingReport(1) },
        { step: 3, report: forgettingReport(2) },
      ],
    };
    coordinator.refuseForgetting = ErrorCode.ERROR_CODE_DATASET_MISMATCH;

    await coordinator.assign(agent.deviceId!, 'job-3', reportingSpec(ForgettingReportCadence.FORGETTING_REPORT_CADENCE_EPOCH));
    await until(() => coordinator.results('job-3').length === 1);

    // One piece was tried, the rest of epoch 1 dropped, epoch 2 never made.
    const chunks = coordinator.messages('sparsefleet.v1.ForgettingStatsChunk');
    expect(chunks.map((c) => [c.epoch, c.chunkIndex])).toEqual([[1, 0]]);
    const refusals = warnings.filter((w) => w.includes('refused the forgetting statistics'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toContain('DATASET_MISMATCH');
    expect(coordinator.results('job-3')[0]?.outcome).toBe(JobOutcome.JOB_OUTCOME_SUCCEEDED);
  });

  it('fails the attempt with the reason when the run refuses the data set', async () => {
    engine.script = { steps: 0, failWith: "data set mismatch: the job's data set synthetic has hash abab…, the loaded data cdcd…" };

    await coordinator.assign(agent.deviceId!, 'job-4', reportingSpec(ForgettingReportCadence.FORGETTING_REPORT_CADENCE_EPOCH));
    await until(() => coordinator.results('job-4').length === 1);

    expect(coordinator.results('job-4')[0]).toMatchObject({ outcome: JobOutcome.JOB_OUTCOME_FAILED, error: expect.stringContaining('data set mismatch') });
  });

  it('trains on the assigned removal set and picks up a newer one at an epoch boundary', async () => {
    const set = (version: number, ids: number[]) => removalSetMessage({ id: `set-${version}`, version, dataset: DATASET, removedIds: Uint32Array.from(ids) });
    engine.script = { steps: 4, refreshAtSteps: [2, 4], resultExtras: { removedExamples: 3, removalSetVersion: 2 } };
    const spec: Partial<TrainingJobSpec> = {
      model: 'mlp',
      dataEfficiency: withDefaults('sparsefleet.v1.DataEfficiency', {
        source: DataEfficiencySource.DATA_EFFICIENCY_SOURCE_FLEET,
        removalSetId: 'set-1',
        refresh: RemovalRefresh.REMOVAL_REFRESH_EPOCH,
      }),
    };

    // At step 2 the coordinator has nothing newer; by step 4 it has version 2.
    coordinator.removalSets.push(set(1, [4, 9]), set(2, [4, 9, 10]));
    await coordinator.assign(agent.deviceId!, 'job-5', spec, { removalSet: set(1, [4, 9]) });
    await until(() => coordinator.results('job-5').length === 1);

    expect(engine.runOptions[0]?.removal).toMatchObject({ removedIds: Uint32Array.from([4, 9]), version: 1, dataset: DATASET });
    expect(coordinator.messages('sparsefleet.v1.RemovalSetRequest')).toEqual([
      { jobId: 'job-5', knownVersion: 1 },
      { jobId: 'job-5', knownVersion: 1 },
    ]);
    expect(engine.refreshed).toEqual([undefined, { removedIds: Uint32Array.from([4, 9, 10]), version: 2, dataset: DATASET }]);
    expect(coordinator.results('job-5')[0]).toMatchObject({ removedExamples: 3, removalSetVersion: 2 });
  });

  it('fails a fleet job whose assignment carries no removal set', async () => {
    const spec: Partial<TrainingJobSpec> = {
      model: 'mlp',
      dataEfficiency: withDefaults('sparsefleet.v1.DataEfficiency', { source: DataEfficiencySource.DATA_EFFICIENCY_SOURCE_FLEET, removalSetId: 'set-9' }),
    };

    await coordinator.assign(agent.deviceId!, 'job-6', spec);
    await until(() => coordinator.results('job-6').length === 1);

    expect(coordinator.results('job-6')[0]).toMatchObject({
      outcome: JobOutcome.JOB_OUTCOME_FAILED,
      error: expect.stringContaining('carries no removal set'),
    });
    expect(engine.runOptions).toEqual([]);
  });
});
