// Fleet data efficiency on a real coordinator (issue 11): register a data set over REST, jobs that report forgetting
// statistics, raw devices that send them in pieces (any order, resends), bad input answered with a code and nothing
// stored, the merged view, CSV export and HTML report, removal sets created by rules, and jobs that train on them
// (the assignment carries the set; RemovalSetRequest refreshes it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CountColumnForm,
  DataEfficiencySource,
  ErrorCode,
  ForgettingReportCadence,
  RemovalRefresh,
  expectMessage,
  forgettingStatsChunks,
  forgettingStatsMessage,
  readRemovalSet,
  type ExampleStatistics,
  type ForgettingStats,
  type ForgettingStatsChunk,
} from '../../../protocol/src/index.js';
import {
  DatasetDetailDto,
  DatasetSummaryDto,
  DatastatsListDto,
  JobDto,
  RemovalSetDto,
  RemovalSetIdsDto,
  RemovalSetListDto,
} from '../../../server/src/api/dto/index.js';
import { extractEmbeddedDatastats, extractEmbeddedDatastatsCharts } from '../../../server/src/datastats/datastats-report.js';
import { MAX_FORGETTING_STATS_BYTES } from '../../../server/src/datastats/datastats.service.js';
import { DatabaseService } from '../../../server/src/storage/database.service.js';
import { api, rawApi, request, startTestCoordinator, type TestCoordinator } from '../support/coordinator-harness.js';
import { errorCodeOf, jobResult, nthAssignment, onlineDevice, type OnlineDevice } from '../support/job-messages.js';
import { apiDto } from '../support/rest-dto.js';

const HASH = 'ab'.repeat(32);
const OTHER_HASH = 'cd'.repeat(32);
const DATASET = { name: 'synthetic', contentHash: HASH, size: 12 };
const CONFIG = { model: 'mlp', data: { name: 'synthetic', trainLimit: 12 }, epochs: 12, maxSteps: 6 };

function stats(rows: ReadonlyArray<readonly [id: number, presentations: number, events: number, firstLearned: number]>): ExampleStatistics {
  return {
    ids: Uint32Array.from(rows, (r) => r[0]),
    presentations: Uint32Array.from(rows, (r) => r[1]),
    forgettingEvents: Uint32Array.from(rows, (r) => r[2]),
    firstLearned: Uint32Array.from(rows, (r) => r[3]),
  };
}

// Job A (device a) after 1 and after 2 epochs over ids 0..7; job B (device b) after 1 epoch over ids 4..11.
const A_EPOCH_1 = stats([[0, 1, 0, 1], [1, 1, 0, 1], [2, 1, 0, 0], [3, 1, 0, 0], [4, 1, 0, 1], [5, 1, 0, 1], [6, 1, 0, 0], [7, 1, 0, 1]]);
const A_EPOCH_2 = stats([[0, 2, 0, 1], [1, 2, 1, 1], [2, 2, 0, 2], [3, 2, 0, 0], [4, 2, 1, 1], [5, 2, 0, 1], [6, 2, 0, 0], [7, 2, 0, 1]]);
const B_EPOCH_1 = stats([[4, 1, 0, 1], [5, 1, 0, 0], [6, 1, 0, 1], [7, 1, 0, 1], [8, 1, 0, 1], [9, 1, 0, 1], [10, 1, 0, 0], [11, 1, 0, 1]]);

/** The merged statistics worked out by hand (A's epoch-2 report supersedes its epoch-1 report). */
const EXPECTED_CSV = `id,presentations,forgetting_events,first_learned_epoch,forgetting_count,contributors
0,2,0,0,0,1
1,2,1,0,1,1
2,2,0,1,0,1
3,2,0,,2,1
4,3,1,0,1,2
5,3,0,0,0,2
6,3,0,0,0,2
7,3,0,0,0,2
8,1,0,0,0,1
9,1,0,0,0,1
10,1,0,,1,1
11,1,0,0,0,1
`;

function statsMessage(epoch: number, content: ExampleStatistics, dataset = DATASET, final = false): ForgettingStats {
  return forgettingStatsMessage({ dataset, epoch, final, epochsObserved: epoch, stats: content });
}

async function send(device: OnlineDevice, chunk: ForgettingStatsChunk) {
  return request(device.socket, 'sparsefleet.v1.ForgettingStatsChunk', chunk);
}

describe('fleet forgetting statistics and removal sets', () => {
  let test: TestCoordinator;
  let a: OnlineDevice;
  let b: OnlineDevice;
  let c: OnlineDevice;
  let d: OnlineDevice;
  let jobA: string;
  let jobB: string;

  async function submit(device: OnlineDevice, extra: Record<string, unknown>) {
    return api<{ id: string; message?: string }>(test, 'POST', '/api/jobs', { config: CONFIG, selector: { deviceId: device.deviceId }, ...extra });
  }

  async function storedRows(jobId: string, epoch: number) {
    const db = test.coordinator.app.get(DatabaseService).db;
    const chunks = await db.selectFrom('forgetting_chunks').selectAll().where('job_id', '=', jobId).where('epoch', '=', epoch).execute();
    const contributions = await db.selectFrom('forgetting_contributions').selectAll().where('job_id', '=', jobId).where('epoch', '=', epoch).execute();
    return { chunks: chunks.length, contributions: contributions.length };
  }

  beforeAll(async () => {
    test = await startTestCoordinator();
    [a, b, c, d] = [await onlineDevice(test, 'a'), await onlineDevice(test, 'b'), await onlineDevice(test, 'c'), await onlineDevice(test, 'd')];
  });

  afterAll(async () => {
    for (const device of [a, b, c, d]) device?.socket.close();
    await test?.stop();
  });

  it('refuses a reporting job until its data set is registered, then registers idempotently (409 on another size)', async () => {
    const refused = await submit(a, { report: { forgetting: 'epoch' } });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toMatch(/no data set named synthetic is registered.*POST \/api\/datastats\/datasets/);

    const registered = await apiDto(test, DatasetSummaryDto, 'POST', '/api/datastats/datasets', DATASET);
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ ...DATASET, contributions: 0, jobs: 0, devices: 0, coveredExamples: 0, epochsObserved: 0 });
    expect((await api(test, 'POST', '/api/datastats/datasets', DATASET)).status).toBe(201);
    expect((await api(test, 'POST', '/api/datastats/datasets', { ...DATASET, size: 13 })).status).toBe(409);
    expect((await api(test, 'POST', '/api/datastats/datasets', { ...DATASET, contentHash: 'XYZ' })).status).toBe(400);
    expect((await api(test, 'GET', '/api/datastats/no-such-set')).status).toBe(404);
  });

  it('puts the registered identity into the spec of a reporting job, visible in the job view', async () => {
    const submitted = await submit(a, { report: { forgetting: 'epoch' } });
    expect(submitted.status).toBe(201);
    jobA = submitted.body.id;
    const assignment = await nthAssignment(a, 0);
    expect(assignment.jobId).toBe(jobA);
    expect(assignment.spec?.forgettingReporting).toEqual({ cadence: ForgettingReportCadence.FORGETTING_REPORT_CADENCE_EPOCH, dataset: DATASET });
    const view = await apiDto(test, JobDto, 'GET', `/api/jobs/${jobA}`);
    expect(view.body.spec.forgettingReporting).toEqual({ cadence: 2, dataset: DATASET });

    jobB = (await submit(b, { report: { forgetting: 'final', forgettingDataset: HASH } })).body.id;
    expect((await nthAssignment(b, 0)).spec?.forgettingReporting?.cadence).toBe(ForgettingReportCadence.FORGETTING_REPORT_CADENCE_FINAL);
  });

  it('stores a report sent in pieces in any order with resends exactly once', async () => {
    const chunks = forgettingStatsChunks({ jobId: jobA, attempt: 1 }, statsMessage(2, A_EPOCH_2), 7);
    expect(chunks.length).toBeGreaterThan(3);
    const middle = [...chunks.keys()].slice(2, -1);
    const order = [chunks.length - 1, 1, 1, 0, ...middle, 0];
    const acks = [];
    for (const index of order) acks.push(expectMessage(await send(a, chunks[index]), 'sparsefleet.v1.ForgettingStatsAck').complete);
    // Complete once the last missing piece arrived (the last of `middle`), and for the resend after it.
    expect(acks).toEqual([...order.slice(0, -2).map(() => false), true, true]);
    // Every piece resent after assembly answers complete and stores nothing new.
    for (const chunk of chunks) expect(expectMessage(await send(a, chunk), 'sparsefleet.v1.ForgettingStatsAck').complete).toBe(true);
    expect(await storedRows(jobA, 2)).toEqual({ chunks: 0, contributions: 1 });
    // The same key with other content is a CONFLICT; the stored report stays.
    const other = forgettingStatsChunks({ jobId: jobA, attempt: 1 }, statsMessage(2, A_EPOCH_1), 7);
    expect(errorCodeOf(await send(a, other[0]))).toBe(ErrorCode.ERROR_CODE_CONFLICT);
    expect(await storedRows(jobA, 2)).toEqual({ chunks: 0, contributions: 1 });

    // Job A's earlier epoch (superseded) and job B's final report.
    for (const chunk of forgettingStatsChunks({ jobId: jobA, attempt: 1 }, statsMessage(1, A_EPOCH_1))) await send(a, chunk);
    for (const chunk of forgettingStatsChunks({ jobId: jobB, attempt: 1 }, statsMessage(1, B_EPOCH_1, DATASET, true))) {
      expect(expectMessage(await send(b, chunk), 'sparsefleet.v1.ForgettingStatsAck').complete).toBe(true);
    }
  });

  it.each([
    {
      name: 'statistics about an unregistered data set hash',
      epoch: 5,
      code: ErrorCode.ERROR_CODE_DATASET_MISMATCH,
      chunks: (jobId: string) => forgettingStatsChunks({ jobId, attempt: 1 }, statsMessage(5, A_EPOCH_1, { ...DATASET, contentHash: OTHER_HASH })),
    },
    {
      name: 'a column of the wrong length',
      epoch: 6,
      code: ErrorCode.ERROR_CODE_INVALID_PAYLOAD,
      chunks: (jobId: string) => {
        const message = statsMessage(6, A_EPOCH_1);
        const short = { form: CountColumnForm.COUNT_COLUMN_FORM_DENSE, defaultValue: 0, values: new Uint8Array(7).fill(1), positions: new Uint8Array(0) };
        return forgettingStatsChunks({ jobId, attempt: 1 }, { ...message, presentations: short }, 16);
      },
    },
    {
      name: 'a forged chunk index past the count',
      epoch: 7,
      code: ErrorCode.ERROR_CODE_INVALID_PAYLOAD,
      chunks: (jobId: string) => {
        const [first, ...rest] = forgettingStatsChunks({ jobId, attempt: 1 }, statsMessage(7, A_EPOCH_1), 16);
        return [...rest, { ...first, chunkIndex: first.chunkCount }];
      },
    },
    {
      name: 'two pieces that swapped their indices',
      epoch: 8,
      code: ErrorCode.ERROR_CODE_INVALID_PAYLOAD,
      chunks: (jobId: string) => {
        const pieces = forgettingStatsChunks({ jobId, attempt: 1 }, statsMessage(8, A_EPOCH_1), 16);
        return pieces.map((piece, index) => (index < 2 ? { ...piece, chunkIndex: 1 - index } : piece));
      },
    },
    {
      name: "a report key past the job's epochs",
      epoch: 13,
      code: ErrorCode.ERROR_CODE_INVALID_PAYLOAD,
      chunks: (jobId: string) => forgettingStatsChunks({ jobId, attempt: 1 }, statsMessage(13, A_EPOCH_1)),
    },
    {
      name: 'a declared size over the limit (refused before any work)',
      epoch: 10,
      code: ErrorCode.ERROR_CODE_INVALID_PAYLOAD,
      chunks: (jobId: string) => {
        const [piece] = forgettingStatsChunks({ jobId, attempt: 1 }, statsMessage(10, A_EPOCH_1));
        return [{ ...piece, totalBytes: MAX_FORGETTING_STATS_BYTES + 1, chunkCount: 2 }];
      },
    },
  ])('answers $name with its code and stores nothing for the key', async ({ code, chunks, epoch }) => {
    const pieces = chunks(jobA);
    const codes = [];
    for (const piece of pieces) codes.push(errorCodeOf(await send(a, piece)));
    expect(codes.filter((c) => c !== undefined)).toEqual([code]);
    expect(await storedRows(jobA, epoch)).toEqual({ chunks: 0, contributions: 0 });
  });

  it("refuses statistics for a job that isn't the device's (FORBIDDEN), storing nothing", async () => {
    const [piece] = forgettingStatsChunks({ jobId: jobA, attempt: 1 }, statsMessage(9, A_EPOCH_1), 16);
    expect(errorCodeOf(await send(c, piece))).toBe(ErrorCode.ERROR_CODE_FORBIDDEN);
    expect(await storedRows(jobA, 9)).toEqual({ chunks: 0, contributions: 0 });
  });

  it('lists and shows the merged statistics and exports them as CSV, exactly', async () => {
    const list = await apiDto(test, DatastatsListDto, 'GET', '/api/datastats');
    expect(list.body.datasets).toEqual([
      expect.objectContaining({ ...DATASET, contributions: 3, jobs: 2, devices: 2, coveredExamples: 12, epochsObserved: 3 }),
    ]);
    const detail = await apiDto(test, DatasetDetailDto, 'GET', '/api/datastats/synthetic');
    expect(detail.body.histogram).toEqual([
      { forgettingCount: 0, examples: 8 },
      { forgettingCount: 1, examples: 2 },
    ]);
    expect(detail.body).toMatchObject({ neverLearned: 2, unforgettable: 8, uncovered: 0 });
    const expected = [
      [jobA, 1, false, 8],
      [jobA, 2, true, 8],
      [jobB, 1, true, 8],
    ].sort((x, y) => (x[0] === y[0] ? 0 : x[0] < y[0] ? -1 : 1));
    expect(detail.body.contributions.map((c) => [c.jobId, c.epoch, c.selected, c.examples])).toEqual(expected);
    const csv = await api<string>(test, 'GET', `/api/datastats/${HASH}/export`);
    expect(csv.status).toBe(200);
    expect(csv.body).toBe(EXPECTED_CSV);
  });

  it('creates versioned removal sets by rule, with provenance, and serves their ids', async () => {
    expect((await api(test, 'POST', '/api/removal-sets', { dataset: 'synthetic', rule: { kind: 'fraction', fraction: 1.5 } })).status).toBe(400);
    expect((await api(test, 'POST', '/api/removal-sets', { dataset: OTHER_HASH, rule: { kind: 'fraction', fraction: 0.25 } })).status).toBe(404);

    // round(0.25 × 12) = 3 of the examples presented >= 2 times, least forgotten first, ties by id.
    const first = await apiDto(test, RemovalSetDto, 'POST', '/api/removal-sets', { dataset: 'synthetic', rule: { kind: 'fraction', fraction: 0.25, minEpochs: 2 } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ version: 1, dataset: DATASET, requestedCount: 3, removedCount: 3 });
    expect(first.body.provenance).toEqual({
      devices: [a.deviceId, b.deviceId].sort(),
      jobs: [{ jobId: jobA, attempt: 1, epochsObserved: 2 }, { jobId: jobB, attempt: 1, epochsObserved: 1 }].sort((x, y) => (x.jobId < y.jobId ? -1 : 1)),
      epochsObserved: 3,
      contributions: 3,
    });
    expect((await apiDto(test, RemovalSetIdsDto, 'GET', `/api/removal-sets/${first.body.id}/ids`)).body.ids).toEqual([0, 2, 5]);
    expect((await apiDto(test, RemovalSetDto, 'GET', `/api/removal-sets/${first.body.id}`)).body).toEqual(first.body);
    expect((await api(test, 'GET', '/api/removal-sets/nope')).status).toBe(404);
    const list = await apiDto(test, RemovalSetListDto, 'GET', `/api/removal-sets?dataset=${HASH}`);
    expect(list.body.removalSets.map((set) => set.version)).toEqual([1]);
    const summary = (await apiDto(test, DatastatsListDto, 'GET', '/api/datastats')).body.datasets[0];
    expect(summary.latestRemovalSet).toEqual({ id: first.body.id, version: 1 });
  });

  it('assigns a fleet data-efficient job with its removal set and refreshes it at epoch boundaries', async () => {
    // 400s: combined with local MEST removal; a set of another data set name; an unknown set.
    expect((await api(test, 'POST', '/api/jobs', { config: { ...CONFIG, dataEfficiency: { removeCount: 2, removeEpoch: 1 } }, dataEfficiency: { source: 'fleet', removalSet: 'latest' } })).status).toBe(400);
    expect((await api(test, 'POST', '/api/jobs', { config: { ...CONFIG, data: { name: 'fashion-mnist' } }, dataEfficiency: { source: 'fleet', removalSet: 'latest' } })).status).toBe(400);
    expect((await api(test, 'POST', '/api/jobs', { config: CONFIG, dataEfficiency: { source: 'fleet', removalSet: 'no-such-set' } })).status).toBe(400);

    const [first] = (await apiDto(test, RemovalSetListDto, 'GET', '/api/removal-sets')).body.removalSets;
    const jobC = (await submit(c, { dataEfficiency: { source: 'fleet', removalSet: 'latest', refresh: 'epoch' } })).body.id;
    const assignment = await nthAssignment(c, 0);
    expect(assignment.jobId).toBe(jobC);
    expect(assignment.spec?.dataEfficiency).toMatchObject({ source: DataEfficiencySource.DATA_EFFICIENCY_SOURCE_FLEET, refresh: RemovalRefresh.REMOVAL_REFRESH_EPOCH });
    const set = readRemovalSet(assignment.removalSet!);
    expect(set).toMatchObject({ version: 1, dataset: DATASET });
    expect([...set.removedIds]).toEqual([0, 2, 5]);

    const unchanged = expectMessage(await request(c.socket, 'sparsefleet.v1.RemovalSetRequest', { jobId: jobC, knownVersion: 1 }), 'sparsefleet.v1.RemovalSetReply');
    expect(unchanged.changed).toBe(false);
    // round(0.5 × 12) = 6 requested, only ids 4..7 were presented >= 3 times.
    const second = await apiDto(test, RemovalSetDto, 'POST', '/api/removal-sets', { dataset: HASH, rule: { kind: 'fraction', fraction: 0.5, minEpochs: 3 } });
    expect(second.body).toMatchObject({ version: 2, requestedCount: 6, removedCount: 4 });
    const changed = expectMessage(await request(c.socket, 'sparsefleet.v1.RemovalSetRequest', { jobId: jobC, knownVersion: 1 }), 'sparsefleet.v1.RemovalSetReply');
    expect(changed.changed).toBe(true);
    expect(readRemovalSet(changed.removalSet!)).toMatchObject({ id: second.body.id, version: 2, removedIds: Uint32Array.from([4, 5, 6, 7]) });

    // A job that keeps its set asks in vain; another device's job is not its to ask about.
    const jobD = (await submit(d, { dataEfficiency: { source: 'fleet', removalSet: second.body.id } })).body.id;
    expect(readRemovalSet((await nthAssignment(d, 0)).removalSet!).version).toBe(2);
    expect(errorCodeOf(await request(d.socket, 'sparsefleet.v1.RemovalSetRequest', { jobId: jobD, knownVersion: 1 }))).toBe(ErrorCode.ERROR_CODE_NOT_FOUND);
    expect(errorCodeOf(await request(d.socket, 'sparsefleet.v1.RemovalSetRequest', { jobId: jobC, knownVersion: 1 }))).toBe(ErrorCode.ERROR_CODE_FORBIDDEN);

    // Job C finishes on version 2; the detail view and the HTML report show its accuracy against the removed fraction.
    const result = { ...jobResult(jobC, 1, 10, 0.8), removedExamples: 4, removalSetVersion: 2, examplesSeen: 24 };
    expectMessage(await request(c.socket, 'sparsefleet.v1.JobResult', result), 'sparsefleet.v1.Ack');
    const detail = await apiDto(test, DatasetDetailDto, 'GET', `/api/datastats/${HASH}`);
    expect(detail.body.trainedJobs).toEqual(
      expect.arrayContaining([
        { jobId: jobC, removalSetId: first.id, version: 2, removedFraction: 4 / 12, testAccuracy: 0.8, state: 'succeeded' },
        { jobId: jobD, removalSetId: second.body.id, version: 2, removedFraction: 4 / 12, testAccuracy: null, state: 'assigned' },
      ]),
    );
    const html = await api<string>(test, 'GET', `/api/datastats/${HASH}/report`);
    expect(html.status).toBe(200);
    expect(extractEmbeddedDatastats(html.body)).toEqual(detail.body);
    const charts = extractEmbeddedDatastatsCharts(html.body);
    expect(charts.map((chart) => chart.id)).toEqual(['forgetting-histogram', 'accuracy-vs-removed']);
    expect(charts[1]).toMatchObject({ series: [{ points: [{ x: Number(((4 / 12) * 100).toFixed(4)), y: 80 }] }] });
  });

  it('serves its routes only with an API key, and describes them in the OpenAPI document with their DTOs', async () => {
    for (const [method, route] of [['GET', '/api/datastats'], ['GET', `/api/datastats/${HASH}/export`], ['POST', '/api/removal-sets'], ['POST', '/api/datastats/datasets']]) {
      expect((await rawApi(test.coordinator.url, method, route, { body: method === 'POST' ? {} : undefined })).status).toBe(401);
    }
    const document = (await api<{ paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } }>(test, 'GET', '/api/docs/json')).body;
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/datastats',
        '/api/datastats/datasets',
        '/api/datastats/{dataset}',
        '/api/datastats/{dataset}/export',
        '/api/datastats/{dataset}/report',
        '/api/removal-sets',
        '/api/removal-sets/{id}',
        '/api/removal-sets/{id}/ids',
      ]),
    );
    expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(['DatasetDetail', 'DatasetSummary', 'RemovalSet', 'RemovalRule', 'ForgettingReporting']));
    expect(JSON.stringify(document.paths['/api/removal-sets']!.post)).toContain('#/components/schemas/RemovalSet');
  });

  it('asks to name the content hash once a second identity is registered under the same name', async () => {
    await apiDto(test, DatasetSummaryDto, 'POST', '/api/datastats/datasets', { ...DATASET, contentHash: OTHER_HASH });
    const ambiguous = await submit(a, { report: { forgetting: 'final' } });
    expect(ambiguous.status).toBe(400);
    expect(JSON.stringify(ambiguous.body)).toContain('report.forgettingDataset');
    expect((await api(test, 'GET', '/api/datastats/synthetic')).status).toBe(400);
    expect((await apiDto(test, DatasetDetailDto, 'GET', `/api/datastats/${OTHER_HASH}`)).body.summary).toMatchObject({ contributions: 0, jobs: 0 });
    // The sets of the first identity are still found by 'latest' when the job names its identity.
    const pinned = await api<{ id: string }>(test, 'POST', '/api/jobs', {
      config: CONFIG,
      report: { forgetting: 'final', forgettingDataset: HASH },
      dataEfficiency: { source: 'fleet', removalSet: 'latest' },
    });
    expect(pinned.status).toBe(201);
    const job = await apiDto(test, JobDto, 'GET', `/api/jobs/${pinned.body.id}`);
    expect(job.body.spec.forgettingReporting?.dataset?.contentHash).toBe(HASH);
    expect(job.body.spec.dataEfficiency).toMatchObject({ source: 2, refresh: 1 });
  });
});
