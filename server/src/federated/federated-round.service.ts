// The round lifecycle of federated jobs (issue 18), over the job/lease machinery: a round's clients are ordinary
// jobs pinned to the devices chosen for them (one attempt: a lost lease is a dropped client).
//   pending → open: once enough idle devices fit the job (selector, backend, memory estimate with headroom), K × over-
//     selection of them get a shard each (a device keeps the shard it had when it can) and a client task.
//   open → closed: at K accepted updates, at the deadline, or once no selected client is still out. The accepted
//     updates are aggregated (engine's aggregateRound) into the next round's model in the same transaction that
//     closes the round, so an update is applied exactly once and a restart mid-round resumes it from the database.
//     Tasks still out are cancelled; their updates, if any arrive, are refused as late.
// Only the leader drives rounds; handlers on any node store updates and ask for a pass. Time is read in `now()` only.
import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CLOCK, clockDate, realClock, type Clock, type TimerHandle } from '../common/clock.js';
import { CoalescedRun } from '../common/coalesced-run.js';
import { fromBase64, toBase64 } from '../common/stored-pieces.js';
import { LEADERSHIP, type Leadership } from '../cluster/leadership.js';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import { DeviceService } from '../devices/device.service.js';
import { DomainEventBus } from '../events/event-bus.js';
import { fits, requirementsOf } from '../jobs/job-selector.js';
import { JobService } from '../jobs/job.service.js';
import { crc32 } from '../../../protocol/src/index.js';
import { aggregate, checkUpdate, type FederatedClientUpdate } from './federated-algebra.js';
import type { FederatedModelEvaluation } from './federated-lab.js';
import { FederatedModels } from './federated-models.js';
import { parseRoundStats } from './federated-round-stats.js';
import type { FederatedJobSpec, ValidatedFederatedJob } from './federated-spec.js';
import { clientTaskSpec, sampleClients } from './federated-task.js';
import { FederatedRepository, type FederatedJobHeader, type FederatedRoundHeader } from './federated.repository.js';

export class FederatedUnavailableError extends Error {}

/** The lab could not prepare the job (its data cannot be cut into the partition, its model cannot be built). */
export class FederatedSubmissionError extends Error {}


@Injectable()
export class FederatedRoundService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Federated');
  private readonly passes = new Map<string, CoalescedRun>();
  /** Passes over every running federated job: a reconnect storm's thousands of DeviceAvailable read the jobs a few times. */
  private readonly sweeps = new CoalescedRun(() => this.advanceAllOnce(), () => !this.stopped);
  private readonly background = new Set<Promise<void>>();
  /** (job, round) keys of the evaluations in flight: a round is measured once even if a catch-up pass meets it. */
  private readonly evaluating = new Set<string>();
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly repository: FederatedRepository,
    private readonly models: FederatedModels,
    private readonly jobs: JobService,
    private readonly devices: DeviceService,
    private readonly events: DomainEventBus,
    @Inject(LEADERSHIP) private readonly leadership: Leadership,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = realClock,
  ) {}

  onApplicationBootstrap(): void {
    this.events.on('JobFinished', ({ jobId, state }) => this.taskFinished(jobId, state));
    this.events.on('DeviceAvailable', () => this.advanceAll());
    this.leadership.onChange((leader) => {
      if (leader) void this.advanceAll();
    });
    // Deadlines are checked with the lease sweep's period; updates, finished tasks and devices drive rounds at once.
    this.scheduleDeadlineCheck();
    void this.advanceAll();
    this.track(this.evaluateMissed());
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    // Evaluations still out fail here without being recorded; the next start measures those rounds (evaluateMissed).
    await this.config.federatedLab?.close?.();
    await this.settle();
  }

  private scheduleDeadlineCheck(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(
      () => {
        void this.advanceAll();
        this.scheduleDeadlineCheck();
      },
      this.config.sweepIntervalMs,
      { unref: true },
    );
  }

  /** Resolves once no pass, evaluation or round change is in progress (shutdown, tests). */
  async settle(): Promise<void> {
    while (this.passes.size > 0 || this.background.size > 0) {
      await Promise.allSettled([...[...this.passes.values()].map((run) => run.inProgress), ...this.background]);
    }
  }

  /** Stores a new federated job with its initial model as round 0 (pending) and tries to open that round. */
  async submit({ name, spec: validated }: ValidatedFederatedJob): Promise<FederatedJobHeader> {
    const lab = this.config.federatedLab;
    if (!lab) throw new FederatedUnavailableError('this coordinator was started without the engine\'s federated lab, so it cannot create models');
    let model: Uint8Array;
    let spec: FederatedJobSpec = validated;
    try {
      model = await lab.initialModel(validated.base);
      if (lab.describeShards) spec = { ...validated, shardSummary: await lab.describeShards(validated.base, { ...validated.partition, clients: validated.clients }) };
    } catch (error) {
      throw new FederatedSubmissionError(`cannot prepare the job: ${error instanceof Error ? error.message : String(error)}`);
    }
    const id = randomUUID();
    const timestamp = this.now().toISOString();
    const job = {
      id,
      name: name ?? `fed-${spec.base.model}-${spec.base.method}-${id.slice(0, 8)}`,
      state: 'running' as const,
      spec_json: JSON.stringify(spec),
      current_round: 0,
      server_state: null,
      reason: null,
      created_at: timestamp,
      updated_at: timestamp,
      finished_at: null,
    };
    await this.repository.insertJob(job, this.pendingRound(id, 0, model, spec, timestamp));
    this.logger.log(`federated job ${id} (${job.name}): ${spec.rounds} rounds, K = ${spec.targetUpdates} of ${spec.clients} clients`);
    void this.advance(id);
    return job;
  }

  /** Cancels a running federated job and the client tasks still out; false when it was not running. */
  async cancel(jobId: string, reason = 'cancelled by the operator'): Promise<boolean> {
    const timestamp = this.now().toISOString();
    const cancelled = await this.repository.transitionJob(jobId, ['running'], { state: 'cancelled', reason, updated_at: timestamp, finished_at: timestamp });
    if (!cancelled) return false;
    const job = await this.repository.findJobHeader(jobId);
    if (job) await this.cancelTasksStillOut(jobId, job.current_round, reason);
    return true;
  }

  /** Asks for a pass over one federated job (coalesced; only the leader drives rounds). */
  advance(jobId: string): Promise<void> {
    if (this.stopped || !this.leadership.isLeader()) return Promise.resolve();
    let run = this.passes.get(jobId);
    if (!run) {
      const created = new CoalescedRun(
        () =>
          this.passOnce(jobId).catch((error: unknown) => {
            this.logger.error(`federated job ${jobId} pass failed: ${error instanceof Error ? error.stack : String(error)}`);
          }),
        () => !this.stopped,
      );
      this.passes.set(jobId, created);
      run = created;
    }
    const covering = run.request();
    const current = run;
    void covering.finally(() => {
      if (!current.inProgress && this.passes.get(jobId) === current) this.passes.delete(jobId);
    });
    return covering;
  }

  private advanceAll(): Promise<void> {
    if (this.stopped || !this.leadership.isLeader()) return Promise.resolve();
    return this.sweeps.request();
  }

  private async advanceAllOnce(): Promise<void> {
    if (this.stopped || !this.leadership.isLeader()) return;
    try {
      for (const job of await this.repository.listJobs('running')) void this.advance(job.id);
    } catch (error) {
      this.logger.error(`federated pass failed: ${error instanceof Error ? error.stack : String(error)}`);
    }
  }

  private async taskFinished(taskJobId: string, state: string): Promise<void> {
    const participant = await this.repository.findParticipantByTask(taskJobId);
    if (!participant) return;
    if (participant.state === 'selected') {
      await this.repository.transitionParticipant(
        { jobId: participant.job_id, round: participant.round, clientIndex: participant.client_index },
        ['selected'],
        { state: 'dropped', reason: `client task ${state} without an accepted update`, updated_at: this.now().toISOString() },
      );
    }
    await this.advance(participant.job_id);
  }

  private async passOnce(jobId: string): Promise<void> {
    const job = await this.repository.findJobHeader(jobId);
    if (!job || job.state !== 'running') return;
    const spec = JSON.parse(job.spec_json) as FederatedJobSpec;
    const round = await this.repository.findRoundHeader(jobId, job.current_round);
    if (!round) return;
    if (round.state === 'pending') await this.open(job, spec, round);
    else if (round.state === 'open') await this.closeIfDue(job, spec, round);
  }

  private async open(job: FederatedJobHeader, spec: FederatedJobSpec, round: FederatedRoundHeader): Promise<void> {
    const requirements = requirementsOf(spec.selector, spec.memoryEstimate.totalBytes, spec.base.backend || undefined);
    const candidates = (await this.devices.listPresentForMatching()).filter((device) => device.idle && fits(requirements, device));
    const needed = Math.min(spec.minClients, spec.selectPerRound);
    if (candidates.length < needed) {
      await this.noteWaiting(job, `round ${round.round} waits for ${needed} idle devices that fit the job (${candidates.length} now)`);
      return;
    }
    await this.noteWaiting(job, null);
    const count = Math.min(spec.selectPerRound, candidates.length);
    const now = this.now();
    const deadline = new Date(now.getTime() + spec.roundDeadlineMs);
    const opened = await this.repository.transitionRound(job.id, round.round, ['pending'], {
      state: 'open',
      selected: count,
      opened_at: now.toISOString(),
      deadline_at: deadline.toISOString(),
    });
    if (!opened) return;
    // A stop between here and the participants' insert leaves the round open with fewer (or no) clients: it then
    // closes at its deadline with what arrived, and the job goes on with the next round.
    const placements = await this.place(job.id, sampleClients(spec.clients, count, spec.partition.seed, round.round), candidates.map((c) => c.id), now);
    const tasks = placements.map(({ clientIndex, deviceId }) => ({
      spec: clientTaskSpec(spec, {
        federatedJobId: job.id,
        round: round.round,
        clientIndex,
        modelBytes: round.model_bytes,
        modelChecksum: round.model_checksum,
        deadline,
      }),
      name: `${job.name}-r${round.round}-c${clientIndex}`,
      options: { selector: { ...spec.selector, deviceId }, maxAttempts: 1, memoryEstimate: spec.memoryEstimate },
    }));
    const submitted = await this.jobs.submitMany(tasks, now);
    for (const [index, { clientIndex, deviceId }] of placements.entries()) {
      await this.repository.insertParticipant({
        job_id: job.id,
        round: round.round,
        client_index: clientIndex,
        device_id: deviceId,
        task_job_id: submitted[index].id,
        state: 'selected',
        reason: null,
        examples: null,
        steps_done: null,
        steps_planned: null,
        loss: null,
        bytes_down: 0,
        bytes_up: 0,
        update_body: null,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      });
    }
    this.logger.log(`federated job ${job.id} round ${round.round} open: ${placements.length} clients, K = ${round.target_updates}`);
  }

  /** Shards to devices: the device that held a shard keeps it when it is free; other shards go to unbound devices first. */
  private async place(jobId: string, shards: readonly number[], deviceIds: readonly string[], now: Date): Promise<Array<{ clientIndex: number; deviceId: string }>> {
    const bound = await this.repository.listClients(jobId);
    const deviceOfShard = new Map(bound.map((row) => [row.client_index, row.device_id]));
    const shardOfDevice = new Map(bound.map((row) => [row.device_id, row.client_index]));
    const free = new Set(deviceIds);
    const placements: Array<{ clientIndex: number; deviceId: string }> = [];
    const unplaced: number[] = [];
    for (const shard of shards) {
      const device = deviceOfShard.get(shard);
      if (device !== undefined && free.has(device)) {
        free.delete(device);
        placements.push({ clientIndex: shard, deviceId: device });
      } else unplaced.push(shard);
    }
    const unbound = [...free].filter((id) => !shardOfDevice.has(id));
    const rest = [...free].filter((id) => shardOfDevice.has(id));
    for (const shard of unplaced) {
      const device = unbound.shift() ?? rest.shift();
      if (device === undefined) break;
      if (!deviceOfShard.has(shard) && !shardOfDevice.has(device)) await this.repository.insertClient(jobId, shard, device, now.toISOString());
      placements.push({ clientIndex: shard, deviceId: device });
    }
    return placements;
  }

  private async closeIfDue(job: FederatedJobHeader, spec: FederatedJobSpec, round: FederatedRoundHeader): Promise<void> {
    const participants = await this.repository.listParticipants(job.id, round.round);
    const updated = participants.filter((p) => p.state === 'updated');
    const out = participants.filter((p) => p.state === 'selected').length;
    const now = this.now();
    let reason: string | undefined;
    if (updated.length >= round.target_updates) reason = `${updated.length} updates (K = ${round.target_updates})`;
    else if (round.deadline_at !== null && now.toISOString() >= round.deadline_at) reason = `deadline passed with ${updated.length} of ${round.target_updates} updates`;
    else if (out === 0 && participants.length > 0) reason = `every selected client reported or dropped (${updated.length} updates)`;
    if (reason === undefined) return;
    const global = await this.models.of(job.id, round.round);
    if (!global) throw new Error(`round ${round.round} of federated job ${job.id} has no model`);
    const updates: FederatedClientUpdate[] = [];
    for (const { update_body: body } of await this.repository.listUpdateBodies(job.id, round.round)) {
      const checked = checkUpdate(global.decoded(), fromBase64(body ?? ''), spec, round.round);
      if ('update' in checked) updates.push(checked.update);
    }
    const serverState = await this.repository.findServerState(job.id);
    const aggregated = updates.length > 0 ? aggregate(global.decoded(), updates, spec, serverState) : undefined;
    const model = aggregated?.model ?? global.bytes;
    const last = round.round + 1 >= spec.rounds;
    const timestamp = now.toISOString();
    const durationMs = round.opened_at ? now.getTime() - Date.parse(round.opened_at) : 0;
    const closed = await this.repository.closeRound({
      jobId: job.id,
      round: round.round,
      roundChanges: {
        state: 'closed',
        applied: updates.length,
        close_reason: reason,
        closed_at: timestamp,
        stats_json: JSON.stringify({ ...(aggregated?.stats ?? {}), durationMs, ...(aggregated ? { maskSwapped: aggregated.maskChanges.swapped } : {}) }),
      },
      next: { ...this.pendingRound(job.id, round.round + 1, model, spec, timestamp), ...(last ? { state: 'final' as const } : {}) },
      jobChanges: {
        current_round: round.round + 1,
        server_state: aggregated?.serverState ?? serverState,
        updated_at: timestamp,
        ...(last ? { state: 'completed' as const, finished_at: timestamp } : {}),
      },
    });
    if (!closed) return;
    this.logger.log(`federated job ${job.id} round ${round.round} closed: ${reason}${last ? '; job completed' : ''}`);
    await this.cancelTasksStillOut(job.id, round.round, `round ${round.round} closed: ${reason}`);
    this.track(this.evaluate(job.id, round.round, model, spec));
  }

  /** Says why a round waits (or clears it) on the job, writing only when it changed. */
  private async noteWaiting(job: FederatedJobHeader, reason: string | null): Promise<void> {
    if (job.reason === reason) return;
    await this.repository.transitionJob(job.id, ['running'], { reason });
  }

  /** Rounds whose model was never measured (the coordinator stopped before the evaluation ended): measured now. */
  private async evaluateMissed(): Promise<void> {
    if (!this.config.federatedLab) return;
    try {
      for (const job of await this.repository.listJobs()) {
        const spec = JSON.parse(job.spec_json) as FederatedJobSpec;
        for (const round of await this.repository.listRoundSummaries(job.id)) {
          if (round.state !== 'closed' || round.accuracy !== null || this.stopped) continue;
          if (parseRoundStats(round.stats_json).evaluationError !== null) continue;
          const output = await this.models.of(job.id, round.round + 1);
          if (output) await this.evaluate(job.id, round.round, output.bytes, spec);
        }
      }
    } catch (error) {
      this.logger.warn(`catching up on round evaluations failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async cancelTasksStillOut(jobId: string, round: number, reason: string): Promise<void> {
    for (const participant of await this.repository.listParticipants(jobId, round)) {
      if (participant.state === 'dropped' || participant.state === 'selected') await this.jobs.cancel(participant.task_job_id, reason);
    }
  }

  /**
   * Held-out accuracy of the model a round produced, measured by the lab in the background (the engine's lab does it
   * in a worker thread) and recorded when it arrives; a failed evaluation is recorded on the round as its error.
   */
  private async evaluate(jobId: string, round: number, model: Uint8Array, spec: FederatedJobSpec): Promise<void> {
    const lab = this.config.federatedLab;
    const key = `${jobId}/${round}`;
    if (!lab || this.evaluating.has(key)) return;
    this.evaluating.add(key);
    let measured: FederatedModelEvaluation;
    try {
      measured = await lab.evaluate(model, spec.base);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (this.stopped) return;
      this.logger.warn(`federated job ${jobId} round ${round}: evaluation failed: ${message}`);
      await this.repository.setRoundEvaluationError(jobId, round, message).catch((failure: unknown) => {
        this.logger.error(`federated job ${jobId} round ${round}: cannot record the failed evaluation: ${String(failure)}`);
      });
      return;
    } finally {
      this.evaluating.delete(key);
    }
    try {
      await this.repository.setRoundAccuracy(jobId, round, measured.accuracy, measured.loss);
    } catch (error) {
      this.logger.warn(`federated job ${jobId} round ${round}: cannot record its accuracy: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private pendingRound(jobId: string, round: number, model: Uint8Array, spec: FederatedJobSpec, createdAt: string) {
    return {
      job_id: jobId,
      round,
      state: 'pending' as const,
      model: toBase64(model),
      model_bytes: model.length,
      model_checksum: crc32(model),
      target_updates: spec.targetUpdates,
      selected: 0,
      applied: 0,
      bytes_down: 0,
      bytes_up: 0,
      accuracy: null,
      loss: null,
      close_reason: null,
      stats_json: null,
      created_at: createdAt,
      opened_at: null,
      deadline_at: null,
      closed_at: null,
    };
  }

  private track(work: Promise<void>): void {
    const tracked = work.finally(() => this.background.delete(tracked));
    this.background.add(tracked);
  }

  private now(): Date {
    return clockDate(this.clock);
  }
}
