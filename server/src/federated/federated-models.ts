// The global models of rounds, read from the database and kept decoded for the round in progress (every update of a
// round is checked against the same model, and every piece of a model download reads the same bytes).
import { Injectable } from '@nestjs/common';
import { fromBase64 } from '../common/stored-pieces.js';
import { decodeModel, type SparseTensorSet } from './federated-algebra.js';
import { FederatedRepository } from './federated.repository.js';

export interface RoundModel {
  readonly bytes: Uint8Array;
  readonly checksum: number;
  /** Decoded on first use. */
  decoded(): SparseTensorSet;
}

/** Models of this many rounds are kept (the rounds in progress of a few federated jobs). */
const CACHED_MODELS = 8;

@Injectable()
export class FederatedModels {
  private readonly cache = new Map<string, RoundModel>();

  constructor(private readonly repository: FederatedRepository) {}

  async of(jobId: string, round: number): Promise<RoundModel | undefined> {
    const key = `${jobId}|${round}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const row = await this.repository.findRound(jobId, round);
    if (!row) return undefined;
    const bytes = fromBase64(row.model);
    let decoded: SparseTensorSet | undefined;
    const model: RoundModel = { bytes, checksum: row.model_checksum, decoded: () => (decoded ??= decodeModel(bytes)) };
    this.cache.set(key, model);
    if (this.cache.size > CACHED_MODELS) this.cache.delete(this.cache.keys().next().value!);
    return model;
  }
}
