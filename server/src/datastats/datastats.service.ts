// Fleet forgetting statistics and removal sets. Reports arrive in pieces; once every piece of a (job, attempt,
// epoch) is in, the report is assembled, checked (codec consistency, the job's registered data set) and stored as an
// immutable contribution, in one serialized step per report so two nodes never assemble it twice. The aggregate of
// a data set is computed from its selected contributions on demand and kept in memory while the stored
// contributions stay the same (checked by count and latest arrival on every read: another node may have added some).
// Who may send a piece is checked by DatastatsHandlers before it lands here.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { CLOCK, clockDate, realClock, type Clock } from '../common/clock.js';
import {
  DataEfficiencySource,
  ErrorCode,
  ForgettingCodecError,
  JobOutcome,
  MAX_FORGETTING_CHUNK_BYTES,
  MaskCodecError,
  ProtocolFault,
  decodeExampleSet,
  decodeForgettingStats,
  decodeProto,
  encodeExampleSet,
  encodeProto,
  joinBodyChunks,
  readForgettingStats,
  removalSetMessage,
  sameDatasetIdentity,
  type DatasetIdentity,
  type ForgettingStatsAck,
  type ForgettingStatsChunk,
  type RemovalSet,
} from '../../../protocol/src/index.js';
import { fromBase64, pieceDigest, pieceProblem, toBase64 } from '../common/stored-pieces.js';
import type { Transaction } from 'kysely';
import { MAX_REGISTERED_EXAMPLES } from './limits.js';
import { JobReportService } from '../jobs/job-report.service.js';
import { JobService } from '../jobs/job.service.js';
import type { DB } from '../storage/database.schema.js';
import { DatastatsRepository, type ContributionRow, type DatasetRow, type RemovalSetRow, type ReportKey } from './datastats.repository.js';
import {
  aggregateCsv,
  histogramOf,
  type ContributionView,
  type DatasetDetailView,
  type DatasetIdentityView,
  type DatasetSummaryView,
  type ProvenanceView,
  type RemovalSetView,
  type TrainedJobView,
} from './datastats-views.js';
import { aggregateStatistics, removalIds, removalRuleProblem, reportKey, selectContributions, type DatasetAggregate, type ForgettingContribution, type RemovalRule } from './forgetting-aggregate.js';

const CHUNK_TYPE = 'sparsefleet.v1.ForgettingStatsChunk';
/** Largest encoded ForgettingStats accepted: ~3 bytes per example and a bitmap fit for the largest data set (2^23). */
export const MAX_FORGETTING_STATS_BYTES = 64 * 1024 * 1024;
const FORGETTING_PIECE_LIMITS = { maxBodyBytes: MAX_FORGETTING_STATS_BYTES, maxPieceBytes: MAX_FORGETTING_CHUNK_BYTES, bodyName: 'report' };
/** Largest data set that may be registered (the aggregate keeps 16 bytes per example in memory). */
export const MAX_DATASET_EXAMPLES = MAX_REGISTERED_EXAMPLES;

/** A datastats request that cannot be served; `kind` tells the REST layer which status fits. */
export class DatastatsError extends Error {
  constructor(
    readonly kind: 'not-found' | 'invalid' | 'conflict',
    message: string,
  ) {
    super(message);
    this.name = 'DatastatsError';
  }
}

interface CachedAggregate {
  readonly count: number;
  readonly last: string | null;
  readonly aggregate: DatasetAggregate;
}

/** What a job that reports statistics needs from the registry at submission. */
export type IdentityResolution = { readonly ok: true; readonly dataset: DatasetIdentityView } | { readonly ok: false; readonly issue: string };
export type RemovalSetResolution = { readonly ok: true; readonly set: RemovalSetView } | { readonly ok: false; readonly issue: string };

@Injectable()
export class DatastatsService {
  private readonly aggregates = new Map<string, CachedAggregate>();

  constructor(
    private readonly store: DatastatsRepository,
    private readonly jobs: JobService,
    private readonly reports: JobReportService,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = realClock,
  ) {}

  // --- data sets --------------------------------------------------------------------------------------------------

  /** Registers an identity; registering the same one again is a no-op. CONFLICT when the hash has another name or size. */
  async registerDataset(identity: DatasetIdentityView, now = clockDate(this.clock)): Promise<DatasetSummaryView> {
    if (!Number.isInteger(identity.size) || identity.size < 1 || identity.size > MAX_DATASET_EXAMPLES) {
      throw new DatastatsError('invalid', `size must be 1..${MAX_DATASET_EXAMPLES}`);
    }
    const row: DatasetRow = { content_hash: identity.contentHash, name: identity.name, size: identity.size, registered_at: now.toISOString() };
    if (!(await this.store.insertDataset(row))) {
      const existing = (await this.store.findDataset(identity.contentHash))!;
      if (existing.name !== identity.name || existing.size !== identity.size) {
        throw new DatastatsError('conflict', `content hash ${identity.contentHash} is registered as ${existing.name} with ${existing.size} examples`);
      }
      return this.summary(existing);
    }
    return this.summary(row);
  }

  async listDatasets(): Promise<DatasetSummaryView[]> {
    const rows = await this.store.listDatasets();
    const views: DatasetSummaryView[] = [];
    for (const row of rows) views.push(await this.summary(row));
    return views;
  }

  /** A data set by content hash, or by a name registered under exactly one hash. */
  async findDataset(reference: string): Promise<DatasetRow> {
    const byHash = await this.store.findDataset(reference);
    if (byHash) return byHash;
    const named = await this.store.listDatasetsNamed(reference);
    if (named.length === 1) return named[0];
    if (named.length === 0) throw new DatastatsError('not-found', `no data set is registered under the content hash or name ${reference}`);
    throw new DatastatsError('invalid', `${named.length} data sets are registered as ${reference}; name one by its content hash (${named.map((r) => r.content_hash).join(', ')})`);
  }

  async showDataset(reference: string): Promise<DatasetDetailView> {
    const row = await this.findDataset(reference);
    const aggregate = await this.aggregateOf(row);
    const summaries = await this.store.listContributionSummaries(row.content_hash);
    const selected = new Set(selectContributions(summaries.map(keyOfRow)).map(reportKey));
    const contributions: ContributionView[] = summaries.map((c) => ({
      jobId: c.job_id,
      attempt: c.attempt,
      epoch: c.epoch,
      deviceId: c.device_id,
      epochsObserved: c.epochs_observed,
      final: c.final === 1,
      examples: c.covered,
      selected: selected.has(reportKey(keyOfRow(c))),
      receivedAt: c.received_at,
    }));
    const sets = await this.store.listRemovalSets(row.content_hash);
    return {
      summary: await this.summary(row, aggregate),
      ...histogramOf(aggregate),
      contributions,
      removalSets: sets.map((set) => removalSetView(set, row)),
      trainedJobs: await this.trainedJobs(row, sets),
    };
  }

  /** Jobs that trained on one of these sets, with the version and removed fraction they ended on and their accuracy. */
  private async trainedJobs(dataset: DatasetRow, sets: readonly RemovalSetRow[]): Promise<TrainedJobView[]> {
    if (sets.length === 0) return [];
    const byId = new Map(sets.map((set) => [set.id, set]));
    const views: TrainedJobView[] = [];
    for (const job of await this.jobs.list()) {
      const efficiency = job.spec.dataEfficiency;
      const set = efficiency?.source === DataEfficiencySource.DATA_EFFICIENCY_SOURCE_FLEET ? byId.get(efficiency.removalSetId) : undefined;
      if (!set) continue;
      const result = await this.reports.latestResult(job.id);
      const ended = result !== undefined && result.removalSetVersion > 0;
      views.push({
        jobId: job.id,
        removalSetId: set.id,
        version: ended ? result.removalSetVersion : set.version,
        removedFraction: (ended ? result.removedExamples : set.removed_count) / dataset.size,
        testAccuracy: result?.outcome === JobOutcome.JOB_OUTCOME_SUCCEEDED ? result.testAccuracy : null,
        state: job.state,
      });
    }
    return views;
  }

  /** The merged statistics as CSV (covered examples only). */
  async exportCsv(reference: string): Promise<string> {
    return aggregateCsv(await this.aggregateOf(await this.findDataset(reference)));
  }

  // --- job submission ---------------------------------------------------------------------------------------------

  /** The identity a job on data set `name` reports against: the one registered under the name (or `contentHash`). */
  async identityForJob(name: string, contentHash?: string): Promise<IdentityResolution> {
    const named = await this.store.listDatasetsNamed(name);
    const howToRegister = `register it first (POST /api/datastats/datasets {name, contentHash, size}, or \`sparsefleet datastats register\`)`;
    if (named.length === 0) return { ok: false, issue: `no data set named ${name} is registered; ${howToRegister}` };
    if (contentHash !== undefined) {
      const match = named.find((row) => row.content_hash === contentHash);
      return match ? { ok: true, dataset: identityOf(match) } : { ok: false, issue: `no data set ${name} is registered with content hash ${contentHash}` };
    }
    if (named.length > 1) {
      return { ok: false, issue: `${named.length} data sets are registered as ${name}; choose one with report.forgettingDataset (${named.map((r) => r.content_hash).join(', ')})` };
    }
    return { ok: true, dataset: identityOf(named[0]) };
  }

  /**
   * The removal set a fleet data-efficient job on data set `name` trains on: `reference` is a set id or 'latest'
   * (the newest set of the data sets registered under the name; `contentHash` narrows it to one identity).
   */
  async removalSetForJob(name: string, reference: string, contentHash?: string): Promise<RemovalSetResolution> {
    if (reference === 'latest') {
      const sets = (await this.store.listRemovalSetsNamed(name)).filter((set) => contentHash === undefined || set.content_hash === contentHash);
      if (sets.length === 0) return { ok: false, issue: `no removal set exists for data set ${name}; create one with POST /api/removal-sets` };
      const hashes = new Set(sets.map((set) => set.content_hash));
      if (hashes.size > 1) return { ok: false, issue: `removal sets of ${hashes.size} data sets named ${name} exist; name the set by its id` };
      return { ok: true, set: await this.viewOf(sets[0]) };
    }
    const set = await this.store.findRemovalSet(reference);
    if (!set) return { ok: false, issue: `removal set ${reference} does not exist` };
    const view = await this.viewOf(set);
    if (view.dataset.name !== name) return { ok: false, issue: `removal set ${reference} is about data set ${view.dataset.name}, the job trains on ${name}` };
    if (contentHash !== undefined && view.dataset.contentHash !== contentHash) {
      return { ok: false, issue: `removal set ${reference} is about content hash ${view.dataset.contentHash}, the job reports about ${contentHash}` };
    }
    return { ok: true, set: view };
  }

  // --- device reports ---------------------------------------------------------------------------------------------

  /**
   * Stores a piece; once every piece of its report is in, assembles, checks and records the report. `expected` is
   * the identity registered for the job. A bad piece or report leaves nothing stored for its key.
   */
  async applyChunk(chunk: ForgettingStatsChunk, deviceId: string, expected: DatasetIdentity, now = clockDate(this.clock)): Promise<ForgettingStatsAck> {
    const key: ReportKey = { jobId: chunk.jobId, attempt: chunk.attempt, epoch: chunk.epoch };
    try {
      const problem = pieceProblem(chunk, FORGETTING_PIECE_LIMITS);
      if (problem !== undefined) throw invalid(problem);
    } catch (error) {
      // The sender (the job's holder) broke its own report: the pieces it sent before are of no use either.
      await this.store.deleteChunks(undefined, key);
      throw error;
    }
    const recorded = await this.store.findContribution(key);
    if (recorded) {
      if (!pieceOf(recorded, chunk)) throw conflict(`report ${describeKey(key)} was stored with other content; the first one is kept`);
      return { complete: true, reason: '' };
    }
    const digest = pieceDigest(chunk);
    const inserted = await this.store.insertChunk({
      job_id: chunk.jobId,
      attempt: chunk.attempt,
      epoch: chunk.epoch,
      chunk_index: chunk.chunkIndex,
      chunk_count: chunk.chunkCount,
      total_bytes: chunk.totalBytes,
      checksum: chunk.checksum,
      digest,
      data: toBase64(chunk.data),
      received_at: now.toISOString(),
    });
    if (!inserted) {
      const stored = await this.store.findChunk(key, chunk.chunkIndex);
      if (stored && stored.digest !== digest) throw conflict(`a different piece ${chunk.chunkIndex} of report ${describeKey(key)} was stored; the first one is kept`);
    }
    const outcome = await this.store.serialized(`forgetting:${chunk.jobId}|${chunk.attempt}|${chunk.epoch}`, (trx) =>
      this.assemble(trx, key, chunk.chunkCount, deviceId, expected, now),
    );
    if (outcome instanceof ProtocolFault) throw outcome;
    return outcome;
  }

  /** Assembles the report when complete. A fault is returned (not thrown) so that deleting its pieces commits. */
  private async assemble(
    trx: Transaction<DB>,
    key: ReportKey,
    chunkCount: number,
    deviceId: string,
    expected: DatasetIdentity,
    now: Date,
  ): Promise<ForgettingStatsAck | ProtocolFault> {
    const recorded = await this.store.findContribution(key, trx);
    if (recorded) {
      // Pieces resent while another node assembled the report landed after it deleted the pieces: check and drop them.
      const leftovers = await this.store.listChunks(trx, key);
      if (leftovers.length === 0) return { complete: true, reason: '' };
      await this.store.deleteChunks(trx, key);
      const differs = leftovers.some((row) => !pieceOf(recorded, { chunkIndex: row.chunk_index, chunkCount: row.chunk_count, totalBytes: row.total_bytes, checksum: row.checksum, data: fromBase64(row.data) }));
      return differs ? conflict(`report ${describeKey(key)} was stored with other content; the first one is kept`) : { complete: true, reason: '' };
    }
    const headers = await this.store.listChunkHeaders(trx, key);
    const first = headers[0];
    const refuse = async (fault: ProtocolFault) => {
      await this.store.deleteChunks(trx, key);
      return fault;
    };
    if (first && headers.some((h) => h.chunk_count !== first.chunk_count || h.total_bytes !== first.total_bytes || h.checksum !== first.checksum)) {
      return refuse(invalid(`the pieces of report ${describeKey(key)} disagree on their count, size or checksum`));
    }
    if (headers.length < chunkCount) return { complete: false, reason: '' };
    const chunks = await this.store.listChunks(trx, key);
    let body: Uint8Array;
    let content: ReturnType<typeof readForgettingStats>;
    try {
      body = joinBodyChunks(chunks.map((c) => ({ chunkIndex: c.chunk_index, chunkCount: c.chunk_count, totalBytes: c.total_bytes, checksum: c.checksum, data: fromBase64(c.data) })));
      content = readForgettingStats(decodeForgettingStats(body));
    } catch (error) {
      return refuse(invalid(`report ${describeKey(key)} does not decode: ${errorText(error)}`));
    }
    if (content.epoch !== key.epoch) return refuse(invalid(`the report says epoch ${content.epoch}, its pieces say ${key.epoch}`));
    if (!sameDatasetIdentity(content.dataset, expected)) {
      return refuse(mismatch(`the statistics are about ${describeIdentity(content.dataset)}; job ${key.jobId} trains on ${describeIdentity(expected)}`));
    }
    // Inside the transaction: on SQLite its one connection is held until it ends.
    if (!(await this.store.findDataset(content.dataset.contentHash, trx))) {
      return refuse(mismatch(`data set ${describeIdentity(content.dataset)} is not registered`));
    }
    await this.store.insertContribution(trx, {
      job_id: key.jobId,
      attempt: key.attempt,
      epoch: key.epoch,
      device_id: deviceId,
      content_hash: content.dataset.contentHash,
      epochs_observed: content.epochsObserved,
      final: content.final ? 1 : 0,
      covered: content.stats.ids.length,
      total_bytes: body.length,
      checksum: first!.checksum,
      stats: toBase64(body),
      received_at: now.toISOString(),
    });
    await this.store.deleteChunks(trx, key);
    return { complete: true, reason: '' };
  }

  // --- removal sets -----------------------------------------------------------------------------------------------

  /** Cuts a new, immutable set from the data set's current aggregate; versions count 1, 2, ... per data set. */
  async createRemovalSet(reference: string, rule: RemovalRule, now = clockDate(this.clock)): Promise<RemovalSetView> {
    const problem = removalRuleProblem(rule);
    if (problem !== undefined) throw new DatastatsError('invalid', `rule: ${problem}`);
    const dataset = await this.findDataset(reference);
    const aggregate = await this.aggregateOf(dataset);
    if (aggregate.contributions === 0) throw new DatastatsError('invalid', `data set ${dataset.name} (${dataset.content_hash}) has no statistics yet`);
    const { ids, requestedCount } = removalIds(aggregate, rule);
    const removed = encodeProto('sparsefleet.v1.ExampleSet', encodeExampleSet(ids, 0, dataset.size));
    const provenance: ProvenanceView = {
      devices: [...aggregate.devices],
      jobs: aggregate.jobs.map((job) => ({ jobId: job.jobId, attempt: job.attempt, epochsObserved: job.epochsObserved })),
      epochsObserved: aggregate.epochsObserved,
      contributions: aggregate.contributions,
    };
    const row = await this.store.serialized(`removal-sets:${dataset.content_hash}`, async (trx) => {
      const version = (await this.store.maxRemovalSetVersion(trx, dataset.content_hash)) + 1;
      const row: RemovalSetRow = {
        id: randomUUID(),
        content_hash: dataset.content_hash,
        version,
        rule_json: JSON.stringify(rule),
        requested_count: requestedCount,
        removed_count: ids.length,
        removed: toBase64(removed),
        provenance_json: JSON.stringify(provenance),
        created_at: now.toISOString(),
      };
      await this.store.insertRemovalSet(trx, row);
      return row;
    });
    return removalSetView(row, dataset);
  }

  async listRemovalSets(reference?: string): Promise<RemovalSetView[]> {
    const dataset = reference === undefined ? undefined : await this.findDataset(reference);
    const rows = await this.store.listRemovalSets(dataset?.content_hash);
    const views: RemovalSetView[] = [];
    for (const row of rows) views.push(await this.viewOf(row, dataset));
    return views;
  }

  async getRemovalSet(id: string): Promise<RemovalSetView> {
    return this.viewOf(await this.requireSet(id));
  }

  async removalSetIds(id: string): Promise<Uint32Array> {
    return removedIdsOf(await this.requireSet(id));
  }

  /** The wire RemovalSet of a set id (what a job's assignment carries); undefined when there is no such set. */
  async removalSetMessage(id: string): Promise<RemovalSet | undefined> {
    const row = await this.store.findRemovalSet(id);
    return row ? this.messageOf(row) : undefined;
  }

  /** The newest set of the data set `id` belongs to, when its version is above `knownVersion`. */
  async newerRemovalSet(id: string, knownVersion: number): Promise<RemovalSet | undefined> {
    const chosen = await this.store.findRemovalSet(id);
    if (!chosen) return undefined;
    const latest = await this.store.latestRemovalSet(chosen.content_hash);
    return latest && latest.version > knownVersion ? this.messageOf(latest) : undefined;
  }

  /** The newest set of the data set `id` belongs to (what a refresh-every-epoch job is assigned with). */
  async latestRemovalSetOf(id: string): Promise<RemovalSet | undefined> {
    return this.newerRemovalSet(id, 0);
  }

  // --- internals --------------------------------------------------------------------------------------------------

  private async summary(row: DatasetRow, known?: DatasetAggregate): Promise<DatasetSummaryView> {
    const aggregate = known ?? (await this.aggregateOf(row));
    const latest = await this.store.latestRemovalSet(row.content_hash);
    return {
      ...identityOf(row),
      registeredAt: row.registered_at,
      contributions: aggregate.contributions,
      jobs: aggregate.jobs.length,
      devices: aggregate.devices.length,
      coveredExamples: aggregate.coveredExamples,
      epochsObserved: aggregate.epochsObserved,
      ...(latest ? { latestRemovalSet: { id: latest.id, version: latest.version } } : {}),
    };
  }

  /**
   * The aggregate of the data set's stored contributions. Only the selected reports' blobs are read: selection is
   * idempotent, so the aggregate over them equals the aggregate over all; the count of distinct reports comes from
   * the summaries.
   */
  private async aggregateOf(dataset: DatasetRow): Promise<DatasetAggregate> {
    const stamp = await this.store.contributionStamp(dataset.content_hash);
    const cached = this.aggregates.get(dataset.content_hash);
    if (cached && cached.count === stamp.count && cached.last === stamp.last) return cached.aggregate;
    const summaries = await this.store.listContributionSummaries(dataset.content_hash);
    const selected = selectContributions(summaries.map(keyOfRow));
    const rows = await this.store.listContributionStats(dataset.content_hash, selected);
    const contributions = rows.map(contributionOf);
    const aggregate = { ...aggregateStatistics(dataset.size, contributions), contributions: summaries.length };
    this.aggregates.set(dataset.content_hash, { count: summaries.length, last: stamp.last, aggregate });
    return aggregate;
  }

  private async requireSet(id: string): Promise<RemovalSetRow> {
    const row = await this.store.findRemovalSet(id);
    if (!row) throw new DatastatsError('not-found', `removal set ${id} does not exist`);
    return row;
  }

  private async viewOf(row: RemovalSetRow, dataset?: DatasetRow): Promise<RemovalSetView> {
    return removalSetView(row, dataset ?? (await this.store.findDataset(row.content_hash))!);
  }

  private async messageOf(row: RemovalSetRow): Promise<RemovalSet> {
    const dataset = (await this.store.findDataset(row.content_hash))!;
    return removalSetMessage({ id: row.id, version: row.version, dataset: identityOf(dataset), removedIds: removedIdsOf(row) });
  }
}

function identityOf(row: DatasetRow): DatasetIdentityView {
  return { name: row.name, contentHash: row.content_hash, size: row.size };
}

function keyOfRow(row: Omit<ContributionRow, 'stats'>) {
  return { jobId: row.job_id, attempt: row.attempt, epoch: row.epoch, deviceId: row.device_id, epochsObserved: row.epochs_observed, final: row.final === 1 };
}

function contributionOf(row: ContributionRow): ForgettingContribution {
  // Stored contributions were checked when they arrived.
  const content = readForgettingStats(decodeForgettingStats(fromBase64(row.stats)));
  return { ...keyOfRow(row), stats: content.stats };
}

function removalSetView(row: RemovalSetRow, dataset: DatasetRow): RemovalSetView {
  return {
    id: row.id,
    version: row.version,
    dataset: identityOf(dataset),
    rule: JSON.parse(row.rule_json) as RemovalRule,
    requestedCount: row.requested_count,
    removedCount: row.removed_count,
    createdAt: row.created_at,
    provenance: JSON.parse(row.provenance_json) as ProvenanceView,
  };
}

function removedIdsOf(row: RemovalSetRow): Uint32Array {
  return decodeExampleSet(decodeProto('sparsefleet.v1.ExampleSet', fromBase64(row.removed)));
}


/** Whether a resent piece is part of the stored report: same totals, and its bytes where such a piece lies. */
function pieceOf(recorded: ContributionRow, chunk: Omit<ForgettingStatsChunk, 'jobId' | 'attempt' | 'epoch'>): boolean {
  if (recorded.total_bytes !== chunk.totalBytes || recorded.checksum !== chunk.checksum) return false;
  const body = fromBase64(recorded.stats);
  const last = chunk.chunkIndex === chunk.chunkCount - 1;
  const offset = last ? body.length - chunk.data.length : chunk.chunkIndex * chunk.data.length;
  if (offset < 0 || offset + chunk.data.length > body.length) return false;
  return Buffer.from(body.subarray(offset, offset + chunk.data.length)).equals(Buffer.from(chunk.data.buffer, chunk.data.byteOffset, chunk.data.byteLength));
}


function describeKey(key: ReportKey): string {
  return `(job ${key.jobId}, attempt ${key.attempt}, epoch ${key.epoch})`;
}

function describeIdentity(identity: DatasetIdentity): string {
  return `${identity.name} (${identity.contentHash || 'no hash'}, ${identity.size} examples)`;
}



function invalid(message: string): ProtocolFault {
  return new ProtocolFault(ErrorCode.ERROR_CODE_INVALID_PAYLOAD, message, CHUNK_TYPE);
}

function conflict(message: string): ProtocolFault {
  return new ProtocolFault(ErrorCode.ERROR_CODE_CONFLICT, message, CHUNK_TYPE);
}

function mismatch(message: string): ProtocolFault {
  return new ProtocolFault(ErrorCode.ERROR_CODE_DATASET_MISMATCH, message, CHUNK_TYPE);
}

function errorText(error: unknown): string {
  return error instanceof ForgettingCodecError || error instanceof MaskCodecError || error instanceof Error ? error.message : String(error);
}
