// Finding 0: the REST throttler used to be a global guard that Nest also ran for socket frames, all charged to one
// key: past 6,000 frames a minute the whole fleet was refused at once. Here 50 protocol-level devices heartbeat
// every 200 ms (2.5× that budget's rate) while one device floods as fast as it can: the flooder is throttled,
// then disconnected and kept out for a while; nobody else loses a heartbeat or goes offline. (Their round trip
// during the flood is a speed figure: bench/flood.ts measures it.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/src/index.js';
import { DEVICE_CHANNEL_EVENT, decodeFrame, encodeMessage } from '../../protocol/src/index.js';
import {
  api,
  connect,
  enrollAndConnect,
  enrollAndGreet,
  heartbeat,
  rawApi,
  refusalOf,
  startTestCoordinator,
  type EnrolledTestDevice,
  type TestCoordinator,
} from '../server/support/coordinator-harness.js';
import { errorCodeOf } from '../server/support/job-messages.js';

const DEVICES = 50;
const BEAT_EVERY_MS = 200;
const BEATS_PER_DEVICE = 20;
/** More than the old shared budget (6,000 per minute) on its own. */
const FLOOD_FRAMES = 7000;

interface FleetOutcome {
  acked: number;
  refused: number;
  failed: number;
}

async function beatRegularly(device: EnrolledTestDevice, outcome: FleetOutcome): Promise<void> {
  for (let beat = 0; beat < BEATS_PER_DEVICE; beat++) {
    try {
      const reply = await heartbeat(device.socket);
      if (reply.type === 'sparsefleet.v1.HeartbeatAck') outcome.acked += 1;
      else outcome.refused += 1;
    } catch {
      outcome.failed += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, BEAT_EVERY_MS));
  }
}

/** Emits heartbeats without waiting, until the coordinator drops the connection or the frames run out. */
async function flood(device: Pick<EnrolledTestDevice, 'socket'>): Promise<{ sent: number; rateLimited: number; disconnected: boolean }> {
  let rateLimited = 0;
  let sent = 0;
  const dropped = new Promise<void>((resolve) => device.socket.once('disconnect', () => resolve()));
  const frame = encodeMessage('sparsefleet.v1.Heartbeat', { sentAtMs: 0, telemetry: undefined, runningJobIds: [] }, { senderVersion: 'flood' });
  for (; sent < FLOOD_FRAMES && device.socket.connected; sent++) {
    device.socket.emit(DEVICE_CHANNEL_EVENT, frame, (reply: unknown) => {
      if (errorCodeOf(decodeFrame(reply)) === ErrorCode.ERROR_CODE_RATE_LIMITED) rateLimited += 1;
    });
    if (sent % 200 === 199) await new Promise((resolve) => setImmediate(resolve));
  }
  const disconnected = await Promise.race([dropped.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5000))]);
  return { sent, rateLimited, disconnected };
}

describe('device channel limits under a flood', () => {
  let test: TestCoordinator;

  beforeAll(async () => {
    // The default patience (3 heartbeat intervals of 5 s) would hide a stall; 1 s intervals make one visible.
    test = await startTestCoordinator({ heartbeatIntervalMs: 1000 });
  });

  afterAll(async () => {
    await test?.stop();
  });

  it('should throttle and then disconnect a flooding device while 50 others keep every heartbeat and stay online', async () => {
    // Prepare
    const fleet: EnrolledTestDevice[] = [];
    for (let i = 0; i < DEVICES; i++) fleet.push(await enrollAndGreet(test, `steady-${i}`));
    const flooder = await enrollAndConnect(test, 'flooder');
    const outcome: FleetOutcome = { acked: 0, refused: 0, failed: 0 };
    let offlineSeen = 0;
    const watching = (async () => {
      for (let i = 0; i < 10; i++) {
        const devices = (await api<Array<{ id: string; state: string }>>(test, 'GET', '/api/devices')).body;
        offlineSeen += devices.filter((d) => d.state === 'offline' && d.id !== flooder.deviceId).length;
        await new Promise((resolve) => setTimeout(resolve, 400));
      }
    })();

    // Execute
    const [flooded] = await Promise.all([flood(flooder), ...fleet.map((device) => beatRegularly(device, outcome)), watching]);
    const metrics = (await rawApi<string>(test.coordinator.url, 'GET', '/metrics')).body;
    // Reconnecting at once: the flooder is kept out for the flood window, its credential unchecked.
    const cooldown = await refusalOf(test.coordinator.url, { deviceId: flooder.deviceId, credential: flooder.credential });

    // Assert
    expect(outcome).toEqual({ acked: DEVICES * BEATS_PER_DEVICE, refused: 0, failed: 0 });
    expect(offlineSeen).toBe(0);
    expect(flooded.rateLimited).toBeGreaterThan(0);
    expect(flooded.disconnected).toBe(true);
    expect(cooldown).toMatchObject({ code: ErrorCode.ERROR_CODE_RATE_LIMITED });
    expect(cooldown.message).toMatch(/flooding/);
    expect(metrics).toMatch(/sparsefleet_device_frames_refused_total\{reason="rate"\} [1-9]/);
    expect(metrics).toMatch(/sparsefleet_device_frames_refused_total\{reason="flood-disconnect"\} [1-9]/);
    for (const device of fleet) device.socket.close();
  });

  it('should keep an enrollment connection dropped for flooding from coming straight back with its token', async () => {
    // Prepare
    const { token } = await test.coordinator.createEnrollmentToken();
    const enrolling = await connect(test.coordinator.url, { enrollmentToken: token });

    // Execute: it never enrolls, it floods.
    const flooded = await flood({ socket: enrolling });
    const cooldown = await refusalOf(test.coordinator.url, { enrollmentToken: token });

    // Assert
    expect(flooded.disconnected).toBe(true);
    expect(cooldown).toMatchObject({ code: ErrorCode.ERROR_CODE_RATE_LIMITED });
    expect(cooldown.message).toMatch(/flooding/);
  });
});
