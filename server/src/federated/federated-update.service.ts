// Client updates arriving in pieces (FederatedUpdateChunk). A piece is accepted only from the device of that round's
// participant, while the round is open and the participant still out. Pieces are idempotent by (job, round,
// client, chunk): a resend is a no-op, other content under the same key a CONFLICT. Once every piece is in, the
// update is decoded and validated against the round's model (engine's validateUpdate): a bad one is refused with
// INVALID_PAYLOAD and leaves the round untouched; a good one is stored once (a conditional change of the
// participant) and the round is asked to check whether it can close. A complete update resent later is acked
// again without being stored twice; an update for a closed round is refused ATTEMPT_ENDED and never applied.
import { Inject, Injectable, Optional } from '@nestjs/common';
import { CLOCK, clockDate, realClock, type Clock } from '../common/clock.js';
import {
  ErrorCode,
  ProtocolFault,
  joinBodyChunks,
  type FederatedUpdateAck,
  type FederatedUpdateChunk,
} from '../../../protocol/src/index.js';
import { fromBase64, pieceDigest, pieceProblem, toBase64 } from '../common/stored-pieces.js';
import { checkUpdate } from './federated-algebra.js';
import { FederatedModels } from './federated-models.js';
import { FederatedRoundService } from './federated-round.service.js';
import type { FederatedJobSpec } from './federated-spec.js';
import { FederatedRepository, type FederatedParticipantRow, type ParticipantKey } from './federated.repository.js';

const TYPE = 'sparsefleet.v1.FederatedUpdateChunk';
/** Largest encoded update accepted (a dense ResNet-32 in f32 is under 2 MiB). */
export const MAX_FEDERATED_UPDATE_BYTES = 256 * 1024 * 1024;
export const MAX_FEDERATED_PIECE_BYTES = 1024 * 1024;

@Injectable()
export class FederatedUpdateService {
  constructor(
    private readonly repository: FederatedRepository,
    private readonly models: FederatedModels,
    private readonly rounds: FederatedRoundService,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = realClock,
  ) {}

  async applyChunk(chunk: FederatedUpdateChunk, deviceId: string): Promise<FederatedUpdateAck> {
    const key: ParticipantKey = { jobId: chunk.federatedJobId, round: chunk.round, clientIndex: chunk.clientIndex };
    const participant = await this.requireParticipant(key, chunk, deviceId);
    if (participant.state === 'updated') return { complete: true };
    const round = await this.repository.findRoundHeader(key.jobId, key.round);
    if (!round || round.state !== 'open' || participant.state !== 'selected') {
      if (participant.state === 'dropped') {
        await this.repository.transitionParticipant(key, ['dropped'], { state: 'late', updated_at: clockDate(this.clock).toISOString() });
      }
      throw new ProtocolFault(ErrorCode.ERROR_CODE_ATTEMPT_ENDED, `round ${key.round} of federated job ${key.jobId} has closed for this client; the update is not applied`, TYPE);
    }
    const problem = pieceProblem(chunk, { maxBodyBytes: MAX_FEDERATED_UPDATE_BYTES, maxPieceBytes: MAX_FEDERATED_PIECE_BYTES, bodyName: 'update' });
    if (problem) throw new ProtocolFault(ErrorCode.ERROR_CODE_INVALID_PAYLOAD, problem, TYPE);
    const digest = pieceDigest(chunk);
    const inserted = await this.repository.insertChunk({
      job_id: key.jobId,
      round: key.round,
      client_index: key.clientIndex,
      chunk_index: chunk.chunkIndex,
      chunk_count: chunk.chunkCount,
      total_bytes: chunk.totalBytes,
      checksum: chunk.checksum,
      digest,
      data: toBase64(chunk.data),
      received_at: clockDate(this.clock).toISOString(),
    });
    if (!inserted) {
      const stored = await this.repository.findChunk(key, chunk.chunkIndex);
      if (stored && stored.digest !== digest) {
        throw new ProtocolFault(ErrorCode.ERROR_CODE_CONFLICT, `piece ${chunk.chunkIndex} of this update arrived before with other content`, TYPE);
      }
    }
    const pieces = await this.repository.listChunks(key);
    if (pieces.length < chunk.chunkCount) return { complete: false };
    return this.accept(key, pieces, round.round);
  }

  private async accept(key: ParticipantKey, pieces: Awaited<ReturnType<FederatedRepository['listChunks']>>, round: number): Promise<FederatedUpdateAck> {
    let body: Uint8Array;
    try {
      body = joinBodyChunks(
        pieces.map((piece) => ({
          chunkIndex: piece.chunk_index,
          chunkCount: piece.chunk_count,
          totalBytes: piece.total_bytes,
          checksum: piece.checksum,
          data: fromBase64(piece.data),
        })),
      );
    } catch (error) {
      await this.reject(key, `pieces do not make the update: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
    const job = await this.repository.findJobHeader(key.jobId);
    const model = await this.models.of(key.jobId, round);
    if (!job || !model) throw new ProtocolFault(ErrorCode.ERROR_CODE_NOT_FOUND, `federated job ${key.jobId} round ${round} is gone`, TYPE);
    const spec = JSON.parse(job.spec_json) as FederatedJobSpec;
    const checked = checkUpdate(model.decoded(), body, spec, round);
    if ('problem' in checked) {
      await this.reject(key, checked.problem);
      throw new ProtocolFault(ErrorCode.ERROR_CODE_INVALID_PAYLOAD, `update refused, the round's model is unchanged: ${checked.problem}`, TYPE);
    }
    const { update } = checked;
    const stored = await this.repository.acceptUpdate(key, {
      state: 'updated',
      reason: null,
      examples: update.examples,
      steps_done: update.stepsDone,
      steps_planned: update.stepsPlanned,
      loss: Number.isFinite(update.metrics.loss) ? update.metrics.loss : null,
      bytes_up: body.length,
      update_body: toBase64(body),
      updated_at: clockDate(this.clock).toISOString(),
    }, body.length);
    await this.repository.deleteChunks(key);
    if (stored) void this.rounds.advance(key.jobId);
    return { complete: true };
  }

  private async reject(key: ParticipantKey, reason: string): Promise<void> {
    await this.repository.deleteChunks(key);
    await this.repository.transitionParticipant(key, ['selected'], { state: 'rejected', reason, updated_at: clockDate(this.clock).toISOString() });
    void this.rounds.advance(key.jobId);
  }

  private async requireParticipant(key: ParticipantKey, chunk: FederatedUpdateChunk, deviceId: string): Promise<FederatedParticipantRow> {
    const participant = await this.repository.findParticipant(key);
    if (!participant || participant.task_job_id !== chunk.jobId) {
      throw new ProtocolFault(ErrorCode.ERROR_CODE_NOT_FOUND, `job ${chunk.jobId} is not client ${key.clientIndex} of round ${key.round} of federated job ${key.jobId}`, TYPE);
    }
    if (participant.device_id !== deviceId) throw new ProtocolFault(ErrorCode.ERROR_CODE_FORBIDDEN, `client task ${chunk.jobId} is not assigned to this device`, TYPE);
    if (participant.state === 'rejected') {
      throw new ProtocolFault(ErrorCode.ERROR_CODE_ATTEMPT_ENDED, `this client's update of round ${key.round} was refused: ${participant.reason ?? ''}`, TYPE);
    }
    return participant;
  }
}
