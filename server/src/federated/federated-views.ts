// What operators see of a federated job: its plan, state and per-round metrics (participants, bytes down/up,
// duration, held-out accuracy), and each round's clients with their shards and outcomes. Plain objects, no wire types.
import { Injectable } from '@nestjs/common';
import { fromBase64 } from '../common/stored-pieces.js';
import type { FederatedJobDto, FederatedParticipantDto, FederatedRoundDto } from '../api/dto/index.js';
import { parseRoundStats } from './federated-round-stats.js';
import type { FederatedJobSpec } from './federated-spec.js';
import { FederatedRepository, type FederatedJobHeader } from './federated.repository.js';

export type FederatedRoundView = FederatedRoundDto;
export type FederatedParticipantView = FederatedParticipantDto;
export type FederatedJobView = FederatedJobDto;

@Injectable()
export class FederatedViews {
  constructor(private readonly repository: FederatedRepository) {}

  async list(): Promise<FederatedJobView[]> {
    return Promise.all((await this.repository.listJobs()).map((row) => this.viewOf(row)));
  }

  async get(id: string): Promise<FederatedJobView | undefined> {
    const row = await this.repository.findJobHeader(id);
    return row ? this.viewOf(row) : undefined;
  }

  /** The encoded model the job ended with (its last round's output), or undefined while it runs. */
  async finalModel(id: string): Promise<Uint8Array | undefined> {
    const job = await this.repository.findJobHeader(id);
    if (!job) return undefined;
    const round = await this.repository.findRound(id, job.current_round);
    return round?.state === 'final' ? fromBase64(round.model) : undefined;
  }

  async participants(id: string, round?: number): Promise<FederatedParticipantView[]> {
    return (await this.repository.listParticipants(id, round)).map((row) => ({
      round: row.round,
      clientIndex: row.client_index,
      deviceId: row.device_id,
      taskJobId: row.task_job_id,
      state: row.state,
      reason: row.reason,
      examples: row.examples,
      stepsDone: row.steps_done,
      stepsPlanned: row.steps_planned,
      loss: row.loss,
      bytesDown: row.bytes_down,
      bytesUp: row.bytes_up,
    }));
  }

  private async viewOf(row: FederatedJobHeader): Promise<FederatedJobView> {
    const { base, memoryEstimate: _estimate, shardSummary, ...plan } = JSON.parse(row.spec_json) as FederatedJobSpec;
    const summaries = (await this.repository.listRoundSummaries(row.id)).filter((round) => round.state !== 'final');
    const rounds: FederatedRoundView[] = summaries.map((round) => ({
      round: round.round,
      state: round.state as FederatedRoundView['state'],
      targetUpdates: round.target_updates,
      selected: round.selected,
      applied: round.applied,
      bytesDown: round.bytes_down,
      bytesUp: round.bytes_up,
      modelBytes: round.model_bytes,
      accuracy: round.accuracy,
      loss: round.loss,
      durationMs: round.opened_at && round.closed_at ? Date.parse(round.closed_at) - Date.parse(round.opened_at) : null,
      closeReason: round.close_reason,
      ...parseRoundStats(round.stats_json),
      openedAt: round.opened_at,
      closedAt: round.closed_at,
    }));
    const shards = (await this.repository.listClients(row.id))
      .map((client) => ({ clientIndex: client.client_index, deviceId: client.device_id }))
      .sort((a, b) => a.clientIndex - b.clientIndex);
    return {
      id: row.id,
      name: row.name,
      state: row.state,
      reason: row.reason,
      currentRound: row.current_round,
      plan: { ...plan, model: base.model, method: base.method, density: base.density },
      shards,
      partition: (shardSummary ?? []).map((shard) => ({ clientIndex: shard.clientIndex, examples: shard.examples, labelCounts: [...shard.labelCounts] })),
      rounds,
      totals: {
        bytesDown: rounds.reduce((sum, round) => sum + round.bytesDown, 0),
        bytesUp: rounds.reduce((sum, round) => sum + round.bytesUp, 0),
        appliedUpdates: rounds.reduce((sum, round) => sum + round.applied, 0),
      },
      createdAt: row.created_at,
      finishedAt: row.finished_at,
    };
  }
}
