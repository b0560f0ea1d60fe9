// A bare device for the CLI integration test: enrolls with a token over socket.io + envelopes (no agent code) and
// stays connected, so the operator commands have a real device to list, label and revoke.
import { io, type Socket } from 'socket.io-client';
import { DEVICE_CHANNEL_EVENT, decodeFrame, encodeMessage, type HandshakeAuth, type MessageOf } from '../../../protocol/src/index.js';

export interface TestDevice {
  readonly socket: Socket;
  readonly deviceId: string;
  close(): void;
}

const FACTS: MessageOf<'sparsefleet.v1.EnrollRequest'>['facts'] = {
  platform: 'linux',
  arch: 'x64',
  cpuModel: 'cli test cpu',
  cores: 2,
  memoryBytes: 4 * 1024 ** 3,
  backendsAvailable: ['wasm', 'cpu'],
  wasmSimd: true,
  wasmThreads: false,
  deviceModel: 'cli-test-box',
  agentVersion: 'test',
  chosenBackend: 'wasm',
  runtime: 'node 20',
  labels: {},
};

function connect(url: string, auth: HandshakeAuth): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, auth });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error: Error & { data?: unknown }) => {
      socket.close();
      reject(new Error(`handshake refused: ${JSON.stringify(error.data ?? error.message)}`));
    });
  });
}

async function sendEnroll(socket: Socket, message: MessageOf<'sparsefleet.v1.EnrollRequest'>) {
  const frame = encodeMessage('sparsefleet.v1.EnrollRequest', message, { senderVersion: 'test', requestId: 'cli-enroll' });
  const reply: unknown = await socket.timeout(5000).emitWithAck(DEVICE_CHANNEL_EVENT, frame);
  return decodeFrame(reply);
}

/** Enrolls with `token`, then reconnects with the credential as an agent does. */
export async function enrollTestDevice(url: string, token: string, displayName: string): Promise<TestDevice> {
  const enrolling = await connect(url, { enrollmentToken: token });
  const reply = await sendEnroll(enrolling, { facts: FACTS, displayName });
  enrolling.close();
  if (reply.type !== 'sparsefleet.v1.EnrollResponse') throw new Error(`enroll failed: ${JSON.stringify(reply.message)}`);
  const { deviceId, credential } = reply.message as MessageOf<'sparsefleet.v1.EnrollResponse'>;
  const socket = await connect(url, { deviceId, credential });
  return { socket, deviceId, close: () => socket.close() };
}
