// readCheckpointPosition: step and epoch of a TrainingCheckpoint, read through small windows without its tensors.
import protobuf from 'protobufjs/minimal.js';

const VARINT = 0;
const LENGTH_DELIMITED = 2;
const tag = (field: number, wireType: number): number => (field << 3) | wireType;
import { describe, expect, it } from 'vitest';
import { readCheckpointPosition } from '../../protocol/src/index.js';
import { pseudoRandomBytes, trainingCheckpoint } from './support/job-messages.js';

function readerOf(bytes: Uint8Array, reads: number[] = []) {
  return async (offset: number, length: number) => {
    reads.push(length);
    return bytes.subarray(offset, offset + length);
  };
}

describe(readCheckpointPosition.name, () => {
  it('should read step and epoch of an encoded checkpoint from its first window', async () => {
    const bytes = trainingCheckpoint(123_456_789, 7, 3 * 1024 * 1024, 2);
    const reads: number[] = [];
    expect(await readCheckpointPosition(readerOf(bytes, reads), bytes.byteLength)).toEqual({ step: 123_456_789, epoch: 7 });
    expect(reads).toHaveLength(1);
  });

  it('should skip large fields that come first, reading only around field headers', async () => {
    // The fields in another order, as any protobuf encoder may write them: two big tensors, then epoch and step.
    const writer = protobuf.Writer.create();
    writer.uint32(tag(5, LENGTH_DELIMITED)).bytes(pseudoRandomBytes(300_000, 1));
    writer.uint32(tag(13, LENGTH_DELIMITED)).string('fingerprint');
    writer.uint32(tag(5, LENGTH_DELIMITED)).bytes(pseudoRandomBytes(65_530, 3));
    writer.uint32(tag(3, VARINT)).uint32(4);
    writer.uint32(tag(2, VARINT)).uint64(99);
    const bytes = writer.finish();
    const reads: number[] = [];

    const position = await readCheckpointPosition(readerOf(bytes, reads), bytes.byteLength);

    expect(position).toEqual({ step: 99, epoch: 4 });
    expect(reads.reduce((sum, length) => sum + length, 0)).toBeLessThan(bytes.byteLength);
  });

  it('should read absent fields as 0 and refuse bytes whose fields run past the end', async () => {
    const empty = protobuf.Writer.create().uint32(tag(13, LENGTH_DELIMITED)).string('x').finish();
    const truncated = trainingCheckpoint(5, 1, 1000).subarray(0, 500);
    expect(await readCheckpointPosition(readerOf(empty), empty.byteLength)).toEqual({ step: 0, epoch: 0 });
    // Step and epoch come first in the engine's encoding: found before the cut.
    expect(await readCheckpointPosition(readerOf(truncated), truncated.byteLength)).toEqual({ step: 5, epoch: 1 });
    const lying = protobuf.Writer.create().uint32(tag(5, LENGTH_DELIMITED)).uint32(1_000_000).finish();
    await expect(readCheckpointPosition(readerOf(lying), lying.byteLength)).rejects.toThrow(/past the end/);
  });
});
