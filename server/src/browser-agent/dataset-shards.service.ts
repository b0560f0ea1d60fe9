// A job's dataset shard for the browser device that holds it: the examples the job's limits and fleet shard select,
// derived from the coordinator's own files (under the configured dataset roots) with the engine's loader, so they are
// the examples a Node agent with the files would train on, and addressed by the SHA-256 of the shard's bytes.
// Shards are kept in memory, newest first, up to a byte budget; one that was dropped is derived again on request.
import { createHash } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { DatasetShardManifest, TrainingJobSpec } from '../../../protocol/src/index.js';
import {
  DatasetShardError,
  datasetDirectoryOf,
  datasetShardSummary,
  datasetSpecOf,
  deriveDatasetShard,
  jobSpecToTrainConfig,
  shardSelectionOf,
  type LoadDatasetsSpec,
} from '../../../client/src/engine/spec.js';
export type { DatasetShardManifest };
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import { JobService } from '../jobs/job.service.js';

/** Shard bytes kept in memory (Fashion-MNIST's full training split is 47 MB as a shard). */
const CACHE_BYTES = 256 * 1024 * 1024;

export class DatasetShardRefusal extends Error {
  constructor(
    message: string,
    readonly kind: 'not-found' | 'forbidden',
  ) {
    super(message);
    this.name = 'DatasetShardRefusal';
  }
}

interface Shard {
  readonly sha256: string;
  readonly bytes: Uint8Array;
}

@Injectable()
export class DatasetShardService {
  /** Derived (or being derived) shards by selection key, in use order (oldest first). */
  private readonly bySelection = new Map<string, Promise<Shard>>();
  private readonly byHash = new Map<string, Shard>();

  constructor(
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
    private readonly jobs: JobService,
  ) {}

  /** The shard of a job assigned to `deviceId` (now, or last); throws DatasetShardRefusal otherwise. */
  async forJob(jobId: string, deviceId: string): Promise<DatasetShardManifest> {
    const job = await this.jobs.get(jobId);
    if (job === undefined) throw new DatasetShardRefusal(`no job ${jobId}`, 'not-found');
    if (job.deviceId !== deviceId) throw new DatasetShardRefusal(`job ${jobId} is not assigned to device ${deviceId}`, 'forbidden');
    const spec = trainingDataOf(job.spec);
    if (spec === undefined) throw new DatasetShardRefusal(`job ${jobId} trains on no data set (a benchmark cell)`, 'not-found');
    const directory = datasetDirectoryOf(spec);
    if (directory === undefined) throw new DatasetShardRefusal(`${spec.name} is generated on the device; it has no shard`, 'not-found');
    const real = await this.allowedDirectory(directory);
    const selection = shardSelectionOf(spec);
    const key = JSON.stringify({ directory: real, selection, mtime: (await stat(real)).mtimeMs });
    const shard = await this.derive(key, () => deriveDatasetShard({ ...spec, path: real }));
    const { trainExamples, testExamples } = datasetShardSummary(shard.bytes);
    return { jobId, sha256: shard.sha256, bytes: shard.bytes.length, trainExamples, testExamples };
  }

  /** A shard this coordinator derived, by the SHA-256 of its bytes; undefined once it has been dropped. */
  bytes(sha256: string): Uint8Array | undefined {
    return this.byHash.get(sha256)?.bytes;
  }

  private async derive(key: string, make: () => Promise<Uint8Array>): Promise<Shard> {
    let pending = this.bySelection.get(key);
    if (pending === undefined) {
      pending = make().then(
        (bytes) => ({ sha256: createHash('sha256').update(bytes).digest('hex'), bytes }),
        (error: unknown) => {
          this.bySelection.delete(key);
          if (error instanceof DatasetShardError) throw new DatasetShardRefusal(error.message, 'not-found');
          throw error;
        },
      );
    } else {
      this.bySelection.delete(key); // re-inserted below: most recently used last
    }
    this.bySelection.set(key, pending);
    const shard = await pending;
    this.byHash.set(shard.sha256, shard);
    await this.trim();
    return shard;
  }

  private async trim(): Promise<void> {
    let total = 0;
    const newestFirst = [...this.bySelection.entries()].reverse();
    for (const [key, pending] of newestFirst) {
      const shard = await pending.catch(() => undefined);
      if (shard === undefined) continue;
      total += shard.bytes.length;
      if (total > CACHE_BYTES && total !== shard.bytes.length) {
        this.bySelection.delete(key);
        this.byHash.delete(shard.sha256);
      }
    }
  }

  private async allowedDirectory(directory: string): Promise<string> {
    if (!isAbsolute(directory)) throw new DatasetShardRefusal(`dataset directory must be an absolute path: ${directory}`, 'forbidden');
    const real = await realpath(directory).catch(() => undefined);
    if (real === undefined) throw new DatasetShardRefusal(`the coordinator has no dataset directory ${directory}`, 'not-found');
    for (const root of this.config.datasetRoots) {
      const realRoot = await realpath(root).catch(() => undefined);
      if (realRoot === undefined) continue;
      const inside = relative(realRoot, real);
      if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) return real;
    }
    throw new DatasetShardRefusal(`${directory} is outside the coordinator's dataset roots`, 'forbidden');
  }
}

/** What a training job's spec trains on; undefined for specs that are not training runs (benchmark cells). */
function trainingDataOf(spec: TrainingJobSpec): LoadDatasetsSpec | undefined {
  if (spec.benchmark !== undefined) return undefined;
  return datasetSpecOf(jobSpecToTrainConfig(spec));
}
