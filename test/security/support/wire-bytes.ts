// Hand-built protobuf wire data for tests that need what no encoder writes: unknown fields, groups, deep nesting,
// over-long varints and broken lengths.
import { SCHEMA_VERSION, decodeProto, encodeMessage, encodeProto, type MessageOf, type MessageTypeName } from '../../../protocol/src/index.js';

export const WireType = { varint: 0, fixed64: 1, lengthDelimited: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const;

export type Bytes = Uint8Array | readonly number[];

export function varint(value: number | bigint): number[] {
  let rest = BigInt(value);
  const out: number[] = [];
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    out.push(rest > 0n ? low | 0x80 : low);
  } while (rest > 0n);
  return out;
}

export function tag(field: number, wireType: number): number[] {
  return varint(BigInt(field) * 8n + BigInt(wireType));
}

export function concat(...parts: Bytes[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function lengthDelimited(field: number, content: Bytes): Uint8Array {
  return concat(tag(field, WireType.lengthDelimited), varint(content.length), content);
}

/** `depth` groups of `field`, one inside the other, around `inner`; `closed: false` leaves them open. */
export function nestedGroups(field: number, depth: number, inner: Bytes = [], closed = true): Uint8Array {
  const start = tag(field, WireType.startGroup);
  const end = tag(field, WireType.endGroup);
  const parts: Bytes[] = [];
  for (let i = 0; i < depth; i++) parts.push(start);
  parts.push(inner);
  if (closed) for (let i = 0; i < depth; i++) parts.push(end);
  return concat(...parts);
}

/** `depth` length-delimited fields of `field`, one inside the other, around `inner`. */
export function nestedMessages(field: number, depth: number, inner: Bytes = []): Uint8Array {
  let content = concat(inner);
  for (let i = 0; i < depth; i++) content = lengthDelimited(field, content);
  return content;
}

/** Unknown fields of every wire type (field numbers no message of the contract uses). */
export const UNKNOWN_FIELDS = concat(
  tag(900, WireType.varint), varint(123_456_789),
  tag(901, WireType.fixed64), [1, 2, 3, 4, 5, 6, 7, 8],
  lengthDelimited(902, new TextEncoder().encode('from a newer agent')),
  tag(903, WireType.fixed32), [9, 8, 7, 6],
  tag(904, WireType.startGroup), tag(1, WireType.varint), varint(5), tag(904, WireType.endGroup),
  lengthDelimited(905, concat(tag(1, WireType.varint), varint(7), lengthDelimited(2, [1, 2, 3]))),
);

/** An envelope around raw payload bytes (and raw trailing envelope bytes). */
export function rawEnvelope(type: string, payload: Bytes, trailing: Bytes = [], requestId = 'raw'): Uint8Array {
  const envelope = encodeProto('sparsefleet.v1.Envelope', { type, schemaVersion: SCHEMA_VERSION, senderVersion: 'test', payload: concat(payload), requestId });
  return concat(envelope, trailing);
}

/** The payload bytes of a message as `encodeMessage` would put them in an envelope. */
export function payloadOf<N extends MessageTypeName>(type: N, message: MessageOf<N>): Uint8Array {
  return decodeProto('sparsefleet.v1.Envelope', encodeMessage(type, message, { senderVersion: 'test' })).payload;
}
