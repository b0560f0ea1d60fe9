// The device's HTTP routes beside its socket.io channel: browser agents fetch dataset files there, addressed by
// SHA-256 and authenticated with the device credential (the same check as the socket handshake).
export const DEVICE_ID_HEADER = 'x-sparsefleet-device-id';
export const DEVICE_CREDENTIAL_HEADER = 'x-sparsefleet-credential';

/** GET ?directory=<absolute dataset directory> → DatasetListing (JSON). */
export const DATASET_LISTING_PATH = '/agent/api/datasets/listing';
/** GET <path>/<sha256> → the file's bytes. */
export const DATASET_BLOB_PATH = '/agent/api/datasets/blobs';

export interface DatasetFileEntry {
  readonly name: string;
  /** Lowercase hex SHA-256 of the file's bytes (as stored: gzipped files stay gzipped). */
  readonly sha256: string;
  readonly bytes: number;
}

export interface DatasetListing {
  readonly directory: string;
  readonly files: readonly DatasetFileEntry[];
}
