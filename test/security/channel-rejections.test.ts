// What the device channel refuses before any handler runs, through a real coordinator and raw socket.io devices:
// text frames, other socket.io events, frames over the size limit (answered) and messages over the transport limit
// (dropped with the connection), deep nesting, crowded repeated fields and far more pipelined frames than an agent
// overlaps; each refusal is counted in /metrics, and a frame with unknown fields is processed like any other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/src/index.js';
import {
  DEVICE_CHANNEL_EVENT,
  MAX_FRAME_BYTES,
  MAX_NESTING_DEPTH,
  MAX_REPEATED_ELEMENTS,
  MAX_TRANSPORT_MESSAGE_BYTES,
  decodeFrame,
  encodeMessage,
  expectMessage,
  type DecodedMessage,
  type MessageOf,
} from '../../protocol/src/index.js';
import {
  api,
  enrollAndConnect,
  enrollAndGreet,
  heartbeat,
  rawApi,
  sendFrame,
  sendPipelined,
  startTestCoordinator,
  type EnrolledTestDevice,
  type TestCoordinator,
} from '../server/support/coordinator-harness.js';
import { FRAMES_IN_FLIGHT_PER_SENDER, FRAMES_WAITING_PER_SENDER } from '../../server/src/security/device-channel-limits.js';
import { UNKNOWN_FIELDS, concat, nestedGroups, payloadOf, rawEnvelope } from './support/wire-bytes.js';

const HEARTBEAT = 'sparsefleet.v1.Heartbeat';

function codeOf(reply: DecodedMessage): ErrorCode | undefined {
  return reply.type === 'sparsefleet.v1.ProtocolError' ? (reply.message as MessageOf<'sparsefleet.v1.ProtocolError'>).code : undefined;
}

/** The counter of protocol errors by code, as /metrics shows it. */
async function protocolErrorCounts(test: TestCoordinator): Promise<Record<string, number>> {
  const body = (await rawApi<string>(test.coordinator.url, 'GET', '/metrics')).body;
  const counts: Record<string, number> = {};
  for (const match of body.matchAll(/^sparsefleet_protocol_errors_total\{code="([A-Z_]+)"\} (\d+)$/gm)) counts[match[1]!] = Number(match[2]);
  return counts;
}

describe('device channel rejections', () => {
  let test: TestCoordinator;
  let device: EnrolledTestDevice;

  beforeAll(async () => {
    // The frame budget's window is long enough that no run, however slow, sees it roll over mid-test.
    test = await startTestCoordinator({ deviceFrameRateLimit: { limit: 300, windowMs: 60_000 } });
    device = await enrollAndGreet(test, 'rejections');
  });

  afterAll(async () => {
    device?.socket.close();
    await test?.stop();
  });

  it('should answer a text frame with TEXT_FRAME', async () => {
    const reply = await sendFrame(device.socket, 'sparsefleet.v1.Heartbeat');
    expect(codeOf(reply)).toBe(ErrorCode.ERROR_CODE_TEXT_FRAME);
  });

  it('should answer any other event with UNKNOWN_EVENT, through its ack or on the channel when it has none', async () => {
    // Prepare
    const frame = encodeMessage(HEARTBEAT, { sentAtMs: 1, telemetry: undefined, runningJobIds: [] }, { senderVersion: 't' });
    const pushed = new Promise<DecodedMessage>((resolve) => device.socket.once(DEVICE_CHANNEL_EVENT, (bytes: unknown) => resolve(decodeFrame(bytes))));

    // Execute
    const acked = decodeFrame(await device.socket.timeout(5000).emitWithAck('heartbeat', frame));
    device.socket.emit('message', 'hello');
    const withoutAck = await pushed;

    // Assert
    expect(codeOf(acked)).toBe(ErrorCode.ERROR_CODE_UNKNOWN_EVENT);
    expect((acked.message as MessageOf<'sparsefleet.v1.ProtocolError'>).message).toContain('"heartbeat"');
    expect(codeOf(withoutAck)).toBe(ErrorCode.ERROR_CODE_UNKNOWN_EVENT);
    expect((await heartbeat(device.socket)).type).toBe('sparsefleet.v1.HeartbeatAck');
  });

  it('should answer a frame over MAX_FRAME_BYTES with FRAME_TOO_LARGE and keep the connection', async () => {
    const reply = await sendFrame(device.socket, new Uint8Array(MAX_FRAME_BYTES + 1));
    expect(codeOf(reply)).toBe(ErrorCode.ERROR_CODE_FRAME_TOO_LARGE);
    expect(device.socket.connected).toBe(true);
    expect((await heartbeat(device.socket)).type).toBe('sparsefleet.v1.HeartbeatAck');
  });

  it('should drop a connection that sends a message over the transport limit, and count it as FRAME_TOO_LARGE', async () => {
    // Prepare
    const oversized = await enrollAndConnect(test, 'oversized');
    const before = await protocolErrorCounts(test);
    const dropped = new Promise<string>((resolve) => oversized.socket.once('disconnect', (reason) => resolve(reason)));

    // Execute
    oversized.socket.emit(DEVICE_CHANNEL_EVENT, new Uint8Array(MAX_TRANSPORT_MESSAGE_BYTES + 1));
    const reason = await dropped;
    let after = await protocolErrorCounts(test);
    for (let i = 0; i < 100 && (after.FRAME_TOO_LARGE ?? 0) === (before.FRAME_TOO_LARGE ?? 0); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      after = await protocolErrorCounts(test);
    }

    // Assert
    expect(reason).toBe('transport close');
    expect((after.FRAME_TOO_LARGE ?? 0) - (before.FRAME_TOO_LARGE ?? 0)).toBe(1);
    expect((await heartbeat(device.socket)).type).toBe('sparsefleet.v1.HeartbeatAck');
  });

  it('should answer deep nesting with NESTING_TOO_DEEP and a crowded repeated field with TOO_MANY_ELEMENTS', async () => {
    // Prepare
    const deep = rawEnvelope(HEARTBEAT, concat(payloadOf(HEARTBEAT, { sentAtMs: 1, telemetry: undefined, runningJobIds: [] }), nestedGroups(700, MAX_NESTING_DEPTH)));
    const ids = Array.from({ length: MAX_REPEATED_ELEMENTS + 1 }, (_, i) => `job-${i}`);
    const crowded = encodeMessage(HEARTBEAT, { sentAtMs: 1, telemetry: undefined, runningJobIds: ids }, { senderVersion: 't' });

    // Execute
    const deepReply = await sendFrame(device.socket, deep);
    const crowdedReply = await sendFrame(device.socket, crowded);

    // Assert
    expect(codeOf(deepReply)).toBe(ErrorCode.ERROR_CODE_NESTING_TOO_DEEP);
    expect(codeOf(crowdedReply)).toBe(ErrorCode.ERROR_CODE_TOO_MANY_ELEMENTS);
  });

  it('should process a heartbeat carrying unknown fields like any other', async () => {
    // Prepare
    const sentAtMs = Date.now();
    const payload = concat(payloadOf(HEARTBEAT, { sentAtMs, telemetry: { freeMemoryBytes: 1024, rssBytes: 0, loadAverage_1m: 0.25, temperatureCelsius: -1, batteryLevel: -1, charging: false }, runningJobIds: [] }), UNKNOWN_FIELDS);
    const frame = rawEnvelope(HEARTBEAT, payload, UNKNOWN_FIELDS, 'extras-1');

    // Execute
    const reply = await sendFrame(device.socket, frame);
    const shown = await api<{ telemetry?: { freeMemoryBytes?: number } | null; state: string }>(test, 'GET', `/api/devices/${device.deviceId}`);

    // Assert
    expect(reply.requestId).toBe('extras-1');
    expect(expectMessage(reply, 'sparsefleet.v1.HeartbeatAck').heartbeatIntervalMs).toBe(5000);
    expect(shown.body.state).not.toBe('offline');
    expect(shown.body.telemetry?.freeMemoryBytes).toBe(1024);
  });

  it('should answer pipelined frames past the rate budget with RATE_LIMITED and keep the device connected', async () => {
    // Prepare: 50 frames past the budget (300 per minute here), half the refusals that would disconnect (100 per 10 s).
    // The device keeps as many frames outstanding as its turns hold (in flight + waiting): sending all 350 at once
    // would also meet the turn limit whenever the handlers run slower than frames arrive (a loaded machine), and
    // those refusals count towards the disconnect too.
    const pipelining = await enrollAndConnect(test, 'pipelining');
    const frames = Array.from({ length: 350 }, (_, i) =>
      encodeMessage(HEARTBEAT, { sentAtMs: i, telemetry: undefined, runningJobIds: [] }, { senderVersion: 't', requestId: `p-${i}` }),
    );

    // Execute
    const replies = await sendPipelined(pipelining.socket, frames, FRAMES_IN_FLIGHT_PER_SENDER + FRAMES_WAITING_PER_SENDER);
    const connected = pipelining.socket.connected;
    pipelining.socket.close();

    // Assert
    const acked = replies.filter((reply) => reply.type === 'sparsefleet.v1.HeartbeatAck').length;
    const rateLimited = replies.filter((reply) => codeOf(reply) === ErrorCode.ERROR_CODE_RATE_LIMITED).length;
    expect(acked).toBe(300);
    expect(rateLimited).toBe(50);
    expect(connected).toBe(true);
  });

  it('should count every kind of refusal by its code in /metrics', async () => {
    const counts = await protocolErrorCounts(test);
    for (const code of ['TEXT_FRAME', 'UNKNOWN_EVENT', 'FRAME_TOO_LARGE', 'NESTING_TOO_DEEP', 'TOO_MANY_ELEMENTS', 'RATE_LIMITED']) {
      expect(counts[code] ?? 0, code).toBeGreaterThan(0);
    }
  });
});

describe('other events under the frame limit', () => {
  let test: TestCoordinator;

  beforeAll(async () => {
    test = await startTestCoordinator({ deviceFrameRateLimit: { limit: 20, windowMs: 60_000 }, floodDisconnectLimit: { limit: 10, windowMs: 60_000 } });
  });

  afterAll(async () => {
    await test?.stop();
  });

  it('should charge other events like frames: a device that floods them is throttled, then disconnected', async () => {
    // Prepare
    const flooder = await enrollAndConnect(test, 'event-flooder');
    const dropped = new Promise<void>((resolve) => flooder.socket.once('disconnect', () => resolve()));
    const codes: Array<ErrorCode | undefined> = [];

    // Execute
    for (let i = 0; i < 60 && flooder.socket.connected; i++) {
      try {
        codes.push(codeOf(decodeFrame(await flooder.socket.timeout(2000).emitWithAck('spam', i))));
      } catch {
        break; // the connection went away while the event was in flight
      }
    }
    await dropped;

    // Assert
    expect(codes.slice(0, 20).every((code) => code === ErrorCode.ERROR_CODE_UNKNOWN_EVENT)).toBe(true);
    expect(codes).toContain(ErrorCode.ERROR_CODE_RATE_LIMITED);
    expect(flooder.socket.connected).toBe(false);
  });
});
