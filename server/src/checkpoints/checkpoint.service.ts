// Checkpoint transfer rules (chunk size, ids, totals), the content-addressed store and the per-job record of
// committed checkpoints. Who may upload or read is checked by CheckpointHandlers before anything lands here.
import { Inject, Injectable, Optional } from '@nestjs/common';
import { CLOCK, clockDate, realClock, type Clock } from '../common/clock.js';
import type {
  CheckpointChunk,
  CheckpointCommit,
  CheckpointFetchResponse,
  ResumeFrom,
} from '../../../protocol/src/index.js';
import { ErrorCode, ProtocolFault, readCheckpointPosition, type CheckpointPosition } from '../../../protocol/src/index.js';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { CheckpointRepository, type JobCheckpointRow } from './checkpoint.repository.js';
import { CheckpointStore } from './checkpoint.store.js';

/** The largest piece of a checkpoint in one CheckpointChunk or CheckpointFetchResponse. */
export const MAX_CHECKPOINT_CHUNK_BYTES = 1024 * 1024;
const CHECKPOINT_ID = /^[0-9a-f]{64}$/;

export interface CheckpointView {
  readonly jobId: string;
  readonly checkpointId: string;
  readonly attempt: number;
  readonly deviceId: string;
  readonly totalBytes: number;
  readonly step: number;
  readonly epoch: number;
  readonly createdAt: string;
}

@Injectable()
export class CheckpointService {
  constructor(
    private readonly store: CheckpointStore,
    private readonly checkpoints: CheckpointRepository,
    private readonly metrics: MetricsService,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = realClock,
  ) {}

  async storeChunk(chunk: CheckpointChunk): Promise<void> {
    const type = 'sparsefleet.v1.CheckpointChunk';
    requireCheckpointId(chunk.checkpointId, type);
    this.requireTotal(chunk.totalBytes, type);
    if (chunk.data.byteLength === 0 || chunk.data.byteLength > MAX_CHECKPOINT_CHUNK_BYTES) {
      throw invalid(`a chunk carries 1 to ${MAX_CHECKPOINT_CHUNK_BYTES} bytes, got ${chunk.data.byteLength}`, type);
    }
    if (chunk.offset + chunk.data.byteLength > chunk.totalBytes) {
      throw invalid(`chunk [${chunk.offset}, ${chunk.offset + chunk.data.byteLength}) exceeds total_bytes ${chunk.totalBytes}`, type);
    }
    await this.store.writeChunk({ jobId: chunk.jobId, attempt: chunk.attempt }, chunk.checkpointId, chunk.offset, chunk.data);
  }

  /**
   * Verifies the bytes this attempt uploaded and records them as a checkpoint of the job, with the size and the
   * training position read from the stored object itself (idempotent on a resent commit). A device that did not
   * send the bytes in this attempt cannot commit them, even when the same content is stored for another job.
   */
  async commit(commit: CheckpointCommit, deviceId: string, now = clockDate(this.clock)): Promise<CheckpointView> {
    const type = 'sparsefleet.v1.CheckpointCommit';
    requireCheckpointId(commit.checkpointId, type);
    this.requireTotal(commit.totalBytes, type);
    const upload = { jobId: commit.jobId, attempt: commit.attempt };
    let position: CheckpointPosition | undefined;
    const outcome = await this.store.commit(upload, commit.checkpointId, commit.totalBytes, async (read) => {
      position = await positionOf(read, commit, type);
    });
    if (outcome.kind === 'already-stored') return this.recommitted(commit, deviceId, type);
    if (outcome.kind === 'incomplete') throw incomplete(commit, Math.max(0, outcome.haveBytes), type);
    if (outcome.kind === 'hash-mismatch') {
      throw invalid(`checkpoint bytes hash to ${outcome.actual}, not ${commit.checkpointId}; upload it again`, type);
    }
    if (!position) throw new Error('the checkpoint store committed without inspecting the upload');
    if (outcome.kind === 'stored') this.metrics.checkpointStored(commit.totalBytes);
    const row: JobCheckpointRow = {
      job_id: commit.jobId,
      checkpoint_id: commit.checkpointId,
      attempt: commit.attempt,
      device_id: deviceId,
      total_bytes: commit.totalBytes,
      step: position.step,
      epoch: position.epoch,
      created_at: now.toISOString(),
    };
    await this.checkpoints.insert(row);
    return toView((await this.checkpoints.find(commit.jobId, commit.checkpointId)) ?? row);
  }

  /** A resent commit after its upload was committed; anything else without uploaded bytes is incomplete. */
  private async recommitted(commit: CheckpointCommit, deviceId: string, type: string): Promise<CheckpointView> {
    const recorded = await this.checkpoints.find(commit.jobId, commit.checkpointId);
    if (!recorded || recorded.attempt !== commit.attempt || recorded.device_id !== deviceId) throw incomplete(commit, 0, type);
    return toView(recorded);
  }

  /** Reads a piece (≤ 1 MiB) of a checkpoint recorded for `jobId`. */
  async read(jobId: string, checkpointId: string, offset: number, length: number): Promise<CheckpointFetchResponse> {
    const type = 'sparsefleet.v1.CheckpointFetchRequest';
    const row = await this.checkpoints.find(jobId, checkpointId);
    if (!row) throw new ProtocolFault(ErrorCode.ERROR_CODE_NOT_FOUND, `job ${jobId} has no checkpoint ${checkpointId}`, type);
    if (offset > row.total_bytes) throw invalid(`offset ${offset} is past the end (${row.total_bytes} bytes)`, type);
    const wanted = length === 0 ? MAX_CHECKPOINT_CHUNK_BYTES : Math.min(length, MAX_CHECKPOINT_CHUNK_BYTES);
    const { data, totalBytes } = await this.store.read(checkpointId, offset, wanted);
    return { checkpointId, offset, totalBytes, data };
  }

  /** What a retried attempt resumes from: the job's furthest checkpoint. */
  async latest(jobId: string): Promise<ResumeFrom | undefined> {
    const row = await this.checkpoints.findLatest(jobId);
    if (!row) return undefined;
    return { checkpointId: row.checkpoint_id, totalBytes: row.total_bytes, step: row.step, epoch: row.epoch };
  }

  async list(jobId: string): Promise<CheckpointView[]> {
    return (await this.checkpoints.list(jobId)).map(toView);
  }

  private requireTotal(totalBytes: number, type: string): void {
    if (totalBytes < 1 || totalBytes > this.config.maxCheckpointBytes) {
      throw invalid(`total_bytes must be in [1, ${this.config.maxCheckpointBytes}], got ${totalBytes}`, type);
    }
  }
}

function requireCheckpointId(checkpointId: string, type: string): void {
  if (!CHECKPOINT_ID.test(checkpointId)) throw invalid('checkpoint_id must be the lowercase hex sha256 of the checkpoint', type);
}

/** The training position the uploaded bytes hold; refuses a commit that says otherwise or bytes that do not parse. */
async function positionOf(
  read: (offset: number, length: number) => Promise<{ data: Uint8Array }>,
  commit: CheckpointCommit,
  type: string,
): Promise<CheckpointPosition> {
  let position: CheckpointPosition;
  try {
    position = await readCheckpointPosition(async (offset, length) => (await read(offset, length)).data, commit.totalBytes);
  } catch (error) {
    throw invalid(`checkpoint ${commit.checkpointId} is not a TrainingCheckpoint: ${error instanceof Error ? error.message : String(error)}`, type);
  }
  if (position.step !== commit.step || position.epoch !== commit.epoch) {
    throw invalid(
      `the commit says step ${commit.step}, epoch ${commit.epoch}, but the checkpoint holds step ${position.step}, epoch ${position.epoch}`,
      type,
    );
  }
  return position;
}

function incomplete(commit: CheckpointCommit, haveBytes: number, type: string): ProtocolFault {
  return invalid(`checkpoint ${commit.checkpointId} is incomplete: ${haveBytes} of ${commit.totalBytes} bytes received in this attempt`, type);
}

function invalid(message: string, type: string): ProtocolFault {
  return new ProtocolFault(ErrorCode.ERROR_CODE_INVALID_PAYLOAD, message, type);
}

function toView(row: JobCheckpointRow): CheckpointView {
  return {
    jobId: row.job_id,
    checkpointId: row.checkpoint_id,
    attempt: row.attempt,
    deviceId: row.device_id,
    totalBytes: row.total_bytes,
    step: row.step,
    epoch: row.epoch,
    createdAt: row.created_at,
  };
}
