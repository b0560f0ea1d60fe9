// Checkpoint bytes on disk, content-addressed: `<dataDir>/checkpoints/<sha256>.part` while chunks arrive (each
// written at its offset, so a resent chunk rewrites the same bytes), `<sha256>.bin` once committed and verified.
import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';

export type CommitOutcome =
  | { readonly kind: 'stored' }
  | { readonly kind: 'already-stored' }
  | { readonly kind: 'incomplete'; readonly haveBytes: number }
  | { readonly kind: 'hash-mismatch'; readonly actual: string };

@Injectable()
export class CheckpointStore {
  readonly directory: string;

  constructor(@Inject(COORDINATOR_CONFIG) config: CoordinatorConfig) {
    this.directory = path.join(config.dataDir, 'checkpoints');
  }

  /** Writes `data` at `offset` of the partial file; a no-op when the checkpoint is already stored. */
  async writeChunk(checkpointId: string, offset: number, data: Uint8Array): Promise<void> {
    if (await this.isStored(checkpointId)) return;
    await mkdir(this.directory, { recursive: true });
    // O_CREAT without O_TRUNC: chunks may arrive in any order, several at once.
    const file = await open(this.partPath(checkpointId), constants.O_RDWR | constants.O_CREAT, 0o600);
    try {
      await file.write(data, 0, data.byteLength, offset);
    } finally {
      await file.close();
    }
  }

  /** Verifies size and sha256 of the uploaded bytes, then makes them the stored checkpoint. */
  async commit(checkpointId: string, totalBytes: number): Promise<CommitOutcome> {
    if (await this.isStored(checkpointId)) return { kind: 'already-stored' };
    const part = this.partPath(checkpointId);
    const size = await fileSize(part);
    if (size !== totalBytes) return { kind: 'incomplete', haveBytes: size };
    const actual = await sha256OfFile(part);
    if (actual !== checkpointId) {
      // The bytes are wrong somewhere: start over rather than keep a corrupt part.
      await unlink(part).catch(() => undefined);
      return { kind: 'hash-mismatch', actual };
    }
    await rename(part, this.binPath(checkpointId));
    return { kind: 'stored' };
  }

  /** Up to `length` bytes of a stored checkpoint from `offset`, and its total size. */
  async read(checkpointId: string, offset: number, length: number): Promise<{ data: Uint8Array; totalBytes: number }> {
    const file = await open(this.binPath(checkpointId), 'r');
    try {
      const totalBytes = (await file.stat()).size;
      const wanted = Math.max(0, Math.min(length, totalBytes - offset));
      const data = new Uint8Array(wanted);
      let filled = 0;
      while (filled < wanted) {
        const { bytesRead } = await file.read(data, filled, wanted - filled, offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return { data: data.subarray(0, filled), totalBytes };
    } finally {
      await file.close();
    }
  }

  async isStored(checkpointId: string): Promise<boolean> {
    return (await fileSize(this.binPath(checkpointId))) >= 0;
  }

  private partPath(checkpointId: string): string {
    return path.join(this.directory, `${checkpointId}.part`);
  }

  private binPath(checkpointId: string): string {
    return path.join(this.directory, `${checkpointId}.bin`);
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
