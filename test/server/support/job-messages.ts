// Builders for what a raw test device sends about its jobs, and a device-side answer to JobAssignment pushes.
import { createHash } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { JobOutcome, type JobResult, type ProgressReport } from '../../../generated/proto/sparsefleet/v1/job.js';
import { DEVICE_CHANNEL_EVENT, decodeFrame, encodeMessage, expectMessage, type DecodedMessage, type MessageOf } from '../../../protocol/src/index.js';
import { nextPush } from './coordinator-harness.js';

export function progressReport(jobId: string, attempt: number, sequence: number): ProgressReport {
  return {
    jobId, attempt, sequence, epoch: 0, step: sequence, totalSteps: 10, loss: 2.3 - sequence * 0.1, trainAccuracy: 0.1,
    testAccuracy: -1, density: 1, stepMsP50: 1, stepMsP90: 2, peakMemoryBytes: 0, maskUpdates: 0, layers: [],
    phase: 'training', elapsedMs: 10,
  };
}

export function jobResult(jobId: string, attempt: number, sequence = 100, testAccuracy = 0.42): JobResult {
  return {
    jobId, attempt, sequence, outcome: JobOutcome.JOB_OUTCOME_SUCCEEDED, error: '', backend: 'wasm',
    dataSource: 'synthetic', syntheticData: true, testAccuracy, testLoss: 1.9, finalDensity: 1, layers: [],
    epochs: 1, steps: 2, wallMs: 20, stepMsP50: 1, stepMsP90: 2, peakRssBytes: 0, peakTensorBytes: 0, history: [],
    agentVersion: 'test',
  };
}

/** Answers the next JobAssignment push with JobAccepted and returns the assignment. */
export async function acceptNextJob(socket: Socket): Promise<MessageOf<'sparsefleet.v1.JobAssignment'>> {
  const pushed = await nextPush(socket, (decoded) => {
    const assignment = expectMessage(decoded, 'sparsefleet.v1.JobAssignment');
    return encodeMessage(
      'sparsefleet.v1.JobAccepted',
      { jobId: assignment.jobId, attempt: assignment.attempt, accepted: true, reason: '' },
      { senderVersion: 'test', requestId: decoded.requestId },
    );
  });
  return expectMessage(pushed, 'sparsefleet.v1.JobAssignment');
}

/**
 * Collects every push the device receives, as an agent would answer them: a JobAssignment with JobAccepted, any
 * other push (JobCancel) with Ack. Don't combine with `acceptNextJob` on the same socket.
 */
export function recordPushes(socket: Socket): DecodedMessage[] {
  const pushes: DecodedMessage[] = [];
  socket.on(DEVICE_CHANNEL_EVENT, (frame: unknown, ack?: (reply: Uint8Array) => void) => {
    const decoded = decodeFrame(frame);
    pushes.push(decoded);
    const options = { senderVersion: 'test', requestId: decoded.requestId };
    if (decoded.type === 'sparsefleet.v1.JobAssignment') {
      const { jobId, attempt } = decoded.message as MessageOf<'sparsefleet.v1.JobAssignment'>;
      ack?.(encodeMessage('sparsefleet.v1.JobAccepted', { jobId, attempt, accepted: true, reason: '' }, options));
    } else {
      ack?.(encodeMessage('sparsefleet.v1.Ack', { ok: true }, options));
    }
  });
  return pushes;
}

/** The messages of one type among recorded pushes. */
export function pushesOf<N extends 'sparsefleet.v1.JobAssignment' | 'sparsefleet.v1.JobCancel' | 'sparsefleet.v1.ProtocolError'>(
  pushes: readonly DecodedMessage[],
  type: N,
): Array<MessageOf<N>> {
  return pushes.filter((push) => push.type === type).map((push) => push.message as MessageOf<N>);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Deterministic pseudo-random bytes (xorshift), so a failing test is reproducible. */
export function pseudoRandomBytes(length: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    bytes[i] = state & 0xff;
  }
  return bytes;
}
