// What a protocol-level bench device does on the wire (socket.io-client + the protocol door, no agent code):
// connect with handshake auth, enroll, send a request and decode its reply, answer the coordinator's pushes.
// Shared by the coordinator benchmarks (flood, request-stall, coordinator).
import { io, type Socket } from 'socket.io-client';
import {
  DEVICE_CHANNEL_EVENT,
  JobOutcome,
  decodeFrame,
  encodeMessage,
  isHandshakeRefusal,
  type DecodedMessage,
  type HandshakeAuth,
  type MessageOf,
  type MessageTypeName,
} from '../../protocol/src/index.js';

export const BENCH_SENDER_VERSION = 'bench';

export const BENCH_FACTS: MessageOf<'sparsefleet.v1.EnrollRequest'>['facts'] = {
  platform: 'linux', arch: 'x64', cpuModel: 'bench cpu', cores: 2, memoryBytes: 4 * 1024 ** 3,
  backendsAvailable: ['wasm', 'cpu'], wasmSimd: true, wasmThreads: false, deviceModel: 'bench-box',
  agentVersion: 'bench', chosenBackend: 'wasm', runtime: 'node', labels: {},
};

export interface DeviceIdentity {
  readonly deviceId: string;
  readonly credential: string;
}

/** A refused (or failed) handshake; `retryAfterMs` when the coordinator said when to come back (it was busy). */
export class HandshakeRefused extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
    this.name = 'HandshakeRefused';
  }
}

/** Opens a websocket-only socket.io connection with `auth`; rejects with HandshakeRefused (no retries). */
export function connectDevice(url: string, auth: HandshakeAuth | Record<string, unknown>): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, auth });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error: Error & { data?: unknown }) => {
      socket.close();
      const retryAfterMs = isHandshakeRefusal(error.data) ? error.data.retryAfterMs : undefined;
      reject(new HandshakeRefused(`handshake refused: ${JSON.stringify(error.data ?? error.message)}`, retryAfterMs));
    });
  });
}

/** Sends one request frame and decodes the reply envelope (rejects after `timeoutMs` without one). */
export async function requestReply<N extends MessageTypeName>(
  socket: Socket,
  type: N,
  message: MessageOf<N>,
  requestId: string,
  timeoutMs = 10_000,
): Promise<DecodedMessage> {
  const frame = encodeMessage(type, message, { senderVersion: BENCH_SENDER_VERSION, requestId });
  return decodeFrame(await socket.timeout(timeoutMs).emitWithAck(DEVICE_CHANNEL_EVENT, frame));
}

/** Enrolls over a short-lived enrollment connection and returns the identity to connect with afterwards. */
export async function enrollDevice(url: string, enrollmentToken: string, displayName: string): Promise<DeviceIdentity> {
  const enrolling = await connectDevice(url, { enrollmentToken });
  try {
    const reply = await requestReply(enrolling, 'sparsefleet.v1.EnrollRequest', { facts: BENCH_FACTS, displayName, previousDeviceId: '' }, `enroll-${displayName}`);
    if (reply.type !== 'sparsefleet.v1.EnrollResponse') throw new Error(`enrollment failed: ${JSON.stringify(reply.message)}`);
    const { deviceId, credential } = reply.message as MessageOf<'sparsefleet.v1.EnrollResponse'>;
    return { deviceId, credential };
  } finally {
    enrolling.close();
  }
}

/** Every heartbeat carries a telemetry sample, as the agent's do (the coordinator stores it and keeps a history). */
export function heartbeatFrame(requestId: string): Uint8Array {
  const telemetry = {
    freeMemoryBytes: 2 ** 30 + Math.floor(Math.random() * 2 ** 20),
    rssBytes: 200 * 2 ** 20,
    loadAverage_1m: Math.random(),
    temperatureCelsius: 45 + Math.random() * 10,
    batteryLevel: -1,
    charging: false,
  };
  return encodeMessage('sparsefleet.v1.Heartbeat', { sentAtMs: Date.now(), telemetry, runningJobIds: [] }, { senderVersion: BENCH_SENDER_VERSION, requestId });
}

export function helloRequest(): MessageOf<'sparsefleet.v1.HelloRequest'> {
  return { facts: BENCH_FACTS, runningJobIds: [] };
}

/** A successful result for an assigned job, as small as the coordinator accepts. */
export function instantJobResult(jobId: string, attempt: number): MessageOf<'sparsefleet.v1.JobResult'> {
  return {
    jobId, attempt, sequence: 1, outcome: JobOutcome.JOB_OUTCOME_SUCCEEDED, error: '', backend: 'wasm',
    dataSource: 'synthetic', syntheticData: true, testAccuracy: 0.5, testLoss: 1, finalDensity: 1, layers: [],
    epochs: 1, steps: 1, wallMs: 1, stepMsP50: 1, stepMsP90: 1, peakRssBytes: 0, peakTensorBytes: 0, history: [],
    agentVersion: BENCH_SENDER_VERSION, examplesSeen: 0, removedExamples: 0, removalSetVersion: 0, simulated: false,
  };
}

/**
 * Answers every push as an agent that takes work at once: a JobAssignment with JobAccepted (then `onAssignment`
 * runs), anything else (JobCancel) with Ack.
 */
export function answerPushes(socket: Socket, onAssignment: (assignment: MessageOf<'sparsefleet.v1.JobAssignment'>) => void): void {
  socket.on(DEVICE_CHANNEL_EVENT, (frame: unknown, ack?: (reply: Uint8Array) => void) => {
    const decoded = decodeFrame(frame);
    const options = { senderVersion: BENCH_SENDER_VERSION, requestId: decoded.requestId };
    if (decoded.type === 'sparsefleet.v1.JobAssignment') {
      const assignment = decoded.message as MessageOf<'sparsefleet.v1.JobAssignment'>;
      ack?.(encodeMessage('sparsefleet.v1.JobAccepted', { jobId: assignment.jobId, attempt: assignment.attempt, accepted: true, reason: '' }, options));
      onAssignment(assignment);
    } else {
      ack?.(encodeMessage('sparsefleet.v1.Ack', { ok: true }, options));
    }
  });
}
