// The device's HTTP routes beside its socket.io channel: browser agents fetch their job's dataset shard there,
// addressed by SHA-256 and authenticated with the device credential (the same check as the socket handshake).
export const DEVICE_ID_HEADER = 'x-sparsefleet-device-id';
export const DEVICE_CREDENTIAL_HEADER = 'x-sparsefleet-credential';

/** GET <path>/<jobId>/shard → DatasetShardManifest (JSON), for the device that holds the job. */
export const DATASET_JOB_PATH = '/agent/api/datasets/jobs';
/** GET <path>/<sha256> → the shard's bytes (client/src/engine/data/shard.ts). */
export const DATASET_SHARD_PATH = '/agent/api/datasets/shards';

/** Which shard a job trains on: the examples its limits and fleet shard select, by the hash of their bytes. */
export interface DatasetShardManifest {
  readonly jobId: string;
  /** Lowercase hex SHA-256 of the shard's bytes. */
  readonly sha256: string;
  readonly bytes: number;
  readonly trainExamples: number;
  readonly testExamples: number;
}
