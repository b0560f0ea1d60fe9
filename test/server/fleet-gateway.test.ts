// The device channel against a real coordinator (port 0) and raw socket.io-client devices.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoordinatorStatsDto } from '../../server/src/api/dto/index.js';
import { apiDto } from './support/rest-dto.js';
import { Envelope, ErrorCode, encodeProto, withDefaults } from '../../protocol/src/index.js';
import { JobAssignment } from '../../protocol/src/index.js';
import {
  DEVICE_CHANNEL_EVENT,
  SCHEMA_VERSION,
  decodeFrame,
  encodeMessage,
  expectMessage,
  type DecodedMessage,
  type MessageOf,
} from '../../protocol/src/index.js';
import { EnrollmentTokenService } from '../../server/src/devices/enrollment-token.service.js';
import { FleetGateway } from '../../server/src/gateway/fleet.gateway.js';
import {
  TEST_FACTS,
  api,
  connect,
  enrollAndConnect,
  enrollAndGreet,
  heartbeat,
  refusalOf,
  request,
  sendFrame,
  startTestCoordinator,
  type EnrolledTestDevice,
  type TestCoordinator,
} from './support/coordinator-harness.js';

function protocolErrorCode(reply: DecodedMessage): ErrorCode {
  expect(reply.type).toBe('sparsefleet.v1.ProtocolError');
  return (reply.message as MessageOf<'sparsefleet.v1.ProtocolError'>).code;
}

describe(FleetGateway.name, () => {
  let test: TestCoordinator;
  let healthy: EnrolledTestDevice;

  beforeAll(async () => {
    test = await startTestCoordinator();
    healthy = await enrollAndGreet(test, 'healthy');
  });

  afterAll(async () => {
    healthy?.socket.close();
    await test?.stop();
  });

  async function expectHealthyDeviceStillServed(): Promise<void> {
    const reply = await heartbeat(healthy.socket);
    expect(expectMessage(reply, 'sparsefleet.v1.HeartbeatAck').heartbeatIntervalMs).toBe(5000);
  }

  it('should enroll a device with a token and accept its credential on the next connection', async () => {
    // Prepare
    const { token, maxUses } = await test.coordinator.createEnrollmentToken({ maxUses: 1 });
    const enrolling = await connect(test.coordinator.url, { enrollmentToken: token });

    // Execute
    const reply = await request(enrolling, 'sparsefleet.v1.EnrollRequest', { facts: TEST_FACTS, displayName: 'box-1' });
    enrolling.close();
    const enrolled = expectMessage(reply, 'sparsefleet.v1.EnrollResponse');
    const device = await connect(test.coordinator.url, { deviceId: enrolled.deviceId, credential: enrolled.credential });
    const hello = await request(device, 'sparsefleet.v1.HelloRequest', { facts: TEST_FACTS, runningJobIds: [] });
    device.close();

    // Assert
    expect(maxUses).toBe(1);
    expect(enrolled.deviceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Buffer.from(enrolled.credential, 'base64url')).toHaveLength(32);
    expect(enrolled.heartbeatIntervalMs).toBe(5000);
    expect(expectMessage(hello, 'sparsefleet.v1.HelloResponse').deviceId).toBe(enrolled.deviceId);
    const devices = await api<Array<{ id: string; displayName: string; chosenBackend: string }>>(test, 'GET', '/api/devices');
    expect(devices.body.find((d) => d.id === enrolled.deviceId)).toMatchObject({ displayName: 'box-1', chosenBackend: 'wasm' });
  });

  it('should let the enrolling connection continue as the new device', async () => {
    // Prepare
    const { token } = await test.coordinator.createEnrollmentToken();
    const socket = await connect(test.coordinator.url, { enrollmentToken: token });
    const enrolled = expectMessage(
      await request(socket, 'sparsefleet.v1.EnrollRequest', { facts: TEST_FACTS, displayName: '' }),
      'sparsefleet.v1.EnrollResponse',
    );

    // Execute
    const hello = await request(socket, 'sparsefleet.v1.HelloRequest', { facts: TEST_FACTS, runningJobIds: [] });
    const again = await request(socket, 'sparsefleet.v1.EnrollRequest', { facts: TEST_FACTS, displayName: '' });
    socket.close();

    // Assert
    expect(expectMessage(hello, 'sparsefleet.v1.HelloResponse').deviceId).toBe(enrolled.deviceId);
    expect(protocolErrorCode(again)).toBe(ErrorCode.ERROR_CODE_FORBIDDEN);
  });

  it('should refuse an unknown enrollment token', async () => {
    const refusal = await refusalOf(test.coordinator.url, { enrollmentToken: 'not-a-token' });
    expect(refusal).toMatchObject({ code: ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_UNKNOWN, codeName: 'ENROLLMENT_TOKEN_UNKNOWN' });
    await expectHealthyDeviceStillServed();
  });

  it('should refuse an expired enrollment token', async () => {
    // Prepare: a one-minute token issued two minutes ago.
    const tokens = test.coordinator.app.get(EnrollmentTokenService);
    const { token } = await tokens.create({ ttlSeconds: 60 }, new Date(Date.now() - 120_000));

    // Execute
    const refusal = await refusalOf(test.coordinator.url, { enrollmentToken: token });

    // Assert
    expect(refusal.code).toBe(ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_EXPIRED);
    await expectHealthyDeviceStillServed();
  });

  it('should refuse a single-use token once it has been used, at the handshake and at EnrollRequest', async () => {
    // Prepare: two connections pass the handshake before either enrolls.
    const { token } = await test.coordinator.createEnrollmentToken({ maxUses: 1 });
    const first = await connect(test.coordinator.url, { enrollmentToken: token });
    const second = await connect(test.coordinator.url, { enrollmentToken: token });

    // Execute
    const firstReply = await request(first, 'sparsefleet.v1.EnrollRequest', { facts: TEST_FACTS, displayName: 'a' });
    const secondReply = await request(second, 'sparsefleet.v1.EnrollRequest', { facts: TEST_FACTS, displayName: 'b' });
    const refusal = await refusalOf(test.coordinator.url, { enrollmentToken: token });
    first.close();
    second.close();

    // Assert
    expect(firstReply.type).toBe('sparsefleet.v1.EnrollResponse');
    expect(protocolErrorCode(secondReply)).toBe(ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_EXHAUSTED);
    expect(refusal.code).toBe(ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_EXHAUSTED);
    await expectHealthyDeviceStillServed();
  });

  it('should refuse a handshake without credentials', async () => {
    const refusal = await refusalOf(test.coordinator.url, {});
    expect(refusal.code).toBe(ErrorCode.ERROR_CODE_UNAUTHENTICATED);
    await expectHealthyDeviceStillServed();
  });

  it('should refuse a wrong credential and an unknown device id alike', async () => {
    const wrong = await refusalOf(test.coordinator.url, { deviceId: healthy.deviceId, credential: 'x'.repeat(43) });
    const unknown = await refusalOf(test.coordinator.url, { deviceId: 'no-such-device', credential: healthy.credential });
    expect(wrong.code).toBe(ErrorCode.ERROR_CODE_CREDENTIAL_INVALID);
    expect(unknown.code).toBe(ErrorCode.ERROR_CODE_CREDENTIAL_INVALID);
    await expectHealthyDeviceStillServed();
  });

  it('should answer a message other than EnrollRequest on an enrollment connection with FORBIDDEN', async () => {
    const { token } = await test.coordinator.createEnrollmentToken();
    const socket = await connect(test.coordinator.url, { enrollmentToken: token });
    const reply = await heartbeat(socket);
    socket.close();
    expect(protocolErrorCode(reply)).toBe(ErrorCode.ERROR_CODE_FORBIDDEN);
  });

  it('should answer malformed frames, unknown types and wrong schema versions with their codes', async () => {
    // Prepare
    const device = await enrollAndConnect(test, 'noisy');
    const unknownType = encodeProto('sparsefleet.v1.Envelope', { type: 'sparsefleet.v1.Nope', schemaVersion: SCHEMA_VERSION, senderVersion: 't', payload: new Uint8Array(), requestId: 'u1' });
    const futureSchema = encodeProto('sparsefleet.v1.Envelope', { type: 'sparsefleet.v1.Heartbeat', schemaVersion: 99, senderVersion: 't', payload: new Uint8Array(), requestId: 'v1' });
    const badPayload = encodeProto('sparsefleet.v1.Envelope', { type: 'sparsefleet.v1.Heartbeat', schemaVersion: SCHEMA_VERSION, senderVersion: 't', payload: Uint8Array.of(0xff, 0xff, 0xff), requestId: 'p1' });

    // Execute
    const malformed = await sendFrame(device.socket, Uint8Array.of(0xff, 0x01, 0x02, 0x03));
    const text = await sendFrame(device.socket, 'hello');
    const unknown = await sendFrame(device.socket, unknownType);
    const schema = await sendFrame(device.socket, futureSchema);
    const payload = await sendFrame(device.socket, badPayload);
    const serverOnly = await request(device.socket, 'sparsefleet.v1.JobAssignment', withDefaults('sparsefleet.v1.JobAssignment', { jobId: 'x', attempt: 1, leaseMs: 0 }));
    device.socket.close();

    // Assert
    expect(protocolErrorCode(malformed)).toBe(ErrorCode.ERROR_CODE_MALFORMED_FRAME);
    expect(protocolErrorCode(text)).toBe(ErrorCode.ERROR_CODE_TEXT_FRAME);
    expect(protocolErrorCode(unknown)).toBe(ErrorCode.ERROR_CODE_UNKNOWN_MESSAGE_TYPE);
    expect(unknown.message).toMatchObject({ offendingType: 'sparsefleet.v1.Nope', requestId: 'u1' });
    expect(protocolErrorCode(schema)).toBe(ErrorCode.ERROR_CODE_UNSUPPORTED_SCHEMA_VERSION);
    expect(protocolErrorCode(payload)).toBe(ErrorCode.ERROR_CODE_INVALID_PAYLOAD);
    expect(protocolErrorCode(serverOnly)).toBe(ErrorCode.ERROR_CODE_FORBIDDEN);
    await expectHealthyDeviceStillServed();
  });

  it('should emit the protocol error on the channel when the device sent no ack callback', async () => {
    // Prepare
    const device = await enrollAndConnect(test, 'no-ack');
    const pushed = new Promise<DecodedMessage>((resolve) =>
      device.socket.once(DEVICE_CHANNEL_EVENT, (frame: unknown) => resolve(decodeFrame(frame))),
    );

    // Execute
    device.socket.emit(DEVICE_CHANNEL_EVENT, Uint8Array.of(0xff, 0x00));
    const error = await pushed;
    device.socket.close();

    // Assert
    expect(protocolErrorCode(error)).toBe(ErrorCode.ERROR_CODE_MALFORMED_FRAME);
  });

  it('should bring a device online at its Hello, not at its enrollment or a heartbeat before it', async () => {
    // Prepare
    const device = await enrollAndConnect(test, 'quiet');
    const stateOf = async () => (await api<{ state: string }>(test, 'GET', `/api/devices/${device.deviceId}`)).body.state;

    // Execute + Assert
    const afterEnroll = await stateOf();
    await heartbeat(device.socket);
    const afterHeartbeat = await stateOf();
    await request(device.socket, 'sparsefleet.v1.HelloRequest', { facts: TEST_FACTS, runningJobIds: [] });
    const afterHello = await stateOf();
    await heartbeat(device.socket);
    const afterGreetedHeartbeat = await stateOf();
    expect([afterEnroll, afterHeartbeat, afterHello, afterGreetedHeartbeat]).toEqual(['offline', 'offline', 'online', 'online']);
    device.socket.close();
  });

  it('should count protocol errors and refusals by code in /api/stats', async () => {
    // Prepare
    const before = await apiDto(test, CoordinatorStatsDto, 'GET', '/api/stats');

    // Execute
    await sendFrame(healthy.socket, Uint8Array.of(0xff));
    await refusalOf(test.coordinator.url, { enrollmentToken: 'still-not-a-token' });
    const after = await apiDto(test, CoordinatorStatsDto, 'GET', '/api/stats');

    // Assert
    const delta = (code: string) => (after.body.protocolErrors[code] ?? 0) - (before.body.protocolErrors[code] ?? 0);
    expect(delta('MALFORMED_FRAME')).toBe(1);
    expect(delta('ENROLLMENT_TOKEN_UNKNOWN')).toBe(1);
    expect(after.body.devices.online).toBeGreaterThanOrEqual(1);
  });

  it('should let a new connection of a device replace its stale one', async () => {
    // Prepare
    const device = await enrollAndConnect(test, 'reconnecting');
    const dropped = new Promise<string>((resolve) => device.socket.once('disconnect', (reason) => resolve(reason)));

    // Execute
    const fresh = await connect(test.coordinator.url, { deviceId: device.deviceId, credential: device.credential });
    const reason = await dropped;
    const reply = await heartbeat(fresh);
    fresh.close();

    // Assert
    expect(reason).toBe('io server disconnect');
    expect(reply.type).toBe('sparsefleet.v1.HeartbeatAck');
  });

  it('should mark a device offline when it disconnects', async () => {
    const device = await enrollAndConnect(test, 'leaving');
    await request(device.socket, 'sparsefleet.v1.HelloRequest', { facts: TEST_FACTS, runningJobIds: [] });
    device.socket.close();
    const states = async () =>
      (await api<Array<{ id: string; state: string }>>(test, 'GET', '/api/devices')).body.find((d) => d.id === device.deviceId)?.state;
    let state = await states();
    for (let i = 0; i < 100 && state !== 'offline'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      state = await states();
    }
    expect(state).toBe('offline');
  });
});
