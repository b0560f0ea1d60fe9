// Builders for what a raw test device sends about its jobs, and a device-side answer to JobAssignment pushes.
import { createHash } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { TrainingCheckpoint, encodeProto, withDefaults } from '../../../protocol/src/index.js';
import { JobOutcome, type JobResult, type ProgressReport } from '../../../protocol/src/index.js';
import { TensorEncoding } from '../../../protocol/src/index.js';
import { DEVICE_CHANNEL_EVENT, decodeFrame, encodeMessage, expectMessage, type DecodedMessage, type MessageOf } from '../../../protocol/src/index.js';
import type { ErrorCode } from '../../../protocol/src/index.js';
import {
  TEST_FACTS,
  enrollAndConnect,
  eventually,
  nextPush,
  request,
  type EnrolledTestDevice,
  type TestCoordinator,
} from './coordinator-harness.js';

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
    agentVersion: 'test', examplesSeen: 0, removedExamples: 0, removalSetVersion: 0, simulated: false,
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

/**
 * An encoded TrainingCheckpoint at (step, epoch) of about `weightBytes` bytes, its weights pseudo-random: what an
 * agent uploads, as far as the coordinator reads it.
 */
export function trainingCheckpoint(step: number, epoch: number, weightBytes: number, seed = 1): Uint8Array {
  const data = pseudoRandomBytes(weightBytes - (weightBytes % 4), seed);
  return encodeProto('sparsefleet.v1.TrainingCheckpoint', 
    withDefaults('sparsefleet.v1.TrainingCheckpoint', {
      formatVersion: 1,
      step,
      epoch,
      weights: [{ name: 'dense/kernel', shape: [data.byteLength / 4], encoding: TensorEncoding.TENSOR_ENCODING_DENSE_F32, data }],
      configFingerprint: 'test',
    }),
  );
}

/** A raw device that has said Hello and answers pushes as an agent would (`pushes` records them). */
export interface OnlineDevice extends EnrolledTestDevice {
  readonly pushes: DecodedMessage[];
}

export async function onlineDevice(test: TestCoordinator, name: string): Promise<OnlineDevice> {
  const device = await enrollAndConnect(test, name);
  const pushes = recordPushes(device.socket);
  await request(device.socket, 'sparsefleet.v1.HelloRequest', { facts: TEST_FACTS, runningJobIds: [] });
  return { ...device, pushes };
}

/** The `index`-th JobAssignment pushed to the device, once it arrives. */
export function nthAssignment(device: OnlineDevice, index = 0): Promise<MessageOf<'sparsefleet.v1.JobAssignment'>> {
  return eventually(async () => pushesOf(device.pushes, 'sparsefleet.v1.JobAssignment')[index], 400);
}

/** The code of a ProtocolError reply; undefined for any other reply. */
export function errorCodeOf(reply: DecodedMessage): ErrorCode | undefined {
  return reply.type === 'sparsefleet.v1.ProtocolError' ? (reply.message as MessageOf<'sparsefleet.v1.ProtocolError'>).code : undefined;
}
