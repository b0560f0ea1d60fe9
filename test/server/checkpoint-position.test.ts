// readCheckpointPosition: step and epoch of a TrainingCheckpoint, read through small windows without its tensors.
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
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
    const writer = new BinaryWriter();
    writer.tag(5, WireType.LengthDelimited).bytes(pseudoRandomBytes(300_000, 1));
    writer.tag(13, WireType.LengthDelimited).string('fingerprint');
    writer.tag(5, WireType.LengthDelimited).bytes(pseudoRandomBytes(65_530, 3));
    writer.tag(3, WireType.Varint).uint32(4);
    writer.tag(2, WireType.Varint).uint64(99);
    const bytes = writer.finish();
    const reads: number[] = [];

    const position = await readCheckpointPosition(readerOf(bytes, reads), bytes.byteLength);

    expect(position).toEqual({ step: 99, epoch: 4 });
    expect(reads.reduce((sum, length) => sum + length, 0)).toBeLessThan(bytes.byteLength);
  });

  it('should read absent fields as 0 and refuse bytes whose fields run past the end', async () => {
    const empty = new BinaryWriter().tag(13, WireType.LengthDelimited).string('x').finish();
    const truncated = trainingCheckpoint(5, 1, 1000).subarray(0, 500);
    expect(await readCheckpointPosition(readerOf(empty), empty.byteLength)).toEqual({ step: 0, epoch: 0 });
    // Step and epoch come first in the engine's encoding: found before the cut.
    expect(await readCheckpointPosition(readerOf(truncated), truncated.byteLength)).toEqual({ step: 5, epoch: 1 });
    const lying = new BinaryWriter().tag(5, WireType.LengthDelimited).uint32(1_000_000).finish();
    await expect(readCheckpointPosition(readerOf(lying), lying.byteLength)).rejects.toThrow(/past the end/);
  });
});
