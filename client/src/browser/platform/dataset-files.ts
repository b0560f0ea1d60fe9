// Dataset files for a browser agent: the coordinator lists a dataset directory's files with their SHA-256, the agent
// fetches each file by that hash (with its device credential), verifies it and keeps it in the Cache API, so a
// reload or the next job reads it from the cache. Paths are the coordinator's (the job spec's dataset directory).
import { DATASET_BLOB_PATH, DATASET_LISTING_PATH, type DatasetFileEntry, type DatasetListing } from '../../../../protocol/src/index.js';
import type { DataFiles } from '../../engine/data/files.js';
import { sha256Hex } from '../../agent/sha256.js';

/** Device credential headers for the coordinator's dataset routes; undefined until the device is enrolled. */
export type DeviceHeaders = () => Promise<Record<string, string> | undefined>;

export const DATASET_CACHE = 'sparsefleet-datasets';

export class DatasetHashMismatchError extends Error {
  constructor(name: string, expected: string, actual: string) {
    super(`dataset file ${name}: SHA-256 is ${actual}, the coordinator listed ${expected}`);
    this.name = 'DatasetHashMismatchError';
  }
}

export function httpDatasetFiles(origin: string, headers: DeviceHeaders): DataFiles {
  const listings = new Map<string, Promise<DatasetListing | undefined>>();
  const listing = (directory: string) => {
    let pending = listings.get(directory);
    if (!pending) {
      pending = fetchListing(origin, directory, headers);
      pending.catch(() => listings.delete(directory));
      listings.set(directory, pending);
    }
    return pending;
  };
  return {
    async read(path) {
      const { directory, name } = splitPath(path);
      const entry = (await listing(directory))?.files.find((file) => file.name === name);
      return entry === undefined ? undefined : cachedBlob(origin, entry, headers);
    },
    async list(directory) {
      return (await listing(directory))?.files.map((file) => file.name);
    },
    join: (directory, name) => `${directory.replace(/\/+$/, '')}/${name}`,
    gunzip,
  };
}

async function fetchListing(origin: string, directory: string, headers: DeviceHeaders): Promise<DatasetListing | undefined> {
  const url = new URL(DATASET_LISTING_PATH, origin);
  url.searchParams.set('directory', directory);
  const response = await fetch(url, { headers: await requireHeaders(headers) });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`dataset listing of ${directory}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as DatasetListing;
}

/** The file's bytes from the cache, else from the coordinator; either way checked against the listed hash. */
async function cachedBlob(origin: string, entry: DatasetFileEntry, headers: DeviceHeaders): Promise<Uint8Array> {
  const url = new URL(`${DATASET_BLOB_PATH}/${entry.sha256}`, origin).toString();
  const cache = await caches.open(DATASET_CACHE);
  const cached = await cache.match(url);
  if (cached) {
    const bytes = new Uint8Array(await cached.arrayBuffer());
    if ((await sha256Hex(bytes)) === entry.sha256) return bytes;
    await cache.delete(url); // damaged in storage: fetch it again
  }
  const response = await fetch(url, { headers: await requireHeaders(headers) });
  if (!response.ok) throw new Error(`dataset file ${entry.name}: HTTP ${response.status} ${await response.text()}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const actual = await sha256Hex(bytes);
  if (actual !== entry.sha256) throw new DatasetHashMismatchError(entry.name, entry.sha256, actual);
  await cache.put(url, new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } }));
  return bytes;
}

async function requireHeaders(headers: DeviceHeaders): Promise<Record<string, string>> {
  const values = await headers();
  if (values === undefined) throw new Error('dataset files need an enrolled device (no credential yet)');
  return values;
}

function splitPath(path: string): { directory: string; name: string } {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? { directory: '', name: path } : { directory: path.slice(0, slash), name: path.slice(slash + 1) };
}

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([new Uint8Array(bytes)]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
