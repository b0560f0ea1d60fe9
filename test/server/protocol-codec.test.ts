// The envelope codec shared by the coordinator and the agent (protocol/src).
import { describe, expect, it } from 'vitest';
import { Envelope, ErrorCode, encodeProto } from '../../protocol/src/index.js';
import {
  ProtocolFault,
  SCHEMA_VERSION,
  decodeFrame,
  encodeMessage,
  encodeProtocolError,
  errorCodeName,
  expectMessage,
} from '../../protocol/src/index.js';

function faultOf(action: () => unknown): ProtocolFault {
  try {
    action();
  } catch (error) {
    if (error instanceof ProtocolFault) return error;
    throw error;
  }
  throw new Error('expected a ProtocolFault');
}

describe('protocol codec', () => {
  it('should round-trip a message with its type, request id and sender version', () => {
    // Prepare
    const heartbeat = {
      sentAtMs: 1_700_000_000_123,
      telemetry: { freeMemoryBytes: 2 ** 40, rssBytes: 1, loadAverage_1m: 0.5, temperatureCelsius: -1, batteryLevel: 0.75, charging: true },
      runningJobIds: ['a', 'b'],
    };

    // Execute
    const frame = encodeMessage('sparsefleet.v1.Heartbeat', heartbeat, { senderVersion: '1.2.3', requestId: 'r-7' });
    const decoded = decodeFrame(Buffer.from(frame));

    // Assert
    expect(decoded.type).toBe('sparsefleet.v1.Heartbeat');
    expect(decoded.requestId).toBe('r-7');
    expect(decoded.senderVersion).toBe('1.2.3');
    expect(decoded.message).toEqual(heartbeat);
  });

  it('should decode from an ArrayBuffer and from an offset view as a browser or Node hands them over', () => {
    const frame = encodeMessage('sparsefleet.v1.Ack', { ok: true }, { senderVersion: 't' });
    const padded = new Uint8Array(frame.length + 3);
    padded.set(frame, 3);
    expect(decodeFrame(frame.slice().buffer).message).toEqual({ ok: true });
    expect(decodeFrame(padded.subarray(3)).message).toEqual({ ok: true });
  });

  it('should reject bytes that are not an envelope as MALFORMED_FRAME', () => {
    expect(faultOf(() => decodeFrame(Uint8Array.of(0xff, 0xff, 0xff, 0xff))).code).toBe(ErrorCode.ERROR_CODE_MALFORMED_FRAME);
    expect(faultOf(() => decodeFrame('text frame')).code).toBe(ErrorCode.ERROR_CODE_MALFORMED_FRAME);
    expect(faultOf(() => decodeFrame(new Uint8Array())).code).toBe(ErrorCode.ERROR_CODE_MALFORMED_FRAME);
  });

  it('should reject an unknown message type as UNKNOWN_MESSAGE_TYPE naming the type', () => {
    const frame = encodeProto('sparsefleet.v1.Envelope', { type: 'sparsefleet.v1.Teleport', schemaVersion: SCHEMA_VERSION, senderVersion: 't', payload: new Uint8Array(), requestId: 'q' });
    const fault = faultOf(() => decodeFrame(frame));
    expect(fault.code).toBe(ErrorCode.ERROR_CODE_UNKNOWN_MESSAGE_TYPE);
    expect(fault.toProtocolError()).toMatchObject({ offendingType: 'sparsefleet.v1.Teleport', requestId: 'q' });
  });

  it('should reject another schema version as UNSUPPORTED_SCHEMA_VERSION', () => {
    const frame = encodeProto('sparsefleet.v1.Envelope', { type: 'sparsefleet.v1.Ack', schemaVersion: SCHEMA_VERSION + 1, senderVersion: 't', payload: new Uint8Array(), requestId: '' });
    expect(faultOf(() => decodeFrame(frame)).code).toBe(ErrorCode.ERROR_CODE_UNSUPPORTED_SCHEMA_VERSION);
  });

  it('should reject a payload that does not decode as INVALID_PAYLOAD', () => {
    const frame = encodeProto('sparsefleet.v1.Envelope', { type: 'sparsefleet.v1.Heartbeat', schemaVersion: SCHEMA_VERSION, senderVersion: 't', payload: Uint8Array.of(0x0a, 0x05, 0x01), requestId: '' });
    expect(faultOf(() => decodeFrame(frame)).code).toBe(ErrorCode.ERROR_CODE_INVALID_PAYLOAD);
  });

  it('should turn a ProtocolError reply into a ProtocolFault when another type was expected', () => {
    const frame = encodeProtocolError({ code: ErrorCode.ERROR_CODE_FORBIDDEN, message: 'no', offendingType: 'x', requestId: 'r' }, 't');
    const fault = faultOf(() => expectMessage(decodeFrame(frame), 'sparsefleet.v1.Ack'));
    expect(fault.code).toBe(ErrorCode.ERROR_CODE_FORBIDDEN);
    expect(errorCodeName(fault.code)).toBe('FORBIDDEN');
  });
});
