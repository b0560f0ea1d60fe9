import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/src/index.js';
import { Agent, type AgentOptions } from '../../client/src/agent/agent.js';
import { DEFAULT_CHECKPOINT_CHUNK_BYTES, MAX_CHECKPOINT_CHUNK_BYTES } from '../../client/src/agent/checkpoint-upload.js';
import type { JobFinished } from '../../client/src/agent/job-runner.js';
import { JobOutcome } from '../../protocol/src/index.js';
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

function bytesOf(length: number, fill: number): Uint8Array {
  return new Uint8Array(length).map((_, i) => (i * 31 + fill) & 0xff);
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('Agent checkpoints', () => {
  let coordinator: FakeCoordinator;
  let dir: string;
  const agents: Agent[] = [];

  async function startAgent(overrides: Partial<AgentOptions> = {}): Promise<{ sut: Agent; engine: FakeEngine }> {
    const engine = new FakeEngine();
    const sut = new Agent({
      server: coordinator.url,
      enrollmentToken: 'good-token',
      statePath: join(dir, `agent-${agents.length}.json`),
      engine,
      backoff: FAST_BACKOFF,
      requestTimeoutMs: 2000,
      ...overrides,
    });
    agents.push(sut);
    await sut.start();
    return { sut, engine };
  }

  beforeEach(async () => {
    coordinator = await FakeCoordinator.start();
    dir = await mkdtemp(join(tmpdir(), 'sf-agent-ckpt-'));
  });

  afterEach(async () => {
    await Promise.all(agents.splice(0).map((agent) => agent.stop()));
    await coordinator.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('should upload each checkpoint in chunks of at most 1 MiB, in order, and commit it', async () => {
    // Prepare: a 2.5 MiB checkpoint after step 2
    const { sut, engine } = await startAgent({ checkpointChunkBytes: MAX_CHECKPOINT_CHUNK_BYTES });
    const checkpoint = bytesOf(2.5 * MAX_CHECKPOINT_CHUNK_BYTES, 7);
    engine.script = { steps: 3, checkpoints: [{ step: 2, bytes: checkpoint }] };
    const committed = new Promise<{ checkpointId: string; step: number }>((resolve) => sut.on('checkpoint-committed', resolve));

    // Execute
    await coordinator.assign(sut.deviceId!, 'job-1', { model: 'mlp' }, { checkpointEverySteps: 7 });
    const commit = await committed;
    await until(() => coordinator.results('job-1').length === 1);

    // Assert
    const chunks = coordinator.messages('sparsefleet.v1.CheckpointChunk');
    expect(chunks.map((chunk) => chunk.offset)).toEqual([0, 1, 2].map((i) => i * MAX_CHECKPOINT_CHUNK_BYTES));
    expect(chunks.every((chunk) => chunk.data.length <= MAX_CHECKPOINT_CHUNK_BYTES && chunk.jobId === 'job-1' && chunk.attempt === 1)).toBe(true);
    expect(commit).toMatchObject({ checkpointId: sha(checkpoint), step: 2 });
    expect(coordinator.messages('sparsefleet.v1.CheckpointCommit')).toHaveLength(1);
    expect(Buffer.from(coordinator.checkpoints.get(sha(checkpoint)) ?? []).equals(Buffer.from(checkpoint))).toBe(true);
    const types = coordinator.received.map((entry) => entry.type.split('.').pop());
    expect(types.indexOf('CheckpointCommit')).toBeGreaterThan(types.lastIndexOf('CheckpointChunk'));
    expect(engine.runOptions[0]?.checkpoint?.everySteps).toBe(7);
  });

  it('should checkpoint at the agent default when the assignment leaves it to the agent', async () => {
    // Prepare
    const { sut, engine } = await startAgent({ checkpointEverySteps: 25 });
    const finished = new Promise<JobFinished>((resolve) => sut.on('job-finished', resolve));

    // Execute
    await coordinator.assign(sut.deviceId!, 'job-1');
    await finished;

    // Assert
    expect(engine.runOptions[0]?.checkpoint?.everySteps).toBe(25);
    expect(engine.runOptions[0]?.resumeFrom).toBeUndefined();
  });

  it('should fetch the checkpoint of a resumed attempt, verify it and hand it to the engine', async () => {
    // Prepare: a stored checkpoint of two default-size pieces and a bit; the first fetch meets a busy coordinator
    const stored = bytesOf(2 * DEFAULT_CHECKPOINT_CHUNK_BYTES + 10, 3);
    coordinator.checkpoints.set(sha(stored), stored);
    coordinator.failFetches = 1;
    const { sut, engine } = await startAgent();
    const finished = new Promise<JobFinished>((resolve) => sut.on('job-finished', resolve));

    // Execute
    const resume = { checkpointId: sha(stored), totalBytes: stored.length, step: 40, epoch: 1 };
    await coordinator.assign(sut.deviceId!, 'job-1', { model: 'mlp' }, { attempt: 2, resume });
    const outcome = await finished;

    // Assert
    expect(outcome.outcome).toBe('succeeded');
    const resumeFrom = engine.runOptions[0]?.resumeFrom;
    expect(resumeFrom && Buffer.from(resumeFrom).equals(Buffer.from(stored))).toBe(true);
    const fetches = coordinator.messages('sparsefleet.v1.CheckpointFetchRequest');
    expect(fetches.every((request) => request.length <= MAX_CHECKPOINT_CHUNK_BYTES && request.jobId === 'job-1')).toBe(true);
    expect(new Set(fetches.map((request) => request.offset))).toEqual(new Set([0, 1, 2].map((i) => i * DEFAULT_CHECKPOINT_CHUNK_BYTES)));
  });

  it('should fail the attempt with a clear error when its checkpoint cannot be fetched', async () => {
    // Prepare
    coordinator.refuseFetches = ErrorCode.ERROR_CODE_NOT_FOUND;
    const { sut, engine } = await startAgent();

    // Execute
    const resume = { checkpointId: 'ab'.repeat(32), totalBytes: 100, step: 40, epoch: 1 };
    await coordinator.assign(sut.deviceId!, 'job-1', { model: 'mlp' }, { attempt: 2, resume });
    await until(() => coordinator.results('job-1').length === 1);

    // Assert
    const result = coordinator.results('job-1')[0];
    expect(result).toMatchObject({ attempt: 2, outcome: JobOutcome.JOB_OUTCOME_FAILED });
    expect(result.error).toMatch(/could not fetch checkpoint abababababab to resume from: no such checkpoint/);
    expect(engine.configs).toHaveLength(0);
  });

  it('should keep training while offline and list the running job in hello and heartbeats', async () => {
    // Prepare
    const { sut, engine } = await startAgent();
    engine.script = { hang: true };
    await coordinator.assign(sut.deviceId!, 'job-1');
    await until(() => coordinator.messages('sparsefleet.v1.Heartbeat').some((beat) => beat.runningJobIds.includes('job-1')));
    const hellos = coordinator.messages('sparsefleet.v1.HelloRequest').length;

    // Execute
    coordinator.dropLink(sut.deviceId!);
    await until(() => coordinator.messages('sparsefleet.v1.HelloRequest').length > hellos);

    // Assert
    expect(coordinator.messages('sparsefleet.v1.HelloRequest').at(-1)?.runningJobIds).toEqual(['job-1']);
    expect(coordinator.results('job-1')).toHaveLength(0);
  });

  it('should send nothing more when killed mid-job', async () => {
    // Prepare
    const { sut, engine } = await startAgent();
    engine.script = { hang: true };
    const disconnected = new Promise<string>((resolve) => coordinator.onDisconnect(sut.deviceId!, resolve));
    await coordinator.assign(sut.deviceId!, 'job-1');
    await until(() => coordinator.progressSequences('job-1').length > 0);

    // Execute
    await sut.kill();
    const reason = await disconnected;
    await new Promise((resolve) => setTimeout(resolve, 100));

    // Assert
    expect(reason).toBe('transport close');
    expect(coordinator.results('job-1')).toHaveLength(0);
    expect(coordinator.messages('sparsefleet.v1.HelloRequest')).toHaveLength(1);
  });
});
