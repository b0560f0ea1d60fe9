// Plain-object encoding and decoding of any sparsefleet.v1 message, over the protobufjs static code in generated/.
// Decoded messages are plain objects with every scalar and repeated field present (proto3 defaults filled in) and
// absent sub-messages left undefined, so they can be spread, stored as JSON and structured-cloned without surprises.
import protobuf from 'protobufjs/minimal.js';
import { PROTO_CODECS, type ProtoShapes } from '../../generated/proto/codecs.js';

// 64-bit integers are plain numbers in this contract (counters, byte sizes and millisecond times stay far below
// 2^53). Without Long, protobufjs reads them as numbers directly instead of allocating a Long per field.
protobuf.util.Long = undefined as unknown as typeof protobuf.util.Long;
protobuf.configure();

export type ProtoTypeName = keyof ProtoShapes;
export type ProtoShape<N extends ProtoTypeName> = ProtoShapes[N];

/** A message with any field left out, at any depth: what `withDefaults` completes. */
export type PartialMessage<T> = T extends Uint8Array
  ? Uint8Array
  : T extends readonly (infer E)[]
    ? PartialMessage<E>[]
    : T extends object
      ? { [K in keyof T]?: PartialMessage<T[K]> }
      : T;

interface StaticCodec {
  encode(message: unknown): { finish(): Uint8Array };
  decode(bytes: Uint8Array): object;
  fromObject(object: Record<string, unknown>): object;
  toObject(message: object, options: Record<string, unknown>): Record<string, unknown>;
}

const TO_PLAIN = { defaults: true, longs: Number, enums: Number, arrays: true, objects: true, oneofs: true } as const;

function codecOf(type: ProtoTypeName): StaticCodec {
  return PROTO_CODECS[type] as unknown as StaticCodec;
}

export function isProtoTypeName(name: string): name is ProtoTypeName {
  return Object.prototype.hasOwnProperty.call(PROTO_CODECS, name);
}

/**
 * Binary protobuf encoding of one message (no envelope). The bytes own their buffer: protobufjs hands out small
 * results as views into a shared slab, and a caller that reaches for `.buffer` must not see its neighbours.
 */
export function encodeProto<N extends ProtoTypeName>(type: N, message: ProtoShape<N>): Uint8Array {
  const bytes = encodeProtoView(type, message);
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}

/** The encoding as protobufjs hands it out: possibly a view into a shared slab. For bytes copied on at once. */
export function encodeProtoView<N extends ProtoTypeName>(type: N, message: ProtoShape<N>): Uint8Array {
  return plainView(codecOf(type).encode(message).finish());
}

/**
 * The bare protobufjs message instance (defaults on its prototype, so spreading or JSON loses them): only for
 * reading a few fields on a hot path, such as an envelope's header.
 */
export function decodeProtoInstance<N extends ProtoTypeName>(type: N, bytes: Uint8Array): Readonly<ProtoShape<N>> {
  return codecOf(type).decode(plainView(bytes)) as unknown as ProtoShape<N>;
}

/** Decodes one message (no envelope) into a plain object; throws on malformed bytes. */
export function decodeProto<N extends ProtoTypeName>(type: N, bytes: Uint8Array): ProtoShape<N> {
  return codecOf(type).toObject(decodeProtoInstance(type, bytes), TO_PLAIN) as unknown as ProtoShape<N>;
}

/**
 * Completes a partial message with proto3 defaults at every depth (a stored JSON copy, a test fixture).
 * Throws a TypeError naming the field when a value has the wrong type.
 */
export function withDefaults<N extends ProtoTypeName>(type: N, partial: PartialMessage<ProtoShape<N>>): ProtoShape<N> {
  const codec = codecOf(type);
  return codec.toObject(codec.fromObject(partial as Record<string, unknown>), TO_PLAIN) as unknown as ProtoShape<N>;
}

/**
 * The same bytes as a plain Uint8Array. In Node protobufjs writes and reads Buffers, whose `slice()` is a view, not
 * a copy; plain views make encoded bytes and decoded `bytes` fields behave the same in Node and in browsers.
 */
function plainView(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
