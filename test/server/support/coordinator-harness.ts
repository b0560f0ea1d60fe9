// Test helpers: a real coordinator on port 0 over a throwaway data dir (and a throwaway PostgreSQL database in the
// `postgres` test project), and raw socket.io-client devices that
// speak the envelope protocol directly (no agent code).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import {
  DEVICE_CHANNEL_EVENT,
  decodeFrame,
  encodeMessage,
  isHandshakeRefusal,
  type DecodedMessage,
  type HandshakeAuth,
  type HandshakeRefusal,
  type MessageOf,
  type MessageTypeName,
} from '../../../protocol/src/index.js';
import type { CoordinatorLogLevel } from '../../../server/src/config/coordinator-config.js';
import { startCoordinator, type CoordinatorOptions, type RunningCoordinator } from '../../../server/src/coordinator.js';
import { createTestDatabase } from '../../support/test-database.js';

export interface TestCoordinator {
  readonly coordinator: RunningCoordinator;
  readonly dataDir: string;
  /** The coordinator's PostgreSQL database (postgres test project); undefined on SQLite. */
  readonly databaseUrl: string | undefined;
  /** An operator API key created through the in-process handle; `api()` sends it. */
  readonly apiKey: string;
  stop(): Promise<void>;
}

/** Tests enroll many devices from 127.0.0.1; the per-address enrollment limit is tested on its own. */
const GENEROUS_ENROLLMENT_LIMIT = { limit: 10_000, windowMs: 60_000 };

export async function startTestCoordinator(options: Partial<CoordinatorOptions> = {}): Promise<TestCoordinator> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sparsefleet-server-'));
  // SPARSEFLEET_TEST_LOG=debug shows the coordinator's log while debugging a test.
  const logLevel = (process.env.SPARSEFLEET_TEST_LOG ?? 'silent') as CoordinatorLogLevel;
  // A given databaseUrl is shared with another test coordinator (several nodes, one database); its owner drops it.
  const database = options.databaseUrl === undefined ? await createTestDatabase() : { databaseUrl: options.databaseUrl, drop: async () => {} };
  const coordinator = await startCoordinator({
    port: 0,
    logLevel,
    dataDir,
    databaseUrl: database.databaseUrl,
    enrollmentRateLimit: GENEROUS_ENROLLMENT_LIMIT,
    ...options,
  });
  const { key } = await coordinator.createApiKey('tests');
  return {
    coordinator,
    dataDir,
    databaseUrl: database.databaseUrl,
    apiKey: key,
    async stop() {
      await coordinator.close();
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Connects with the given handshake auth; rejects with the HandshakeRefusal when the coordinator refuses. */
export function connect(url: string, auth: HandshakeAuth | Record<string, unknown>): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, auth });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error: Error & { data?: unknown }) => {
      socket.close();
      reject(isHandshakeRefusal(error.data) ? error.data : error);
    });
  });
}

/** Expects a refused handshake and returns the refusal. */
export async function refusalOf(url: string, auth: HandshakeAuth | Record<string, unknown>): Promise<HandshakeRefusal> {
  try {
    const socket = await connect(url, auth);
    socket.close();
  } catch (error) {
    if (isHandshakeRefusal(error)) return error;
    throw error;
  }
  throw new Error('the handshake was accepted');
}

let requestCounter = 0;

/** Sends one raw frame with an ack callback and decodes the reply envelope. */
export async function sendFrame(socket: Socket, frame: unknown): Promise<DecodedMessage> {
  const reply: unknown = await socket.timeout(5000).emitWithAck(DEVICE_CHANNEL_EVENT, frame);
  return decodeFrame(reply);
}

/** Sends every frame with at most `window` unanswered at once; the replies in the frames' order. */
export async function sendPipelined(socket: Socket, frames: readonly unknown[], window: number): Promise<DecodedMessage[]> {
  const replies: DecodedMessage[] = new Array(frames.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < frames.length) {
      const index = next++;
      replies[index] = await sendFrame(socket, frames[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, frames.length) }, lane));
  return replies;
}

export function request<N extends MessageTypeName>(socket: Socket, type: N, message: MessageOf<N>): Promise<DecodedMessage> {
  requestCounter += 1;
  return sendFrame(socket, encodeMessage(type, message, { senderVersion: 'test', requestId: `req-${requestCounter}` }));
}

export interface EnrolledTestDevice {
  readonly socket: Socket;
  readonly deviceId: string;
  readonly credential: string;
}

export const TEST_FACTS = {
  platform: 'linux',
  arch: 'x64',
  cpuModel: 'test cpu',
  cores: 2,
  memoryBytes: 4 * 1024 ** 3,
  backendsAvailable: ['wasm', 'cpu'],
  wasmSimd: true,
  wasmThreads: false,
  deviceModel: 'test-box',
  agentVersion: 'test',
  chosenBackend: 'wasm',
  runtime: 'node 20',
  labels: {},
};

/** Enrolls a fresh device and reconnects with its credential, then says Hello (as an agent does). */
export async function enrollAndConnect(test: TestCoordinator, displayName = 'dev'): Promise<EnrolledTestDevice> {
  const { token } = await test.coordinator.createEnrollmentToken();
  const enrolling = await connect(test.coordinator.url, { enrollmentToken: token });
  const reply = await request(enrolling, 'sparsefleet.v1.EnrollRequest', { facts: TEST_FACTS, displayName });
  enrolling.close();
  if (reply.type !== 'sparsefleet.v1.EnrollResponse') throw new Error(`enroll failed: ${JSON.stringify(reply.message)}`);
  const { deviceId, credential } = reply.message as MessageOf<'sparsefleet.v1.EnrollResponse'>;
  const socket = await connect(test.coordinator.url, { deviceId, credential });
  return { socket, deviceId, credential };
}

/** Enrolls, connects and says Hello: a device that is online and may be offered work. */
export async function enrollAndGreet(test: TestCoordinator, displayName = 'dev'): Promise<EnrolledTestDevice> {
  const device = await enrollAndConnect(test, displayName);
  await request(device.socket, 'sparsefleet.v1.HelloRequest', { facts: TEST_FACTS, runningJobIds: [] });
  return device;
}

export function heartbeat(socket: Socket): Promise<DecodedMessage> {
  return request(socket, 'sparsefleet.v1.Heartbeat', { sentAtMs: Date.now(), telemetry: undefined, runningJobIds: [] });
}

/** Resolves with the next frame the coordinator pushes on 'sf', answering its ack with `answer(decoded)`. */
export function nextPush(
  socket: Socket,
  answer?: (decoded: DecodedMessage) => Uint8Array | undefined,
): Promise<DecodedMessage> {
  return new Promise((resolve) => {
    socket.once(DEVICE_CHANNEL_EVENT, (frame: unknown, ack?: (reply: Uint8Array) => void) => {
      const decoded = decodeFrame(frame);
      const reply = answer?.(decoded);
      if (reply && ack) ack(reply);
      resolve(decoded);
    });
  });
}

/** Polls `probe` until it returns a value (event-driven state on the server side settles asynchronously). */
export async function eventually<T>(probe: () => Promise<T | undefined>, attempts = 200): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition not reached');
}

/** A REST call with the test's API key. */
export async function api<T = unknown>(test: TestCoordinator, method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> {
  return rawApi<T>(test.coordinator.url, method, route, { body, headers: { authorization: `Bearer ${test.apiKey}` } });
}

/** A REST call with exactly the given headers (no API key unless given); a non-JSON body comes back as text. */
export async function rawApi<T = unknown>(
  url: string,
  method: string,
  route: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T; contentType: string }> {
  const { body, headers = {} } = options;
  const response = await fetch(`${url}${route}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  const parsed = contentType.includes('json') && text ? (JSON.parse(text) as T) : (text as T);
  return { status: response.status, body: parsed, contentType };
}
