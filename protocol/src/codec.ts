// Envelope framing for the device channel: one binary protobuf frame per socket.io payload.
import { ErrorCode, type Envelope, type ProtocolError } from '../../generated/proto/wire-types.js';
import { checkDecodedMessage, checkFrameBytes } from './frame-limits.js';
import { isMessageTypeName, type MessageOf, type MessageTypeName } from './messages.js';
import { decodeProto, decodeProtoInstance, encodeProto, encodeProtoView } from './wire.js';

/** Wire schema version carried in every envelope; bump on an incompatible change of `sparsefleet.v1`. */
export const SCHEMA_VERSION = 1;

/** The single socket.io event that carries envelopes in both directions. */
export const DEVICE_CHANNEL_EVENT = 'sf';

export interface DecodedMessage<N extends MessageTypeName = MessageTypeName> {
  readonly type: N;
  readonly message: MessageOf<N>;
  readonly requestId: string;
  readonly senderVersion: string;
}

/** A frame that could not be decoded, with the protocol error to answer it with. */
export class ProtocolFault extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly offendingType = '',
    readonly requestId = '',
  ) {
    super(message);
    this.name = 'ProtocolFault';
  }

  toProtocolError(): ProtocolError {
    return { code: this.code, message: this.message, offendingType: this.offendingType, requestId: this.requestId };
  }
}

/** Accepts what socket.io hands over: Buffer in Node, ArrayBuffer in browsers, or a typed-array view. */
export function toBytes(frame: unknown): Uint8Array {
  if (frame instanceof Uint8Array) return new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
  if (frame instanceof ArrayBuffer) return new Uint8Array(frame);
  if (ArrayBuffer.isView(frame)) return new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
  throw new ProtocolFault(ErrorCode.ERROR_CODE_MALFORMED_FRAME, `expected a binary frame, got ${describe(frame)}`);
}

export function encodeMessage<N extends MessageTypeName>(
  type: N,
  message: MessageOf<N>,
  options: { senderVersion: string; requestId?: string },
): Uint8Array {
  const envelope: Envelope = {
    type,
    schemaVersion: SCHEMA_VERSION,
    senderVersion: options.senderVersion,
    payload: encodeProtoView(type, message),
    requestId: options.requestId ?? '',
  };
  return encodeProto('sparsefleet.v1.Envelope', envelope);
}

/** Decodes an envelope and its payload; throws ProtocolFault with the code to report on any failure. */
export function decodeFrame(frame: unknown): DecodedMessage {
  const bytes = toBytes(frame);
  const overLimit = checkFrameBytes(bytes);
  if (overLimit) throw new ProtocolFault(overLimit.code, overLimit.message);
  let envelope: Readonly<Envelope>;
  try {
    envelope = decodeProtoInstance('sparsefleet.v1.Envelope', bytes);
  } catch (error) {
    throw new ProtocolFault(ErrorCode.ERROR_CODE_MALFORMED_FRAME, `not a sparsefleet envelope: ${errorText(error)}`);
  }
  if (envelope.type === '') {
    throw new ProtocolFault(ErrorCode.ERROR_CODE_MALFORMED_FRAME, 'envelope has no message type', '', envelope.requestId);
  }
  if (envelope.schemaVersion !== SCHEMA_VERSION) {
    throw new ProtocolFault(
      ErrorCode.ERROR_CODE_UNSUPPORTED_SCHEMA_VERSION,
      `schema version ${envelope.schemaVersion} is not supported (expected ${SCHEMA_VERSION})`,
      envelope.type,
      envelope.requestId,
    );
  }
  if (!isMessageTypeName(envelope.type)) {
    throw new ProtocolFault(
      ErrorCode.ERROR_CODE_UNKNOWN_MESSAGE_TYPE,
      `unknown message type "${envelope.type}"`,
      envelope.type,
      envelope.requestId,
    );
  }
  let message: unknown;
  try {
    // Decoded `bytes` fields are views into the frame (possibly at unaligned offsets: copy before a Float32Array view).
    message = decodeProto(envelope.type, envelope.payload);
  } catch (error) {
    throw new ProtocolFault(
      ErrorCode.ERROR_CODE_INVALID_PAYLOAD,
      `payload of ${envelope.type} does not decode: ${errorText(error)}`,
      envelope.type,
      envelope.requestId,
    );
  }
  const crowded = checkDecodedMessage(message);
  if (crowded) throw new ProtocolFault(crowded.code, crowded.message, envelope.type, envelope.requestId);
  return {
    type: envelope.type,
    message: message as MessageOf<MessageTypeName>,
    requestId: envelope.requestId,
    senderVersion: envelope.senderVersion,
  };
}

/** Narrows a decoded message to the expected type, or throws the protocol error for a wrong reply. */
export function expectMessage<N extends MessageTypeName>(decoded: DecodedMessage, type: N): MessageOf<N> {
  if (decoded.type === type) return decoded.message as MessageOf<N>;
  if (decoded.type === 'sparsefleet.v1.ProtocolError') {
    const error = decoded.message as ProtocolError;
    throw new ProtocolFault(error.code, error.message, error.offendingType, error.requestId);
  }
  throw new ProtocolFault(
    ErrorCode.ERROR_CODE_INVALID_PAYLOAD,
    `expected ${type}, got ${decoded.type}`,
    decoded.type,
    decoded.requestId,
  );
}

export function encodeProtocolError(error: ProtocolError, senderVersion: string): Uint8Array {
  return encodeMessage('sparsefleet.v1.ProtocolError', error, { senderVersion, requestId: error.requestId });
}

/** Stable text name of an error code, e.g. "ENROLLMENT_TOKEN_EXPIRED". */
export function errorCodeName(code: ErrorCode): string {
  return (ErrorCode[code] ?? 'ERROR_CODE_UNSPECIFIED').replace(/^ERROR_CODE_/, '');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
