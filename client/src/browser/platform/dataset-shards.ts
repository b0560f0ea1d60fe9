// A browser agent's job data: the coordinator derives the job's dataset shard (the examples its limits and fleet
// shard select, client/src/engine/data/shard.ts) and names it by the SHA-256 of its bytes; the agent fetches it with
// its device credential, verifies the hash, keeps it in the Cache API (a reload, a retry or the next job with the same
// selection reads it from there, verified again) and decodes it, checking it is the selection the job asks for.
import { DATASET_JOB_PATH, DATASET_SHARD_PATH, type DatasetShardManifest } from '../../../../protocol/src/index.js';
import type { JobDatasets } from '../../agent/platform.js';
import { sha256Hex } from '../../agent/sha256.js';
import { datasetDirectoryOf, decodeDatasetShard, shardSelectionOf, type DataFiles } from '../../engine/data/index.js';

/** Device credential headers for the coordinator's dataset routes; undefined until the device is enrolled. */
export type DeviceHeaders = () => Promise<Record<string, string> | undefined>;

export const DATASET_CACHE = 'sparsefleet-datasets';

export class DatasetHashMismatchError extends Error {
  constructor(expected: string, actual: string) {
    super(`dataset shard: SHA-256 is ${actual}, the coordinator named ${expected}`);
    this.name = 'DatasetHashMismatchError';
  }
}

/** `warn` hears of a cached shard that no longer had its hash (it is fetched again). */
export function httpJobDatasets(origin: string, headers: DeviceHeaders, warn: (message: string) => void): JobDatasets {
  return async (jobId, spec) => {
    if (datasetDirectoryOf(spec) === undefined) return undefined; // generated on the device
    const manifest = await fetchManifest(origin, jobId, headers);
    if (manifest === undefined) return undefined;
    return decodeDatasetShard(await cachedShard(origin, manifest, headers, warn), shardSelectionOf(spec));
  };
}

/**
 * A browser has no dataset files of its own: a job whose coordinator has no shard for it (its files are missing
 * there too) falls back to synthetic data, as a Node agent without the files does.
 */
export const NO_DATASET_FILES: DataFiles = {
  read: async () => undefined,
  list: async () => undefined,
  join: (directory, name) => `${directory.replace(/\/+$/, '')}/${name}`,
  gunzip: async () => {
    throw new Error('a browser agent reads no dataset files');
  },
};

async function fetchManifest(origin: string, jobId: string, headers: DeviceHeaders): Promise<DatasetShardManifest | undefined> {
  const url = new URL(`${DATASET_JOB_PATH}/${encodeURIComponent(jobId)}/shard`, origin);
  const response = await fetch(url, { headers: await requireHeaders(headers) });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`dataset shard of job ${jobId}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as DatasetShardManifest;
}

/** The shard's bytes from the cache, else from the coordinator; either way checked against the manifest's hash. */
async function cachedShard(origin: string, manifest: DatasetShardManifest, headers: DeviceHeaders, warn: (message: string) => void): Promise<Uint8Array> {
  const url = new URL(`${DATASET_SHARD_PATH}/${manifest.sha256}`, origin).toString();
  const cache = await caches.open(DATASET_CACHE);
  const cached = await cache.match(url);
  if (cached) {
    const bytes = new Uint8Array(await cached.arrayBuffer());
    const actual = await sha256Hex(bytes);
    if (actual === manifest.sha256) return bytes;
    warn(`cached dataset shard ${manifest.sha256} is damaged (SHA-256 ${actual}); fetching it again`);
    await cache.delete(url);
  }
  const response = await fetch(url, { headers: await requireHeaders(headers) });
  if (!response.ok) throw new Error(`dataset shard ${manifest.sha256}: HTTP ${response.status} ${await response.text()}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const actual = await sha256Hex(bytes);
  if (actual !== manifest.sha256) throw new DatasetHashMismatchError(manifest.sha256, actual);
  await cache.put(url, new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } }));
  return bytes;
}

async function requireHeaders(headers: DeviceHeaders): Promise<Record<string, string>> {
  const values = await headers();
  if (values === undefined) throw new Error('dataset shards need an enrolled device (no credential yet)');
  return values;
}
