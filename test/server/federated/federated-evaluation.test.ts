// Held-out evaluation of each round's model runs in a worker thread (FederatedEvaluationThread), off the
// coordinator's event loop: while an evaluation is under way the coordinator answers heartbeats and REST calls and
// the round is already closed; the accuracy is recorded when it arrives; a worker that fails is recorded on the
// round as its evaluation error (the next round is measured by a fresh worker); an evaluation cut off by a stop is
// measured after the restart.
import { afterEach, describe, expect, it } from 'vitest';
import { FederatedEvaluationThread } from '../../../cli/src/federated-evaluation-thread.js';
import type { FederatedModelLab } from '../../../server/src/index.js';
import { api, eventually, heartbeat, startTestCoordinator, type TestCoordinator } from '../support/coordinator-harness.js';
import { onlineDevice, type OnlineDevice } from '../support/job-messages.js';
import { FEDERATED_CONFIG, completeTask, federatedAssignments, federatedJob, testLab } from './federated-support.js';

const GATED_WORKER = new URL('./federated-gated-evaluation-worker.mjs', import.meta.url);
const ANSWER = 1;
const CRASH = 2;

/** A lab whose evaluations run in a gated worker thread; the test releases each one. */
function gatedLab() {
  const gate = new Int32Array(new SharedArrayBuffer(8));
  const thread = new FederatedEvaluationThread(GATED_WORKER, { gate: gate.buffer });
  const lab: FederatedModelLab = {
    initialModel: testLab.initialModel,
    evaluate: (model, base) => thread.evaluate(model, base),
    close: () => thread.close(),
  };
  return {
    lab,
    thread,
    /** Resolves once the worker has received `count` evaluations in all (the last one is blocked on the gate). */
    received: (count: number) => eventually(async () => (Atomics.load(gate, 1) >= count ? true : undefined)),
    release: (verdict: number) => {
      Atomics.store(gate, 0, verdict);
      Atomics.notify(gate, 0);
    },
  };
}

async function submit(test: TestCoordinator, rounds: number): Promise<string> {
  const submitted = await api<{ id: string }>(test, 'POST', '/api/federated', {
    config: FEDERATED_CONFIG,
    rounds,
    clients: 1,
    minClients: 1,
    local: { steps: 10 },
    roundDeadlineMs: 60_000,
  });
  expect(submitted.status).toBe(201);
  return submitted.body.id;
}

async function playRound(device: OnlineDevice, round: number): Promise<void> {
  const task = await eventually(async () => federatedAssignments(device).find((assignment) => assignment.spec!.federated!.round === round));
  await completeTask(device, task, 1);
}

describe('federated evaluation off the event loop', () => {
  const started: TestCoordinator[] = [];

  afterEach(async () => {
    for (const test of started.splice(0)) await test.stop();
  });

  /** A coordinator with a gated lab, one device, and a 1-client job of `rounds` rounds. */
  async function startJob(rounds: number) {
    const gated = gatedLab();
    const test = await startTestCoordinator({ federatedLab: gated.lab });
    started.push(test);
    const device = await onlineDevice(test, 'a');
    return { gated, test, device, id: await submit(test, rounds) };
  }

  it('should answer heartbeats and REST calls while a round is being evaluated, and record its accuracy when it arrives', async () => {
    // Prepare
    const { gated, test, device, id } = await startJob(1);

    // Execute: the round closes; its evaluation blocks the worker until released.
    await playRound(device, 0);
    await gated.received(1);
    const ack = await heartbeat(device.socket);
    const during = await federatedJob(test, id);
    gated.release(ANSWER);
    const after = await eventually(async () => {
      const view = await federatedJob(test, id);
      return view.rounds[0]?.accuracy !== null ? view : undefined;
    });

    // Assert
    expect(ack.type).toBe('sparsefleet.v1.HeartbeatAck');
    expect(during.state).toBe('completed');
    expect(during.rounds[0]).toMatchObject({ state: 'closed', applied: 1, accuracy: null, evaluationError: null });
    expect(after.rounds[0]!.accuracy).toBeGreaterThan(0.5);
    expect(after.rounds[0]).toMatchObject({ loss: 0.25, evaluationError: null });
  });

  it('should record a failed evaluation as the round\'s error and measure the next round with a fresh worker', async () => {
    // Prepare
    const { gated, test, device, id } = await startJob(2);

    // Execute: round 0's evaluation crashes the worker; round 1's is answered.
    await playRound(device, 0);
    await gated.received(1);
    gated.release(CRASH);
    const failed = await eventually(async () => {
      const view = await federatedJob(test, id);
      return view.rounds[0]?.evaluationError ? view : undefined;
    });
    await playRound(device, 1);
    await gated.received(2);
    gated.release(ANSWER);
    const job = await eventually(async () => {
      const view = await federatedJob(test, id);
      return view.state === 'completed' && view.rounds[1]?.accuracy !== null ? view : undefined;
    });

    // Assert
    expect(failed.rounds[0]).toMatchObject({ state: 'closed', accuracy: null });
    expect(failed.rounds[0]!.evaluationError).toContain('evaluation blew up');
    expect(job.rounds[0]).toMatchObject({ accuracy: null, evaluationError: failed.rounds[0]!.evaluationError });
    expect(job.rounds[1]!.accuracy).toBeGreaterThan(0.5);
    expect(job.rounds[1]!.evaluationError).toBeNull();
    expect((await heartbeat(device.socket)).type).toBe('sparsefleet.v1.HeartbeatAck');
  });

  it('should measure after a restart the round whose evaluation a stop cut off, and not record the stop as an error', async () => {
    // Prepare: the round closes and its evaluation is under way when the coordinator stops.
    const gated = gatedLab();
    const first = await startTestCoordinator({ federatedLab: gated.lab });
    const device = await onlineDevice(first, 'a');
    const id = await submit(first, 1);
    await playRound(device, 0);
    await gated.received(1);
    device.socket.close();
    await first.coordinator.close();
    const runningAfterStop = gated.thread.running;

    // Execute: a new coordinator on the same state, with a lab that answers at once.
    const second = await startTestCoordinator({ federatedLab: testLab, dataDir: first.dataDir, databaseUrl: first.databaseUrl });
    started.push(second, first);
    const job = await eventually(async () => {
      const view = await federatedJob(second, id);
      return view.rounds[0]?.accuracy !== null ? view : undefined;
    });

    // Assert: testLab's "accuracy" is the mean bias after one FedAvg round with delta 1.
    expect(runningAfterStop).toBe(false);
    expect(job.rounds[0]).toMatchObject({ state: 'closed', accuracy: 1, evaluationError: null });
  });
});
