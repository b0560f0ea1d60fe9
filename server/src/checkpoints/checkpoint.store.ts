// Checkpoint bytes on disk, content-addressed: `<sha256>.bin` once committed and verified. Uploads are kept apart
// per job attempt while chunks arrive (`upload-<key>-<sha256>.part`, each chunk written at its offset, so a resent
// chunk rewrites the same bytes): a device commits only bytes it sent itself, even when the same content is
// stored already, so knowing a checkpoint's hash is not enough to claim (and then fetch) it.
import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';

/** One job attempt's upload: its chunks land in a file of their own. */
export interface UploadKey {
  readonly jobId: string;
  readonly attempt: number;
}

export type CommitOutcome =
  | { readonly kind: 'stored' }
  | { readonly kind: 'already-stored' }
  /** This upload sent all the bytes and they match, but the same content was stored before. */
  | { readonly kind: 'verified-duplicate' }
  | { readonly kind: 'incomplete'; readonly haveBytes: number }
  | { readonly kind: 'hash-mismatch'; readonly actual: string };

@Injectable()
export class CheckpointStore {
  readonly directory: string;

  constructor(@Inject(COORDINATOR_CONFIG) config: CoordinatorConfig) {
    this.directory = path.join(config.dataDir, 'checkpoints');
  }

  /** Writes `data` at `offset` of the upload's partial file. */
  async writeChunk(upload: UploadKey, checkpointId: string, offset: number, data: Uint8Array): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    // O_CREAT without O_TRUNC: chunks may arrive in any order, several at once.
    const file = await open(this.partPath(upload, checkpointId), constants.O_RDWR | constants.O_CREAT, 0o600);
    try {
      await file.write(data, 0, data.byteLength, offset);
    } finally {
      await file.close();
    }
  }

  /**
   * Verifies size and sha256 of the bytes this upload sent, then makes them the stored checkpoint (or, when the
   * same content is stored already, drops the duplicate). A commit resent after it succeeded finds no upload left
   * and the checkpoint stored: 'already-stored', for the caller to accept only if it recorded this upload's commit.
   */
  async commit(upload: UploadKey, checkpointId: string, totalBytes: number, inspect: InspectUpload): Promise<CommitOutcome> {
    const part = this.partPath(upload, checkpointId);
    const size = await fileSize(part);
    if (size < 0 && (await this.isStored(checkpointId))) return { kind: 'already-stored' };
    if (size !== totalBytes) return { kind: 'incomplete', haveBytes: size };
    const actual = await sha256OfFile(part);
    if (actual !== checkpointId) {
      // The bytes are wrong somewhere: start over rather than keep a corrupt part.
      await unlink(part).catch(() => undefined);
      return { kind: 'hash-mismatch', actual };
    }
    // The bytes are right; if the commit describing them is not, they stay for a correct commit.
    await inspect((offset, length) => readRange(part, offset, length));
    if (await this.isStored(checkpointId)) {
      await unlink(part).catch(() => undefined);
      return { kind: 'verified-duplicate' };
    }
    await rename(part, this.binPath(checkpointId));
    return { kind: 'stored' };
  }

  /** Up to `length` bytes of a stored checkpoint from `offset`, and its total size. */
  read(checkpointId: string, offset: number, length: number): Promise<{ data: Uint8Array; totalBytes: number }> {
    return readRange(this.binPath(checkpointId), offset, length);
  }

  async isStored(checkpointId: string): Promise<boolean> {
    return (await fileSize(this.binPath(checkpointId))) >= 0;
  }

  private partPath(upload: UploadKey, checkpointId: string): string {
    // Job ids come from the database, but a file name is no place to trust them: hash the upload's identity.
    const key = createHash('sha256').update(`${upload.jobId}\n${upload.attempt}`).digest('hex').slice(0, 32);
    return path.join(this.directory, `upload-${key}-${checkpointId}.part`);
  }

  private binPath(checkpointId: string): string {
    return path.join(this.directory, `${checkpointId}.bin`);
  }
}

/** Reads the verified bytes of an upload (up to `length` from `offset`); throws to refuse the commit. */
export type InspectUpload = (read: (offset: number, length: number) => Promise<{ data: Uint8Array }>) => Promise<void>;

async function readRange(file: string, offset: number, length: number): Promise<{ data: Uint8Array; totalBytes: number }> {
  const handle = await open(file, 'r');
  try {
    const totalBytes = (await handle.stat()).size;
    const wanted = Math.max(0, Math.min(length, totalBytes - offset));
    const data = new Uint8Array(wanted);
    let filled = 0;
    while (filled < wanted) {
      const { bytesRead } = await handle.read(data, filled, wanted - filled, offset + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { data: data.subarray(0, filled), totalBytes };
  } finally {
    await handle.close();
  }
}

/** The file's size, -1 when it does not exist. */
async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return -1;
    throw error;
  }
}

function sha256OfFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
