import { describe, expect, it } from 'vitest';
import { ErrorCode, decodeFrame, encodeMessage, expectMessage, withDefaults } from '../../protocol/src/index.js';
import { JobAssignment } from '../../protocol/src/index.js';
import { PushDispatcher } from '../../client/src/agent/push-dispatcher.js';

const VERSION = 'test';

function frameOf(jobId: string): Uint8Array {
  return encodeMessage('sparsefleet.v1.JobAssignment', withDefaults('sparsefleet.v1.JobAssignment', { jobId, attempt: 2 }), {
    senderVersion: VERSION,
    requestId: 'req-7',
  });
}

describe(PushDispatcher.name, () => {
  it('should route a pushed message to its handler and answer with the handler reply', async () => {
    // Prepare
    const seen: string[] = [];
    const sut = new PushDispatcher(VERSION).register('sparsefleet.v1.JobAssignment', (assignment) => {
      seen.push(assignment.jobId);
      return {
        type: 'sparsefleet.v1.JobAccepted',
        message: { jobId: assignment.jobId, attempt: assignment.attempt, accepted: true, reason: '' },
      };
    });
    // Execute
    const reply = decodeFrame(await sut.dispatch(Buffer.from(frameOf('job-9'))));
    // Assert
    expect(seen).toEqual(['job-9']);
    expect(reply.requestId).toBe('req-7');
    expect(expectMessage(reply, 'sparsefleet.v1.JobAccepted')).toMatchObject({ jobId: 'job-9', attempt: 2, accepted: true });
  });

  it('should answer a message type without handler with UNKNOWN_MESSAGE_TYPE', async () => {
    const sut = new PushDispatcher(VERSION);
    const reply = decodeFrame(await sut.dispatch(frameOf('job-1')));
    expect(reply.type).toBe('sparsefleet.v1.ProtocolError');
    expect(reply.message).toMatchObject({
      code: ErrorCode.ERROR_CODE_UNKNOWN_MESSAGE_TYPE,
      offendingType: 'sparsefleet.v1.JobAssignment',
      requestId: 'req-7',
    });
  });

  it('should answer a frame that is not an envelope with MALFORMED_FRAME', async () => {
    const sut = new PushDispatcher(VERSION);
    const reply = decodeFrame(await sut.dispatch('not binary'));
    expect(reply.message).toMatchObject({ code: ErrorCode.ERROR_CODE_MALFORMED_FRAME });
  });

  it('should turn a throwing handler into an INTERNAL protocol error instead of crashing', async () => {
    const sut = new PushDispatcher(VERSION).register('sparsefleet.v1.JobAssignment', () => {
      throw new Error('disk full');
    });
    const reply = decodeFrame(await sut.dispatch(frameOf('job-1')));
    expect(reply.message).toMatchObject({ code: ErrorCode.ERROR_CODE_INTERNAL, message: 'disk full' });
  });
});
