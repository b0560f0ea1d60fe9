// The forgetting tracker's snapshot inside a checkpoint (`forgetting_snapshot`, an engine-defined layout), all
// little-endian. Empty bytes = a tracker that has seen nothing.
//
// Layout 2 (written now):
//   magic "SFFS" (0x53 0x46 0x46 0x53), u8 layout version 2, 3 bytes reserved (0), u32 count n,
//   then ids[n] u32, presentations[n] u32, events[n] u32, firstLearned[n] u32, lastCorrect[n] u8.
//   Exactly 12 + 17n bytes. "learned" is firstLearned > 0.
// Layout 1 (checkpoints written before first-learned epochs were kept; still restored):
//   u32 count n, then ids[n] u32, presentations[n] u32, events[n] u32, learned[n] u8, lastCorrect[n] u8.
//   Exactly 4 + 14n bytes. It does not say when an example was learned: a learned example restores with
//   firstLearned = 1 (learned in epoch 0), the earliest possible value, so a merge (min of non-zero) never makes it
//   later than the truth and the forgetting count (which only asks "learned or not") is unchanged.
// The two cannot be confused: a layout-1 blob starting with the magic would declare ~1.4e9 ids (about 19 GB).
import type { ForgettingSnapshot } from '../forgetting/tracker.js';

export class ForgettingSnapshotDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForgettingSnapshotDecodeError';
  }
}

const MAGIC = [0x53, 0x46, 0x46, 0x53] as const;
export const FORGETTING_SNAPSHOT_LAYOUT = 2;
const HEADER_BYTES = 12;
const BYTES_PER_ID = 17;
const LEGACY_BYTES_PER_ID = 14;

export function encodeForgettingSnapshot(snapshot: ForgettingSnapshot): Uint8Array {
  const n = snapshot.ids.length;
  const bytes = new Uint8Array(HEADER_BYTES + BYTES_PER_ID * n);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  view.setUint8(4, FORGETTING_SNAPSHOT_LAYOUT);
  view.setUint32(8, n, true);
  let at = HEADER_BYTES;
  for (const column of [snapshot.ids, snapshot.presentations, snapshot.events, snapshot.firstLearned]) {
    if (column.length !== n) throw new RangeError(`snapshot has ${n} ids but a column of ${column.length}`);
    for (let i = 0; i < n; i++, at += 4) view.setUint32(at, column[i], true);
  }
  bytes.set(snapshot.lastCorrect, at);
  return bytes;
}

export function decodeForgettingSnapshot(bytes: Uint8Array): ForgettingSnapshot {
  if (bytes.length === 0) return emptySnapshot();
  if (bytes.length < 4) throw new ForgettingSnapshotDecodeError(`snapshot of ${bytes.length} bytes has no count`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!MAGIC.every((byte, i) => bytes[i] === byte)) return decodeLayout1(bytes, view);
  if (bytes.length < HEADER_BYTES) throw new ForgettingSnapshotDecodeError(`snapshot of ${bytes.length} bytes has no header`);
  const layout = view.getUint8(4);
  if (layout !== FORGETTING_SNAPSHOT_LAYOUT) throw new ForgettingSnapshotDecodeError(`snapshot layout ${layout} is not supported (expected 1 or 2)`);
  const n = view.getUint32(8, true);
  const expected = HEADER_BYTES + BYTES_PER_ID * n;
  if (bytes.length !== expected) throw new ForgettingSnapshotDecodeError(`snapshot of ${n} ids needs ${expected} bytes, got ${bytes.length}`);
  const [ids, presentations, events, firstLearned] = readColumns(view, HEADER_BYTES, n, 4);
  const at = HEADER_BYTES + 16 * n;
  return { ids, presentations, events, firstLearned, learned: Uint8Array.from(firstLearned, (epoch) => (epoch > 0 ? 1 : 0)), lastCorrect: bytes.slice(at, at + n) };
}

function decodeLayout1(bytes: Uint8Array, view: DataView): ForgettingSnapshot {
  const n = view.getUint32(0, true);
  const expected = 4 + LEGACY_BYTES_PER_ID * n;
  if (bytes.length !== expected) throw new ForgettingSnapshotDecodeError(`snapshot of ${n} ids needs ${expected} bytes, got ${bytes.length}`);
  const [ids, presentations, events] = readColumns(view, 4, n, 3);
  const at = 4 + 12 * n;
  const learned = bytes.slice(at, at + n);
  return { ids, presentations, events, learned, lastCorrect: bytes.slice(at + n, at + 2 * n), firstLearned: Uint32Array.from(learned, (flag) => (flag !== 0 ? 1 : 0)) };
}

function readColumns(view: DataView, from: number, n: number, count: number): Uint32Array[] {
  const columns = Array.from({ length: count }, () => new Uint32Array(n));
  let at = from;
  for (const column of columns) {
    for (let i = 0; i < n; i++, at += 4) column[i] = view.getUint32(at, true);
  }
  return columns;
}

function emptySnapshot(): ForgettingSnapshot {
  return {
    ids: new Uint32Array(0),
    presentations: new Uint32Array(0),
    events: new Uint32Array(0),
    learned: new Uint8Array(0),
    lastCorrect: new Uint8Array(0),
    firstLearned: new Uint32Array(0),
  };
}
