// The dispatcher between socket and handlers, with stub handlers: routing, session checks and error mapping.
import { ConsoleLogger } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/src/index.js';
import { decodeFrame, encodeMessage, expectMessage, type MessageOf } from '../../protocol/src/index.js';
import { reply, type HandlerResult, type Session } from '../../server/src/common/session.types.js';
import { buildDispatchTable } from '../../server/src/gateway/dispatch-table.js';
import { FrameDispatcher } from '../../server/src/gateway/frame-dispatcher.js';
import { ProtocolErrorCounter } from '../../server/src/gateway/protocol-error.counter.js';

const DEVICE: Session = { kind: 'device', deviceId: 'd-1', remoteAddress: '127.0.0.1', greeted: true };

function setup(heartbeat: () => Promise<HandlerResult>) {
  const greeted: string[] = [];
  const table = buildDispatchTable({
    devices: {
      enroll: async () => ({ reply: reply('sparsefleet.v1.EnrollResponse', { deviceId: 'new', credential: 'c', heartbeatIntervalMs: 1, reenrolled: false }), session: { kind: 'device', deviceId: 'new', remoteAddress: '127.0.0.1', greeted: true } }),
      hello: async (_m, s) => (greeted.push(s.deviceId), { reply: reply('sparsefleet.v1.HelloResponse', { deviceId: s.deviceId, heartbeatIntervalMs: 1 }) }),
      heartbeat,
    },
    jobs: { progress: async () => ({ reply: reply('sparsefleet.v1.Ack', { ok: true }) }), result: async () => ({ reply: reply('sparsefleet.v1.Ack', { ok: true }) }) },
    checkpoints: {
      chunk: async () => ({ reply: reply('sparsefleet.v1.Ack', { ok: true }) }),
      commit: async () => ({ reply: reply('sparsefleet.v1.Ack', { ok: true }) }),
      fetch: async () => ({ reply: reply('sparsefleet.v1.CheckpointFetchResponse', { checkpointId: '', offset: 0, totalBytes: 0, data: new Uint8Array() }) }),
    },
    masks: {
      chunk: async () => ({ reply: reply('sparsefleet.v1.MaskUpdateAck', { complete: true, fullMaskNeeded: false, reason: '' }) }),
      fetch: async () => ({ reply: reply('sparsefleet.v1.MaskFetchResponse', { jobId: '', offset: 0, totalBytes: 0, checksum: 0, data: new Uint8Array() }) }),
    },
    datastats: {
      chunk: async () => ({ reply: reply('sparsefleet.v1.ForgettingStatsAck', { complete: true, reason: '' }) }),
      removalSet: async () => ({ reply: reply('sparsefleet.v1.RemovalSetReply', { changed: false, removalSet: undefined }) }),
    },
    federated: {
      fetchModel: async () => ({ reply: reply('sparsefleet.v1.FederatedModelFetchResponse', { jobId: '', round: 0, offset: 0, totalBytes: 0, checksum: 0, data: new Uint8Array() }) }),
      chunk: async () => ({ reply: reply('sparsefleet.v1.FederatedUpdateAck', { complete: true }) }),
    },
  });
  const errors = new ProtocolErrorCounter();
  const sut = new FrameDispatcher(table, errors, 'test', new ConsoleLogger('test', { logLevels: [] }));
  return { sut, errors, greeted };
}

function heartbeatReply(): HandlerResult {
  return { reply: reply('sparsefleet.v1.HeartbeatAck', { serverTimeMs: 1, heartbeatIntervalMs: 1 }) };
}

const heartbeatFrame = encodeMessage('sparsefleet.v1.Heartbeat', { sentAtMs: 1, telemetry: undefined, runningJobIds: [] }, { senderVersion: 't', requestId: 'hb-1' });

describe(FrameDispatcher.name, () => {
  it('should route a request to its handler and echo the request id', async () => {
    const { sut } = setup(async () => heartbeatReply());
    const outcome = await sut.dispatch(heartbeatFrame, DEVICE);
    const decoded = decodeFrame(outcome.frame);
    expect(decoded.type).toBe('sparsefleet.v1.HeartbeatAck');
    expect(decoded.requestId).toBe('hb-1');
    expect(outcome.error).toBeUndefined();
  });

  it('should route a Hello to the presence handler and pass on a session change after enrolling', async () => {
    const { sut, greeted } = setup(async () => heartbeatReply());
    const hello = encodeMessage('sparsefleet.v1.HelloRequest', { facts: undefined, runningJobIds: [] }, { senderVersion: 't' });
    const enroll = encodeMessage('sparsefleet.v1.EnrollRequest', { facts: undefined, displayName: '' }, { senderVersion: 't' });
    await sut.dispatch(hello, DEVICE);
    const enrolled = await sut.dispatch(enroll, { kind: 'enrollment', tokenId: 't-1', remoteAddress: '127.0.0.1' });
    expect(greeted).toEqual(['d-1']);
    expect(enrolled.session).toEqual({ kind: 'device', deviceId: 'new', remoteAddress: '127.0.0.1', greeted: true });
  });

  it('should answer a request from the wrong kind of connection with FORBIDDEN', async () => {
    const { sut, errors } = setup(async () => heartbeatReply());
    const outcome = await sut.dispatch(heartbeatFrame, { kind: 'enrollment', tokenId: 't-1', remoteAddress: '127.0.0.1' });
    const anonymous = await sut.dispatch(heartbeatFrame, undefined);
    expect(outcome.error?.code).toBe(ErrorCode.ERROR_CODE_FORBIDDEN);
    expect(anonymous.error?.code).toBe(ErrorCode.ERROR_CODE_FORBIDDEN);
    expect(errors.snapshot()).toEqual({ FORBIDDEN: 2 });
  });

  it('should turn a handler crash into INTERNAL without throwing', async () => {
    const { sut, errors } = setup(() => Promise.reject(new Error('disk on fire')));
    const outcome = await sut.dispatch(heartbeatFrame, DEVICE);
    const error = expectProtocolError(outcome.frame);
    expect(error).toMatchObject({ code: ErrorCode.ERROR_CODE_INTERNAL, offendingType: 'sparsefleet.v1.Heartbeat', requestId: 'hb-1' });
    expect(error.message).not.toContain('disk on fire');
    expect(errors.snapshot()).toEqual({ INTERNAL: 1 });
  });

  it('should answer undecodable input with MALFORMED_FRAME', async () => {
    const { sut } = setup(async () => heartbeatReply());
    for (const frame of [null, 42, { not: 'bytes' }, Uint8Array.of(0xff)]) {
      expect((await sut.dispatch(frame, DEVICE)).error?.code).toBe(ErrorCode.ERROR_CODE_MALFORMED_FRAME);
    }
  });

  it('should answer a text frame with TEXT_FRAME and count it', async () => {
    const { sut, errors } = setup(async () => heartbeatReply());
    const outcome = await sut.dispatch('{"type":"sparsefleet.v1.Heartbeat"}', DEVICE);
    expect(expectProtocolError(outcome.frame).code).toBe(ErrorCode.ERROR_CODE_TEXT_FRAME);
    expect(errors.snapshot()).toEqual({ TEXT_FRAME: 1 });
  });

  it('should answer another event with UNKNOWN_EVENT, naming it shortened, and count it', () => {
    const { sut, errors } = setup(async () => heartbeatReply());
    const outcome = sut.rejectEvent(`heartbeat${'x'.repeat(1000)}`, DEVICE);
    const error = expectProtocolError(outcome.frame);
    expect(error.code).toBe(ErrorCode.ERROR_CODE_UNKNOWN_EVENT);
    expect(error.message).toContain('heartbeatxxx');
    expect(error.message.length).toBeLessThan(200);
    expect(errors.snapshot()).toEqual({ UNKNOWN_EVENT: 1 });
  });
});

function expectProtocolError(frame: Uint8Array): MessageOf<'sparsefleet.v1.ProtocolError'> {
  return expectMessage(decodeFrame(frame), 'sparsefleet.v1.ProtocolError');
}
