import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CheckpointFetchError, fetchCheckpoint } from '../../client/src/agent/checkpoint-fetch.js';
import { DEFAULT_CHECKPOINT_CHUNK_BYTES, MAX_CHECKPOINT_CHUNK_BYTES, checkpointUploadReports } from '../../client/src/agent/checkpoint-upload.js';
import { sha256Hex } from '../../client/src/agent/sha256.js';
import type { CheckpointFetchRequest, CheckpointFetchResponse } from '../../protocol/src/index.js';
import { ErrorCode, ProtocolFault } from '../../protocol/src/index.js';

function pseudoRandomBytes(length: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Serves `stored` like the coordinator; `script` may replace the answer to a request. */
function server(stored: Uint8Array, script?: (request: CheckpointFetchRequest, call: number) => CheckpointFetchResponse | Error | undefined) {
  const requests: CheckpointFetchRequest[] = [];
  const requestPiece = async (request: CheckpointFetchRequest): Promise<CheckpointFetchResponse> => {
    requests.push(request);
    const scripted = script?.(request, requests.length);
    if (scripted instanceof Error) throw scripted;
    if (scripted) return scripted;
    const data = stored.slice(request.offset, request.offset + request.length);
    return { checkpointId: sha(stored), offset: request.offset, totalBytes: stored.length, data };
  };
  return { requests, requestPiece };
}

describe(sha256Hex.name, () => {
  it('should match node:crypto', async () => {
    const bytes = pseudoRandomBytes(1000);
    expect(await sha256Hex(bytes)).toBe(sha(bytes));
  });
});

describe(checkpointUploadReports.name, () => {
  it('should split a checkpoint into ordered chunks of at most 1 MiB followed by the commit', async () => {
    // Prepare
    const bytes = pseudoRandomBytes(2 * MAX_CHECKPOINT_CHUNK_BYTES + 123);

    // Execute
    const { checkpointId, reports } = await checkpointUploadReports({ jobId: 'j', attempt: 2, bytes, step: 40, epoch: 1, chunkBytes: MAX_CHECKPOINT_CHUNK_BYTES });

    // Assert
    expect(checkpointId).toBe(sha(bytes));
    expect(reports.map((r) => r.type)).toEqual([
      'sparsefleet.v1.CheckpointChunk',
      'sparsefleet.v1.CheckpointChunk',
      'sparsefleet.v1.CheckpointChunk',
      'sparsefleet.v1.CheckpointCommit',
    ]);
    const chunks = reports.flatMap((r) => (r.type === 'sparsefleet.v1.CheckpointChunk' ? [r.message] : []));
    expect(chunks.map((c) => c.offset)).toEqual([0, MAX_CHECKPOINT_CHUNK_BYTES, 2 * MAX_CHECKPOINT_CHUNK_BYTES]);
    expect(chunks.every((c) => c.data.length <= MAX_CHECKPOINT_CHUNK_BYTES && c.totalBytes === bytes.length)).toBe(true);
    expect(sha(Buffer.concat(chunks.map((c) => c.data)))).toBe(checkpointId);
    expect(reports[3].message).toMatchObject({ jobId: 'j', attempt: 2, checkpointId, totalBytes: bytes.length, step: 40, epoch: 1 });
  });

  it('should use pieces of 512 KiB by default', async () => {
    const { reports } = await checkpointUploadReports({ jobId: 'j', attempt: 1, bytes: new Uint8Array(DEFAULT_CHECKPOINT_CHUNK_BYTES + 1), step: 1, epoch: 0 });
    expect(reports.map((r) => (r.type === 'sparsefleet.v1.CheckpointChunk' ? r.message.data.length : -1))).toEqual([DEFAULT_CHECKPOINT_CHUNK_BYTES, 1, -1]);
    expect(DEFAULT_CHECKPOINT_CHUNK_BYTES).toBe(512 * 1024);
  });

  it('should refuse pieces larger than 1 MiB', async () => {
    await expect(checkpointUploadReports({ jobId: 'j', attempt: 1, bytes: new Uint8Array(8), step: 1, epoch: 0, chunkBytes: MAX_CHECKPOINT_CHUNK_BYTES + 1 })).rejects.toThrow(
      RangeError,
    );
  });
});

describe(fetchCheckpoint.name, () => {
  const stored = pseudoRandomBytes(MAX_CHECKPOINT_CHUNK_BYTES + 5000, 3);
  const resume = { checkpointId: sha(stored), totalBytes: stored.length, step: 50, epoch: 1 };

  it('should fetch in pieces of at most 1 MiB and return the verified bytes', async () => {
    // Prepare
    const link = server(stored);

    // Execute
    const bytes = await fetchCheckpoint({ jobId: 'j', resume, requestPiece: link.requestPiece, pieceBytes: MAX_CHECKPOINT_CHUNK_BYTES });

    // Assert
    expect(Buffer.from(bytes).equals(Buffer.from(stored))).toBe(true);
    expect(link.requests.map((r) => [r.offset, r.length])).toEqual([
      [0, MAX_CHECKPOINT_CHUNK_BYTES],
      [MAX_CHECKPOINT_CHUNK_BYTES, 5000],
    ]);
    expect(link.requests.every((r) => r.jobId === 'j' && r.checkpointId === resume.checkpointId)).toBe(true);
  });

  it('should retry transient failures and then succeed', async () => {
    // Prepare: the link is down once, then the coordinator is busy once
    const link = server(stored, (_request, call) =>
      call === 1 ? new Error('not connected') : call === 2 ? new ProtocolFault(ErrorCode.ERROR_CODE_INTERNAL, 'busy') : undefined,
    );

    // Execute
    const bytes = await fetchCheckpoint({ jobId: 'j', resume, requestPiece: link.requestPiece, retryDelayMs: 1 });

    // Assert
    expect(bytes.length).toBe(stored.length);
    // Two failed tries of the first piece, then three default-size (512 KiB) pieces.
    expect(link.requests.map((r) => r.offset)).toEqual([0, 0, 0, 524288, 1048576]);
  });

  it('should fail at once with a clear error when the coordinator refuses', async () => {
    // Prepare
    const link = server(stored, () => new ProtocolFault(ErrorCode.ERROR_CODE_FORBIDDEN, 'job not assigned to this device'));

    // Execute
    const attempt = fetchCheckpoint({ jobId: 'j', resume, requestPiece: link.requestPiece, retryDelayMs: 1 });

    // Assert
    await expect(attempt).rejects.toThrow(CheckpointFetchError);
    await expect(attempt).rejects.toThrow(/could not fetch checkpoint [0-9a-f]{12} to resume from: job not assigned to this device/);
    expect(link.requests).toHaveLength(1);
  });

  it('should reject bytes that do not hash to the checkpoint id', async () => {
    // Prepare: the coordinator serves other bytes of the same size under the same id
    const other = pseudoRandomBytes(stored.length, 4);
    const link = server(other, (request) => ({ checkpointId: resume.checkpointId, offset: request.offset, totalBytes: other.length, data: other.slice(request.offset, request.offset + request.length) }));

    // Execute
    const attempt = fetchCheckpoint({ jobId: 'j', resume, requestPiece: link.requestPiece });

    // Assert
    await expect(attempt).rejects.toThrow(/the fetched bytes hash to [0-9a-f]{64}/);
  });

  it('should give up on a link that stays down past the timeout', async () => {
    // Prepare
    const link = server(stored, () => new Error('not connected'));

    // Execute
    const attempt = fetchCheckpoint({ jobId: 'j', resume, requestPiece: link.requestPiece, retryDelayMs: 5, timeoutMs: 30 });

    // Assert
    await expect(attempt).rejects.toThrow(/could not fetch checkpoint .*: not connected/);
  });
});
