// Limits of the device channel, checked by `decodeFrame` on both sides: a frame's size and how deep its wire data
// nests before any decoder reads it, and how many elements a decoded repeated field or map holds before a handler
// sees it. Pure and browser-safe: no decoder is involved, the walk reads the protobuf wire format itself.
import { ErrorCode } from '../../generated/proto/wire-types.js';

/**
 * Largest envelope frame, in bytes: room for a 1 MiB checkpoint chunk or the mask of a large model plus the
 * envelope. Bigger payloads travel by reference in chunks.
 */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

/**
 * The transport's limit on one message (socket.io `maxHttpBufferSize`). Above MAX_FRAME_BYTES on purpose, with room
 * for base64 on HTTP long-polling (4/3) and packet framing: a frame that is too large but within this limit arrives
 * and is answered FRAME_TOO_LARGE; a message beyond it is dropped by the transport together with the connection.
 */
export const MAX_TRANSPORT_MESSAGE_BYTES = Math.ceil((MAX_FRAME_BYTES * 4) / 3) + 64 * 1024;

/**
 * Deepest nesting of groups and length-delimited messages a frame may have, the envelope being level 0. The
 * contract's deepest message is about 5 levels down (a checkpoint chunk whose bytes hold a serialized checkpoint
 * about 8); protobuf decoders recurse once per level (protobufjs without a bound on groups, ts-proto up to 100).
 */
export const MAX_NESTING_DEPTH = 32;

/** Most elements one repeated field or map of a decoded message may hold (bulk data travels as `bytes`). */
export const MAX_REPEATED_ELEMENTS = 10_000;

export interface FrameLimits {
  readonly maxFrameBytes: number;
  readonly maxNestingDepth: number;
  readonly maxRepeatedElements: number;
}

export const FRAME_LIMITS: FrameLimits = {
  maxFrameBytes: MAX_FRAME_BYTES,
  maxNestingDepth: MAX_NESTING_DEPTH,
  maxRepeatedElements: MAX_REPEATED_ELEMENTS,
};

/** A limit a frame or message breaks, with the code and text of the protocol error to answer it with. */
export interface FrameLimitViolation {
  readonly code: ErrorCode;
  readonly message: string;
}

/** Size and nesting depth of an encoded envelope, checked before it is decoded. */
export function checkFrameBytes(bytes: Uint8Array, limits: FrameLimits = FRAME_LIMITS): FrameLimitViolation | undefined {
  if (bytes.byteLength > limits.maxFrameBytes) {
    return {
      code: ErrorCode.ERROR_CODE_FRAME_TOO_LARGE,
      message: `frame of ${bytes.byteLength} bytes is over the limit of ${limits.maxFrameBytes}`,
    };
  }
  if (nestsDeeperThan(bytes, limits.maxNestingDepth)) {
    return {
      code: ErrorCode.ERROR_CODE_NESTING_TOO_DEEP,
      message: `frame nests groups or messages deeper than ${limits.maxNestingDepth} levels`,
    };
  }
  return undefined;
}

/** Element counts of every repeated field (array) and map (object) of a decoded message, at any depth. */
export function checkDecodedMessage(message: unknown, limits: FrameLimits = FRAME_LIMITS): FrameLimitViolation | undefined {
  const pending: Array<{ readonly value: object; readonly path: string }> = [];
  if (isContainer(message)) pending.push({ value: message, path: '' });
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const keys = Array.isArray(next.value) ? undefined : Object.keys(next.value);
    const count = keys ? keys.length : (next.value as unknown[]).length;
    if (count > limits.maxRepeatedElements) {
      return {
        code: ErrorCode.ERROR_CODE_TOO_MANY_ELEMENTS,
        message: `${next.path || 'message'} has ${count} elements, over the limit of ${limits.maxRepeatedElements}`,
      };
    }
    const record = next.value as Record<string, unknown>;
    for (const key of keys ?? Object.keys(record)) {
      const child = record[key];
      if (isContainer(child)) pending.push({ value: child, path: next.path ? `${next.path}.${key}` : key });
    }
  }
  return undefined;
}

/**
 * The path of the first text (string field or map key, at any depth) holding U+0000, if any. The coordinator refuses
 * such device messages: no id or name has a use for NUL, and PostgreSQL text cannot store it. Not part of
 * `decodeFrame`, since the coordinator's own answers may quote a device's text back.
 */
export function nulTextField(message: unknown, path = ''): string | undefined {
  if (!isContainer(message)) return undefined;
  for (const [key, child] of Object.entries(message)) {
    const childPath = path ? `${path}.${key}` : key;
    if (key.includes('\u0000') || (typeof child === 'string' && child.includes('\u0000'))) return childPath;
    const inner = nulTextField(child, childPath);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !ArrayBuffer.isView(value);
}

// ---- the wire walk ----

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
const WIRE_FIXED32 = 5;
const MAX_VARINT_BYTES = 10;

interface Level {
  /** Where its bytes end; a group ends where its enclosing level ends, unless it closes first. */
  readonly end: number;
  readonly group: boolean;
  /** Certainly parsed by a decoder: the envelope and groups directly in it. */
  readonly known: boolean;
  /** Holds a well-formed level nested beyond the limit; that counts once this level proves well-formed too. */
  pending: boolean;
}

/**
 * Whether the frame nests groups or length-delimited messages deeper than `maxDepth`. One pass, at most
 * `maxDepth + 1` levels held, no recursion, so its cost is linear in the frame whatever the frame holds.
 *
 * Without the schema the walk cannot tell a nested message from `bytes` or `string`, so it reads the content of
 * every length-delimited field as a message, tentatively: nesting found inside counts only if that content (and
 * each enclosing one) is well-formed wire data. Text and binary data are rarely well-formed (a run of "s", one
 * start-group byte each, never closes), so they are not mistaken for deep messages. A deep but ill-formed frame
 * is left to the decoder, which fails on it.
 */
function nestsDeeperThan(bytes: Uint8Array, maxDepth: number): boolean {
  const wire = new WireReader(bytes);
  const levels: Level[] = [{ end: bytes.length, group: false, known: true, pending: false }];
  // A level that holds a deep enough, well-formed level: true when that settles it (a known level).
  const markPending = (level: Level): boolean => {
    if (level.known) return true;
    level.pending = true;
    return false;
  };
  // Malformed data in the current level: the enclosing length-delimited content is not a message after all, so it is
  // skipped whole. Returns true when there is none (the envelope itself is malformed: the decoder reports that).
  const abandon = (): boolean => {
    let index = levels.length - 1;
    while (index > 0 && levels[index]!.group) index -= 1;
    if (index === 0) return true;
    wire.pos = levels[index]!.end;
    levels.length = index;
    return false;
  };
  for (;;) {
    const level = levels[levels.length - 1]!;
    if (wire.pos === level.end) {
      if (level.group) {
        if (abandon()) return false;
        continue;
      }
      levels.pop();
      const parent = levels[levels.length - 1];
      if (parent === undefined) return false;
      if (level.pending && markPending(parent)) return true;
      continue;
    }
    const wireType = wire.tag(level.end);
    if (wireType === WIRE_END_GROUP) {
      if (!level.group) {
        if (abandon()) return false;
        continue;
      }
      levels.pop();
      if (level.pending && markPending(levels[levels.length - 1]!)) return true;
      continue;
    }
    let child: Level | undefined;
    if (wireType === WIRE_START_GROUP) {
      child = { end: level.end, group: true, known: level.known, pending: false };
    } else if (wireType === WIRE_LENGTH_DELIMITED) {
      const length = wire.varint(level.end);
      if (length !== undefined && length <= level.end - wire.pos) {
        child = { end: wire.pos + length, group: false, known: false, pending: false };
      }
    } else if (wireType !== undefined && wire.skipScalar(wireType, level.end)) {
      continue;
    }
    if (child === undefined) {
      if (abandon()) return false;
      continue;
    }
    if (levels.length <= maxDepth) {
      levels.push(child);
      continue;
    }
    // `child` is one level too deep. A known one settles it; otherwise it counts if it is well-formed, which a
    // scan that only counts open groups tells without holding its levels.
    if (child.known) return true;
    const wellFormed = wire.scanWellFormed(child.end, child.group);
    if (!wellFormed && child.group) {
      // An unclosed group: the level holding it is malformed.
      if (abandon()) return false;
      continue;
    }
    if (!child.group) wire.pos = child.end;
    if (wellFormed && markPending(level)) return true;
  }
}

class WireReader {
  pos = 0;

  constructor(private readonly bytes: Uint8Array) {}

  /** Reads a tag and returns its wire type, or undefined when the tag is cut off or over-long. */
  tag(end: number): number | undefined {
    const first = this.bytes[this.pos];
    return this.varint(end) === undefined || first === undefined ? undefined : first & 7;
  }

  /** A varint's value (exact up to 2^53, larger ones only compare as large), or undefined when malformed. */
  varint(end: number): number | undefined {
    let value = 0;
    for (let index = 0; index < MAX_VARINT_BYTES && this.pos < end; index++) {
      const byte = this.bytes[this.pos++]!;
      value += (byte & 0x7f) * 2 ** (7 * index);
      if (byte < 0x80) return value;
    }
    return undefined;
  }

  /** Skips a varint, fixed64 or fixed32 value; false for any other wire type or a value cut off at `end`. */
  skipScalar(wireType: number, end: number): boolean {
    switch (wireType) {
      case WIRE_VARINT:
        return this.varint(end) !== undefined;
      case WIRE_FIXED64:
        return this.advance(8, end);
      case WIRE_FIXED32:
        return this.advance(4, end);
      default:
        return false;
    }
  }

  /**
   * Whether the level starting here is well-formed: length-delimited content that ends exactly at `end` with every
   * group closed, or a group (its start tag already read) that closes before `end`. Nested length-delimited fields
   * are skipped by their length. Leaves `pos` after what it read.
   */
  scanWellFormed(end: number, group: boolean): boolean {
    let openGroups = group ? 1 : 0;
    while (this.pos < end) {
      const wireType = this.tag(end);
      if (wireType === WIRE_START_GROUP) {
        openGroups += 1;
      } else if (wireType === WIRE_END_GROUP) {
        if (openGroups === 0) return false;
        openGroups -= 1;
        if (group && openGroups === 0) return true;
      } else if (wireType === WIRE_LENGTH_DELIMITED) {
        const length = this.varint(end);
        if (length === undefined || !this.advance(length, end)) return false;
      } else if (wireType === undefined || !this.skipScalar(wireType, end)) {
        return false;
      }
    }
    return !group && openGroups === 0;
  }

  private advance(count: number, end: number): boolean {
    if (count > end - this.pos) return false;
    this.pos += count;
    return true;
  }
}
