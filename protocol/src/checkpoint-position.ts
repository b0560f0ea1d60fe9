// Reads where in training a stored TrainingCheckpoint is (its `step` and `epoch`) without decoding the tensors:
// walks the top-level fields and skips every length-delimited one by its length, reading the blob through a
// positional `read` in small windows. The coordinator records these values instead of trusting a commit message.
import protobuf from 'protobufjs/minimal.js';

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

// Field numbers of sparsefleet.v1.TrainingCheckpoint (proto/sparsefleet/v1/checkpoint.proto).
const STEP_FIELD = 2;
const EPOCH_FIELD = 3;
/** Enough for a tag and a varint (each at most 10 bytes), read ahead so one window holds a whole header. */
const WINDOW_BYTES = 64 * 1024;
const MAX_HEADER_BYTES = 20;

export interface CheckpointPosition {
  readonly step: number;
  readonly epoch: number;
}

/** Reads up to `length` bytes at `offset` (fewer only at the end). */
export type PositionalRead = (offset: number, length: number) => Promise<Uint8Array>;

/** Throws when the bytes are not a well-formed sequence of protobuf fields. Absent fields read as 0 (proto3). */
export async function readCheckpointPosition(read: PositionalRead, totalBytes: number): Promise<CheckpointPosition> {
  let step = 0;
  let epoch = 0;
  let seen = 0;
  let offset = 0;
  while (offset < totalBytes && seen < 2) {
    const window = await read(offset, Math.min(WINDOW_BYTES, totalBytes - offset));
    if (window.byteLength === 0) throw new Error(`checkpoint ends at byte ${offset}, before its declared ${totalBytes}`);
    const atEnd = offset + window.byteLength === totalBytes;
    const reader = protobuf.Reader.create(window);
    let jumpTo: number | undefined;
    while (reader.pos < reader.len && seen < 2) {
      // Near the window's end a header may be cut off: read the next window from here.
      if (!atEnd && reader.len - reader.pos < MAX_HEADER_BYTES) break;
      const tag = reader.uint32();
      const field = tag >>> 3;
      const wireType = tag & 7;
      if (wireType === WIRE_LENGTH_DELIMITED) {
        const end = reader.uint32() + reader.pos;
        if (offset + end > totalBytes) throw new Error(`field ${field} runs past the end of the checkpoint`);
        if (end > reader.len) {
          jumpTo = offset + end;
          break;
        }
        reader.pos = end;
      } else if (field === STEP_FIELD && wireType === WIRE_VARINT) {
        step = Number(reader.uint64().toString()); // a Long when the `long` package is present, else a number
        seen += 1;
      } else if (field === EPOCH_FIELD && wireType === WIRE_VARINT) {
        epoch = reader.uint32();
        seen += 1;
      } else {
        reader.skipType(wireType);
      }
    }
    offset = jumpTo ?? offset + reader.pos;
  }
  return { step, epoch };
}

