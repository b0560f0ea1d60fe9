import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/src/index.js';
import { Agent, type AgentOptions } from '../../client/src/agent/agent.js';
import { AgentFatalError } from '../../client/src/agent/errors.js';
import type { JobFinished } from '../../client/src/agent/job-runner.js';
import { FakeCoordinator } from './fake-coordinator.js';
import { FakeEngine } from './fake-engine.js';

const FAST_BACKOFF = { reconnectionDelayMs: 20, reconnectionDelayMaxMs: 100, randomizationFactor: 0.2 };

async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe(Agent.name, () => {
  let coordinator: FakeCoordinator;
  let dir: string;
  const agents: Agent[] = [];

  function createAgent(overrides: Partial<AgentOptions> = {}): { sut: Agent; engine: FakeEngine } {
    const engine = new FakeEngine();
    const sut = new Agent({
      server: coordinator.url,
      enrollmentToken: 'good-token',
      statePath: join(dir, 'agent.json'),
      engine,
      backoff: FAST_BACKOFF,
      requestTimeoutMs: 2000,
      ...overrides,
    });
    agents.push(sut);
    return { sut, engine };
  }

  beforeEach(async () => {
    coordinator = await FakeCoordinator.start();
    dir = await mkdtemp(join(tmpdir(), 'sf-agent-'));
  });

  afterEach(async () => {
    await Promise.all(agents.splice(0).map((agent) => agent.stop()));
    await coordinator.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('should enroll with the token, save the credential and reconnect with it', async () => {
    // Prepare
    const { sut } = createAgent();
    const events: string[] = [];
    sut.on('enrolled', (id) => events.push(`enrolled:${id}`));
    sut.on('connected', (id) => events.push(`connected:${id}`));
    // Execute
    await sut.start();
    // Assert
    expect(events).toEqual(['enrolled:dev-1', 'connected:dev-1']);
    expect(coordinator.handshakes).toEqual([
      { enrollmentToken: 'good-token' },
      { deviceId: 'dev-1', credential: 'secret-dev-1' },
    ]);
    const saved = JSON.parse(await readFile(join(dir, 'agent.json'), 'utf8'));
    expect(saved).toMatchObject({ server: coordinator.url, deviceId: 'dev-1', credential: 'secret-dev-1' });
    const [enroll] = coordinator.messages('sparsefleet.v1.EnrollRequest');
    expect(enroll.facts?.chosenBackend).toBe('cpu');
    expect(coordinator.messages('sparsefleet.v1.HelloRequest')).toHaveLength(1);
  });

  it('should reuse the saved credential without a token on the next start', async () => {
    const first = createAgent().sut;
    await first.start();
    await first.stop();
    const { sut } = createAgent({ enrollmentToken: undefined });
    await sut.start();
    expect(sut.deviceId).toBe('dev-1');
    expect(coordinator.messages('sparsefleet.v1.EnrollRequest')).toHaveLength(1);
  });

  it('should send heartbeats with telemetry at the coordinator interval', async () => {
    const { sut } = createAgent();
    await sut.start();
    await until(() => coordinator.messages('sparsefleet.v1.Heartbeat').length >= 2);
    const [beat] = coordinator.messages('sparsefleet.v1.Heartbeat');
    expect(beat.telemetry?.rssBytes).toBeGreaterThan(0);
    expect(beat.runningJobIds).toEqual([]);
  });

  it('should stop with a clear fatal error on an unknown token instead of retrying', async () => {
    // Prepare
    const { sut } = createAgent({ enrollmentToken: 'wrong-token' });
    const errors: AgentFatalError[] = [];
    sut.on('error', (error) => errors.push(error));
    // Execute
    const outcome = await sut.start().then(
      () => undefined,
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    // Assert
    expect(outcome).toBeInstanceOf(AgentFatalError);
    expect((outcome as AgentFatalError).code).toBe(ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_UNKNOWN);
    expect((outcome as AgentFatalError).message).toMatch(/ENROLLMENT_TOKEN_UNKNOWN.*unknown enrollment token/);
    expect(errors).toHaveLength(1);
    expect(coordinator.handshakes).toHaveLength(1);
    await expect(sut.done).rejects.toBeInstanceOf(AgentFatalError);
  });

  it('should fail fast when not enrolled and no token is given', async () => {
    const { sut } = createAgent({ enrollmentToken: undefined });
    await expect(sut.start()).rejects.toThrow(/not enrolled yet/);
    expect(coordinator.handshakes).toHaveLength(0);
  });

  it('should enroll again with the token when the saved credential is refused', async () => {
    // Prepare: the coordinator forgot every device (e.g. its database was reset).
    const first = createAgent().sut;
    await first.start();
    await first.stop();
    coordinator.devices.clear();
    const { sut } = createAgent();
    const warnings: string[] = [];
    sut.on('warning', (message) => warnings.push(message));
    // Execute
    await sut.start();
    // Assert
    expect(sut.deviceId).toBe('dev-2');
    expect(warnings.some((warning) => warning.includes('enrolling again'))).toBe(true);
    const enrollments = coordinator.received.filter((r) => r.type === 'sparsefleet.v1.EnrollRequest');
    expect(enrollments.at(-1)?.message).toMatchObject({ previousDeviceId: 'dev-1', previousCredential: 'secret-dev-1' });
    expect(warnings.some((warning) => warning.includes('enrolled as new device dev-2'))).toBe(true);
    expect(JSON.parse(await readFile(join(dir, 'agent.json'), 'utf8')).deviceId).toBe('dev-2');
  });

  it('should stop with CREDENTIAL_INVALID when the saved credential is refused and no token is given', async () => {
    const first = createAgent().sut;
    await first.start();
    await first.stop();
    coordinator.devices.clear();
    const { sut } = createAgent({ enrollmentToken: undefined });
    await expect(sut.start()).rejects.toMatchObject({ codeName: 'CREDENTIAL_INVALID' });
  });

  it('should come back after the delay a busy coordinator names, not its own backoff', async () => {
    // Prepare: an enrolled device; the coordinator is busy for its next handshake.
    const first = createAgent().sut;
    await first.start();
    await first.stop();
    coordinator.busyHandshakes = { count: 1, retryAfterMs: 345 };
    const { sut } = createAgent();
    const warnings: string[] = [];
    sut.on('warning', (message) => warnings.push(message));
    // Execute
    await sut.start();
    // Assert
    expect(warnings.some((warning) => warning.includes('RATE_LIMITED: coordinator busy); retrying in 345 ms'))).toBe(true);
    expect(sut.deviceId).toBe('dev-1');
    expect(coordinator.messages('sparsefleet.v1.HelloRequest')).toHaveLength(2);
  });

  it('should reconnect and say hello again after the coordinator drops it', async () => {
    const { sut } = createAgent();
    await sut.start();
    const reconnected = new Promise<void>((resolve) => sut.once('connected', () => resolve()));
    coordinator.kick(sut.deviceId!);
    await reconnected;
    expect(coordinator.messages('sparsefleet.v1.HelloRequest')).toHaveLength(2);
  });

  it('should retry the session after a failed hello instead of giving up', async () => {
    coordinator.failHellos = 2;
    const { sut } = createAgent();
    const warnings: string[] = [];
    sut.on('warning', (message) => warnings.push(message));
    await sut.start();
    expect(warnings.filter((warning) => warning.includes('database busy'))).toHaveLength(2);
    expect(coordinator.messages('sparsefleet.v1.HelloRequest')).toHaveLength(3);
  });

  it('should accept a pushed job and deliver ordered progress then the result', async () => {
    // Prepare
    const { sut, engine } = createAgent();
    engine.script = { steps: 4 };
    await sut.start();
    const finished = new Promise<JobFinished>((resolve) => sut.on('job-finished', resolve));
    // Execute
    const accepted = await coordinator.assign(sut.deviceId!, 'job-1');
    await finished;
    await until(() => coordinator.results('job-1').length === 1);
    // Assert
    expect(accepted).toMatchObject({ jobId: 'job-1', accepted: true });
    expect(coordinator.progressSequences('job-1')).toEqual([1, 2, 3, 4]);
    expect(coordinator.results('job-1')[0]).toMatchObject({ sequence: 5, testAccuracy: 0.42 });
  });

  it('should resend an unacknowledged report after the link drops, in order and without gaps', async () => {
    // Prepare: the coordinator loses report 2 and the link with it.
    const { sut, engine } = createAgent();
    engine.script = { steps: 5 };
    await sut.start();
    coordinator.dropOnce.add(2);
    const disconnects: string[] = [];
    sut.on('disconnected', (reason) => disconnects.push(reason));
    // Execute
    await coordinator.assign(sut.deviceId!, 'job-1');
    await until(() => coordinator.results('job-1').length === 1);
    // The result's ack may still be on its way back to the agent when the coordinator has stored it.
    await until(() => sut.outbox.pending === 0);
    // Assert
    const sequences = coordinator.progressSequences('job-1');
    expect([...new Set(sequences)]).toEqual([1, 2, 3, 4, 5]);
    expect(sequences.filter((sequence) => sequence === 2)).toHaveLength(2);
    expect(sequences.filter((sequence) => sequence !== 2)).toEqual([1, 3, 4, 5]);
    expect(disconnects.length).toBeGreaterThanOrEqual(1);
    expect(coordinator.messages('sparsefleet.v1.HelloRequest').length).toBeGreaterThanOrEqual(2);
    expect(sut.outbox.pending).toBe(0);
  });
});
