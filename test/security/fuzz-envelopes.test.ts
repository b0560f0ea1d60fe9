// Fuzzing the device channel with fast-check: 100,000 random and mutated envelopes through the gateway's dispatcher
// in-process, then a bounded sample through a live socket to a real coordinator on loopback. Whatever arrives, the
// coordinator answers (never throws, never INTERNAL), a frame decodeFrame refuses is answered with a ProtocolError
// carrying that code, and nothing answered with a ProtocolError changes the database.
import fc from 'fast-check';
import { sql } from 'kysely';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/src/index.js';
import { DEVICE_CHANNEL_EVENT, ProtocolFault, decodeFrame, encodeMessage, errorCodeName, type DecodedMessage, type MessageOf } from '../../protocol/src/index.js';
import type { Session } from '../../server/src/common/session.types.js';
import { FleetGateway } from '../../server/src/gateway/fleet.gateway.js';
import type { FrameDispatcher } from '../../server/src/gateway/frame-dispatcher.js';
import { DatabaseService } from '../../server/src/storage/database.service.js';
import { rowChanges, startCountingRowChanges, tableNames } from '../support/database-inspection.js';
import { testDatabaseKind } from '../support/test-database.js';
import { enrollAndConnect, heartbeat, startTestCoordinator, type EnrolledTestDevice, type TestCoordinator } from '../server/support/coordinator-harness.js';
import { mutatedFrame, randomEnvelope, randomValue, structuredEnvelope, wrongEventName } from './support/fuzz-frames.js';

/**
 * In-process runs per generator: 100,000 frames in all on SQLite. On PostgreSQL a fifth of them: the decoder and
 * dispatcher are the same code, and each frame's row-change check is a network round trip there.
 */
const RUN_SHARE = testDatabaseKind() === 'postgres' ? 0.2 : 1;
const IN_PROCESS_RUNS = scaled({ randomValues: 10_000, randomEnvelopes: 20_000, structured: 20_000, mutated: 45_000, anonymous: 5_000 });

function scaled<T extends Record<string, number>>(runs: T): T {
  return Object.fromEntries(Object.entries(runs).map(([name, count]) => [name, Math.round(count * RUN_SHARE)])) as T;
}
/** Frames through the live socket (and wrong events beside them). */
const LIVE_RUNS = { frames: 2_500, wrongEvents: 300 };

type Expectation = { readonly refusedWith: ErrorCode } | { readonly decodes: DecodedMessage };

/** What the coordinator must answer, judged by the protocol's own decoder. */
function expectationFor(frame: unknown): Expectation {
  if (typeof frame === 'string') return { refusedWith: ErrorCode.ERROR_CODE_TEXT_FRAME };
  try {
    return { decodes: decodeFrame(frame) };
  } catch (error) {
    if (error instanceof ProtocolFault) return { refusedWith: error.code };
    throw error;
  }
}

interface Tally {
  frames: number;
  refused: number;
  accepted: number;
  byCode: Map<string, number>;
}

const newTally = (): Tally => ({ frames: 0, refused: 0, accepted: 0, byCode: new Map() });

describe('fuzzing the device channel', () => {
  let test: TestCoordinator;
  let dispatcher: FrameDispatcher;
  let database: DatabaseService;
  let fuzzed: EnrolledTestDevice;
  let bystander: EnrolledTestDevice;
  let deviceSession: Session;
  let tokenId: string;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  /** Rows changed in the coordinator's database so far (inserts, updates, deletes). */
  const changes = () => rowChanges(database.db);

  /** Every table's rows, for a before/after comparison. */
  async function snapshot(): Promise<Record<string, unknown[]>> {
    const out: Record<string, unknown[]> = {};
    for (const name of await tableNames(database.db)) out[name] = (await sql.raw(`select * from "${name}" order by 1`).execute(database.db)).rows;
    return out;
  }

  /**
   * Checks one answer against the expectation: it decodes, echoes the request id, a refusal carries a code (never
   * INTERNAL, which means a handler crashed) and changed no row. Plain checks: this runs 100,000 times.
   */
  function judge(frame: unknown, answer: DecodedMessage, changed: number, tally: Tally): void {
    const expected = expectationFor(frame);
    const error = answer.type === 'sparsefleet.v1.ProtocolError' ? (answer.message as MessageOf<'sparsefleet.v1.ProtocolError'>) : undefined;
    const fail = (why: string) => {
      throw new Error(`${why}; answer ${answer.type} ${JSON.stringify(error ?? {})}`);
    };
    tally.frames += 1;
    if ('refusedWith' in expected) {
      if (error?.code !== expected.refusedWith) fail(`expected a ProtocolError ${ErrorCode[expected.refusedWith]}`);
    } else if (answer.requestId !== expected.decodes.requestId) {
      fail(`the answer to ${expected.decodes.type} does not echo its request id "${expected.decodes.requestId}"`);
    }
    if (error) {
      if (error.code === ErrorCode.ERROR_CODE_UNSPECIFIED || error.code === ErrorCode.ERROR_CODE_INTERNAL) fail('a refusal without a proper code');
      if (changed !== 0) fail(`a refused frame changed ${changed} row(s)`);
      tally.refused += 1;
      const name = errorCodeName(error.code);
      tally.byCode.set(name, (tally.byCode.get(name) ?? 0) + 1);
    } else {
      tally.accepted += 1;
    }
  }

  let knownChanges = 0;

  /** Rows the database connection changed since the last call. */
  async function changedRows(): Promise<number> {
    const now = await changes();
    const changed = now - knownChanges;
    knownChanges = now;
    return changed;
  }

  /** One frame through the dispatcher, the way the gateway hands it over. */
  async function dispatchOne(frame: unknown, session: Session | undefined, tally: Tally): Promise<void> {
    const outcome = await dispatcher.dispatch(frame, session);
    const answer = decodeFrame(outcome.frame);
    if (outcome.error && answer.type !== 'sparsefleet.v1.ProtocolError') throw new Error('a refusal answered with something else');
    judge(frame, answer, await changedRows(), tally);
    if (!outcome.error) await settleAccepted();
  }

  /** Work an accepted frame started (e.g. an assignment run after a Hello) settles before the next frame. */
  async function settleAccepted(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    await changedRows();
  }

  const sessions = () =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant<Session | undefined>(deviceSession) },
      // A fresh object each time: an enrollment connection enrolls once.
      { weight: 1, arbitrary: fc.constant(null).map((): Session => ({ kind: 'enrollment', tokenId, remoteAddress: 'fuzz-in-process' })) },
      { weight: 1, arbitrary: fc.constant<Session | undefined>(undefined) },
    );

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    // No sweep during the run (it could change rows between two frames), and no frame limit for the live sample:
    // the limiter has its own tests; here every frame must reach the decoder.
    test = await startTestCoordinator({ heartbeatIntervalMs: 600_000, deviceFrameRateLimit: { limit: 1_000_000, windowMs: 1000 } });
    dispatcher = test.coordinator.app.get(FleetGateway).dispatcher;
    database = test.coordinator.app.get(DatabaseService);
    await startCountingRowChanges(database.db);
    fuzzed = await enrollAndConnect(test, 'fuzzed');
    // Like an agent, the device acks what the coordinator pushes (e.g. a JobCancel for a job a fuzzed Heartbeat named).
    fuzzed.socket.on(DEVICE_CHANNEL_EVENT, (_frame: unknown, ack?: (reply: Uint8Array) => void) =>
      ack?.(encodeMessage('sparsefleet.v1.Ack', { ok: true }, { senderVersion: 'fuzz' })),
    );
    bystander = await enrollAndConnect(test, 'bystander');
    deviceSession = { kind: 'device', deviceId: fuzzed.deviceId, remoteAddress: 'fuzz-in-process', greeted: true };
    tokenId = (await test.coordinator.createEnrollmentToken()).id;
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    fuzzed?.socket.close();
    bystander?.socket.close();
    await test?.stop();
  });

  it('should answer 100,000 random and mutated frames (20,000 on PostgreSQL) dispatched in-process without a crash or a write from a refusal', async () => {
    // Prepare
    const tally = newTally();
    await changedRows();
    const property = (frames: fc.Arbitrary<unknown>) => fc.asyncProperty(frames, sessions(), (frame, session) => dispatchOne(frame, session, tally));

    // Execute
    await fc.assert(property(randomValue), { numRuns: IN_PROCESS_RUNS.randomValues });
    await fc.assert(property(randomEnvelope), { numRuns: IN_PROCESS_RUNS.randomEnvelopes });
    await fc.assert(property(structuredEnvelope), { numRuns: IN_PROCESS_RUNS.structured });
    await fc.assert(property(mutatedFrame), { numRuns: IN_PROCESS_RUNS.mutated });
    // Without a session every frame is refused, so the whole database must read the same afterwards.
    const before = await snapshot();
    const anonymous = fc.asyncProperty(fc.oneof(randomValue, randomEnvelope, structuredEnvelope, mutatedFrame), (frame) => dispatchOne(frame, undefined, tally));
    await fc.assert(anonymous, { numRuns: IN_PROCESS_RUNS.anonymous });
    const after = await snapshot();

    // Assert
    expect(tally.frames).toBe(Object.values(IN_PROCESS_RUNS).reduce((sum, runs) => sum + runs, 0));
    expect(after).toEqual(before);
    expect(unhandled).toEqual([]);
    // The fuzz reached both sides: refusals of many kinds, and frames that decoded and were handled.
    expect(tally.accepted).toBeGreaterThan(0);
    for (const code of ['MALFORMED_FRAME', 'TEXT_FRAME', 'UNKNOWN_MESSAGE_TYPE', 'UNSUPPORTED_SCHEMA_VERSION', 'INVALID_PAYLOAD', 'NESTING_TOO_DEEP', 'FORBIDDEN']) {
      expect(tally.byCode.get(code) ?? 0, code).toBeGreaterThan(0);
    }
  });

  it('should answer a sample of them through a live socket and keep the connection and the other devices served', async () => {
    // Prepare
    const tally = newTally();
    await changedRows();
    const socket: Socket = fuzzed.socket;
    let dropped = false;
    socket.once('disconnect', () => (dropped = true));
    const sendOne = async (frame: unknown) => {
      const answer = decodeFrame(await socket.timeout(5000).emitWithAck(DEVICE_CHANNEL_EVENT, frame));
      judge(frame, answer, await changedRows(), tally);
      if (answer.type !== 'sparsefleet.v1.ProtocolError') await settleAccepted();
    };
    const wrongEvents: ErrorCode[] = [];

    // Execute
    const frames = fc.oneof(randomValue, randomEnvelope, structuredEnvelope, mutatedFrame, mutatedFrame);
    await fc.assert(fc.asyncProperty(frames, sendOne), { numRuns: LIVE_RUNS.frames });
    await fc.assert(
      fc.asyncProperty(wrongEventName, randomValue, async (event, frame) => {
        const reply: unknown = await socket.timeout(5000).emitWithAck(event, frame);
        expect(await changedRows()).toBe(0);
        wrongEvents.push((decodeFrame(reply).message as MessageOf<'sparsefleet.v1.ProtocolError'>).code);
      }),
      { numRuns: LIVE_RUNS.wrongEvents },
    );
    const bystanderBeat = await heartbeat(bystander.socket);
    const fuzzedBeat = await heartbeat(socket);

    // Assert
    expect(tally.frames).toBe(LIVE_RUNS.frames);
    expect(tally.refused).toBeGreaterThan(0);
    expect(new Set(wrongEvents)).toEqual(new Set([ErrorCode.ERROR_CODE_UNKNOWN_EVENT]));
    expect(dropped).toBe(false);
    expect(bystanderBeat.type).toBe('sparsefleet.v1.HeartbeatAck');
    expect(fuzzedBeat.type).toBe('sparsefleet.v1.HeartbeatAck');
    expect(unhandled).toEqual([]);
  });
});
