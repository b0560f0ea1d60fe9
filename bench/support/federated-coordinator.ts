// bench:federated through the coordinator (--via coordinator): an in-process coordinator (its engine lab measures
// each round in its evaluation worker) and one real agent per client, each in its own worker thread with the real
// engine (client/src/sim fleet, worker mode), over socket.io + protobuf. A variant is submitted as a federated job
// (every client in every round); its rows come from the job's view: held-out accuracy, bytes up and down as the
// coordinator counted them, and wall time from the job's creation to each round's close. Rows have the engine
// path's shape (RoundRecord), so the same comparisons and tables apply.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { engineFederatedLab } from '../../cli/src/federated-lab.js';
import { SimulatedFleet } from '../../client/src/sim/fleet.js';
import { createInitialModel, evaluateModel, maskedDensity } from '../../client/src/engine/index.js';
import type { FederatedJobDto } from '../../server/src/api/dto/index.js';
import { startCoordinator, type RunningCoordinator } from '../../server/src/coordinator.js';
import type { Data, RoundRecord, VariantPlan } from './federated-rounds.js';

export interface CoordinatorRig {
  readonly coordinator: RunningCoordinator;
  readonly apiKey: string;
  stop(): Promise<void>;
}

/** A coordinator and `clients` agents in worker threads, all connected. Run from dist/ (the workers are compiled). */
export async function startCoordinatorRig(clients: number, progress: (line: string) => void): Promise<CoordinatorRig> {
  const dir = mkdtempSync(join(tmpdir(), 'sparsefleet-bench-federated-'));
  const coordinator = await startCoordinator({ port: 0, host: '127.0.0.1', dataDir: join(dir, 'coordinator'), logLevel: 'silent', federatedLab: engineFederatedLab({ evaluation: 'worker' }) });
  const { key } = await coordinator.createApiKey('bench-federated');
  const { token } = await coordinator.createEnrollmentToken({ maxUses: clients });
  const fleet = new SimulatedFleet({ server: coordinator.url, enrollmentToken: token, size: clients, stateDir: dir, mode: 'worker' });
  const stop = async () => {
    await fleet.stop();
    await coordinator.close();
    rmSync(dir, { recursive: true, force: true });
  };
  await fleet.start(180_000);
  if (fleet.connectedCount !== clients) {
    const failures = fleet.members.filter((member) => member.state !== 'connected').map((member) => `${member.index}: ${member.error ?? member.state}`);
    await stop();
    throw new Error(`only ${fleet.connectedCount} of ${clients} agents connected (${failures.join('; ')})`);
  }
  progress(`coordinator at ${coordinator.url}, ${clients} agents connected (worker threads)`);
  return { coordinator, apiKey: key, stop };
}

/** `config` is the training config as given to the engine path (its input form: the job's `config`). */
export async function runVariantViaCoordinator(
  rig: CoordinatorRig,
  plan: VariantPlan,
  config: Record<string, unknown>,
  data: Data,
  progress: (line: string) => void,
): Promise<RoundRecord[]> {
  const initial = await initialRecord(plan, data);
  const submitted = await call<{ id: string }>(rig, 'POST', '/api/federated', {
    name: `bench-${plan.variant}`,
    config,
    rounds: plan.rounds,
    clients: plan.clients,
    fraction: 1,
    minClients: plan.clients,
    local: { epochs: plan.localEpochs },
    partition: plan.partition,
    maskMode: plan.maskMode,
    ...(plan.consensusFraction !== undefined ? { consensusFraction: plan.consensusFraction } : {}),
    updateDtype: plan.uploadDtype,
    roundDeadlineMs: 3_600_000,
  });
  const job = await finished(rig, submitted.id, plan, progress);
  const created = Date.parse(job.createdAt);
  let uploadBytes = 0;
  let downloadBytes = 0;
  const records: RoundRecord[] = [initial];
  for (const round of job.rounds) {
    uploadBytes += round.bytesUp;
    downloadBytes += round.bytesDown;
    records.push({
      variant: plan.variant,
      round: round.round + 1,
      clients: round.applied,
      testAccuracy: round.accuracy ?? Number.NaN,
      testLoss: round.loss ?? Number.NaN,
      trainLoss: round.stats?.meanLoss ?? Number.NaN,
      density: round.stats?.density ?? Number.NaN,
      swapped: round.stats?.maskSwapped ?? 0,
      roundUploadBytes: round.bytesUp,
      roundDownloadBytes: round.bytesDown,
      uploadBytes,
      downloadBytes,
      denseModelBytes: initial.denseModelBytes,
      wallMs: round.closedAt === null ? Number.NaN : Date.parse(round.closedAt) - created,
    });
  }
  return records;
}

/** Round 0: the job's seeded initial model (the same seed gives the coordinator's), measured here. */
async function initialRecord(plan: VariantPlan, data: Data): Promise<RoundRecord> {
  const model = await createInitialModel(plan.config, { train: data.train });
  const denseModelBytes = model.tensors.reduce((sum, tensor) => sum + 4 * tensor.shape.reduce((product, dim) => product * dim, 1), 0);
  const { accuracy, loss } = await evaluateModel(model, plan.config, data.test);
  const zero = { roundUploadBytes: 0, roundDownloadBytes: 0, uploadBytes: 0, downloadBytes: 0, swapped: 0, wallMs: 0 };
  return { variant: plan.variant, round: 0, clients: plan.clients, testAccuracy: accuracy, testLoss: loss, trainLoss: Number.NaN, density: maskedDensity(model), denseModelBytes, ...zero };
}

/** Polls the job's view until it completed and every round is measured (or failed: then it throws). */
async function finished(rig: CoordinatorRig, id: string, plan: VariantPlan, progress: (line: string) => void): Promise<FederatedJobDto> {
  let reported = 0;
  for (;;) {
    const job = await call<FederatedJobDto>(rig, 'GET', `/api/federated/${id}`);
    for (const round of job.rounds.slice(reported)) {
      if (round.state !== 'closed' || (round.accuracy === null && round.evaluationError === null)) break;
      reported += 1;
      progress(
        `${plan.variant} (coordinator) round ${round.round + 1}/${plan.rounds}: test ${round.accuracy === null ? `not measured (${round.evaluationError})` : `${(round.accuracy * 100).toFixed(2)} %`}, ` +
          `up ${(round.bytesUp / 1e6).toFixed(2)} MB, down ${(round.bytesDown / 1e6).toFixed(2)} MB, ${round.applied} updates, ${((round.durationMs ?? 0) / 1000).toFixed(1)} s`,
      );
    }
    if (job.state === 'failed' || job.state === 'cancelled') throw new Error(`federated job ${id} ${job.state}: ${job.reason ?? ''}`);
    if (job.state === 'completed' && reported === job.rounds.length) return job;
    await sleep(500);
  }
}

/** GETs are retried after a failed connection (a kept-alive socket the busy server closed as it was reused). */
async function call<T>(rig: CoordinatorRig, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const send = () =>
    fetch(`${rig.coordinator.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${rig.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  let response: Response | undefined;
  for (let attempt = 1; response === undefined; attempt++) {
    try {
      response = await send();
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      if (method !== 'GET' || attempt >= 5) throw new Error(`${method} ${path} failed${cause}`, { cause: error });
      await sleep(1000);
    }
  }
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}
