// The forgetting tracker's snapshot inside a checkpoint (`forgetting_snapshot`, an engine-defined layout):
//   u32 count n, then ids[n] u32, presentations[n] u32, events[n] u32, learned[n] u8, lastCorrect[n] u8,
// all little-endian. Empty bytes = a tracker that has seen nothing.
import type { ForgettingSnapshot } from '../forgetting/tracker.js';

export class ForgettingSnapshotDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForgettingSnapshotDecodeError';
  }
}

export function encodeForgettingSnapshot(snapshot: ForgettingSnapshot): Uint8Array {
  const n = snapshot.ids.length;
  const bytes = new Uint8Array(4 + 12 * n + 2 * n);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, n, true);
  let at = 4;
  for (const column of [snapshot.ids, snapshot.presentations, snapshot.events]) {
    for (let i = 0; i < n; i++, at += 4) view.setUint32(at, column[i], true);
  }
  bytes.set(snapshot.learned, at);
  bytes.set(snapshot.lastCorrect, at + n);
  return bytes;
}

export function decodeForgettingSnapshot(bytes: Uint8Array): ForgettingSnapshot {
  if (bytes.length === 0) return emptySnapshot();
  if (bytes.length < 4) throw new ForgettingSnapshotDecodeError(`snapshot of ${bytes.length} bytes has no count`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true);
  const expected = 4 + 14 * n;
  if (bytes.length !== expected) throw new ForgettingSnapshotDecodeError(`snapshot of ${n} ids needs ${expected} bytes, got ${bytes.length}`);
  const columns = [new Uint32Array(n), new Uint32Array(n), new Uint32Array(n)];
  let at = 4;
  for (const column of columns) {
    for (let i = 0; i < n; i++, at += 4) column[i] = view.getUint32(at, true);
  }
  return {
    ids: columns[0],
    presentations: columns[1],
    events: columns[2],
    learned: bytes.slice(at, at + n),
    lastCorrect: bytes.slice(at + n, at + 2 * n),
  };
}

function emptySnapshot(): ForgettingSnapshot {
  return { ids: new Uint32Array(0), presentations: new Uint32Array(0), events: new Uint32Array(0), learned: new Uint8Array(0), lastCorrect: new Uint8Array(0) };
}
