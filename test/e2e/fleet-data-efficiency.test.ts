// End to end, fleet data efficiency: a real coordinator (SQLite in a temp dir, port 0) and three real agents with
// the real engine. The data set (synthetic, fixed seed) is registered through the API with the CLI's `datastats
// register`; each agent trains a tiny MLP on its own shard of it (shardCount 3) and reports forgetting statistics
// every epoch. Once the three contributions are in, a removal set is cut through the API; a fourth job trains on all
// shards with that set and reports its final statistics. It provably skipped exactly the removed examples: the ids
// it covered are the train ids minus the set (seen on the engine's side and in the coordinator's aggregate, where
// every kept example has gained a second contributor and no removed one has), and its result counts the set.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../client/src/agent/agent.js';
import { localTrainingEngine, type TrainingEngine } from '../../client/src/agent/training-engine.js';
import type { ForgettingReport, TrainResult } from '../../client/src/engine/train/types.js';
import { runDatastatsRegister } from '../../cli/src/commands/datastats.js';
import { createOperatorContext } from '../../cli/src/operator/command-kit.js';
import type { DatasetDetail, DatasetSummary, RemovalSetView } from '../../cli/src/operator/datastats-api.js';
import { BufferedOutput } from '../../cli/src/operator/output.js';
import { startCoordinator, type RunningCoordinator } from '../../server/src/coordinator.js';
import { getJson, postJson, waitForJobs, type JobSummary, type RestTarget } from './rest-client.js';

const FAST_BACKOFF = { reconnectionDelayMs: 50, reconnectionDelayMaxMs: 500, randomizationFactor: 0.2 };
const SEED = 11;
const TRAIN_EXAMPLES = 240;
const SHARDS = 3;
const REMOVED_FRACTION = 0.25;

function config(shard: { index: number; count: number } | undefined, epochs: number) {
  return {
    model: 'mlp',
    data: {
      name: 'synthetic',
      trainLimit: TRAIN_EXAMPLES,
      testLimit: 64,
      ...(shard ? { shardIndex: shard.index, shardCount: shard.count } : {}),
    },
    method: 'dense',
    epochs,
    batchSize: 16,
    seed: SEED,
  };
}

interface CsvRow {
  readonly id: number;
  readonly presentations: number;
  readonly forgettingCount: number;
  readonly contributors: number;
}

function parseExport(csv: string): CsvRow[] {
  const [header, ...lines] = csv.trim().split('\n');
  expect(header).toBe('id,presentations,forgetting_events,first_learned_epoch,forgetting_count,contributors');
  return lines.map((line) => {
    const cells = line.split(',');
    return { id: Number(cells[0]), presentations: Number(cells[1]), forgettingCount: Number(cells[4]), contributors: Number(cells[5]) };
  });
}

async function getText(target: RestTarget, path: string): Promise<string> {
  const response = await fetch(`${target.url}${path}`, { headers: { authorization: `Bearer ${target.apiKey}` } });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return response.text();
}

describe('fleet data efficiency end to end', () => {
  let coordinator: RunningCoordinator;
  let rest: RestTarget;
  let dataDir: string;
  const agents: Agent[] = [];
  /** The forgetting reports each job's run handed out on the device, by job id. */
  const reports = new Map<string, ForgettingReport[]>();
  let removedResult: TrainResult | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sf-e2e-de-'));
    // Agents train in this thread: a generous lease keeps a stalled event loop from abandoning their attempts.
    coordinator = await startCoordinator({ port: 0, dataDir, logLevel: 'error', heartbeatIntervalMs: 500, leaseMs: 20_000 });
    rest = { url: coordinator.url, apiKey: (await coordinator.createApiKey('e2e')).key };
    const { token } = await coordinator.createEnrollmentToken({ maxUses: SHARDS });
    for (let slot = 0; slot < SHARDS; slot++) {
      // The real engine, recording what each run handed out.
      let jobId = '';
      const engine: TrainingEngine = {
        ...localTrainingEngine,
        run: (runConfig, callbacks, options) =>
          localTrainingEngine.run(
            runConfig,
            {
              ...callbacks,
              onForgettingStats: (report) => {
                reports.set(jobId, [...(reports.get(jobId) ?? []), report]);
                callbacks.onForgettingStats?.(report);
              },
            },
            options,
          ),
      };
      const agent = new Agent({
        server: coordinator.url,
        enrollmentToken: token,
        statePath: join(dataDir, `agent-${slot}.json`),
        engine,
        labels: { slot: String(slot) },
        backoff: FAST_BACKOFF,
        progressEverySteps: 5,
      });
      agent.on('job-started', (job) => (jobId = job.jobId));
      agent.on('job-finished', (job) => {
        if (job.result?.removalSetVersion) removedResult = job.result;
      });
      agents.push(agent);
      await agent.start();
    }
  });

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    await coordinator?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('merges three shards, cuts a removal set, and trains a job on exactly the examples it keeps', async () => {
    // Register the data set through the API, its identity computed as the jobs will load it.
    const output = new BufferedOutput();
    const cli = createOperatorContext(rest.url, rest.apiKey, output);
    expect(await runDatastatsRegister(cli, 'synthetic', { seed: SEED, trainLimit: TRAIN_EXAMPLES, json: true })).toBe(0);
    const registered = JSON.parse(output.stdout) as DatasetSummary;
    expect(registered).toMatchObject({ name: 'synthetic', size: TRAIN_EXAMPLES });
    const hash = registered.contentHash;

    // Three jobs, one shard each, one per device; statistics after every epoch.
    const shardJobs: JobSummary[] = [];
    for (let index = 0; index < SHARDS; index++) {
      shardJobs.push(
        await postJson<JobSummary>(rest, '/api/jobs', {
          name: `shard-${index}`,
          config: config({ index, count: SHARDS }, 2),
          selector: { labels: { slot: String(index) } },
          report: { forgetting: 'epoch' },
        }),
      );
    }
    const shardDone = await waitForJobs(rest, shardJobs.map((job) => job.id), 90_000);
    expect(shardDone.map((job) => job.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(new Set(shardDone.map((job) => job.deviceId)).size).toBe(SHARDS);

    // Each device reported after epochs 1 and 2, about its own shard; the shards partition the train ids.
    const shardIds = shardJobs.map((job) => {
      const sent = reports.get(job.id) ?? [];
      expect(sent.map((report) => [report.epoch, report.final])).toEqual([
        [1, false],
        [2, true],
      ]);
      expect(sent.every((report) => report.dataset.contentHash === hash)).toBe(true);
      return [...sent[1]!.stats.ids];
    });
    expect(shardIds.flat().sort((a, b) => a - b)).toEqual([...Array(TRAIN_EXAMPLES).keys()]);

    // The coordinator merged the latest contribution of each job: all examples covered, 2 presentations each.
    let detail: DatasetDetail | undefined;
    await pollUntil(async () => {
      detail = await getJson<DatasetDetail>(rest, `/api/datastats/${hash}`);
      return detail.contributions.filter((c) => c.selected).length === SHARDS;
    }, 'the three selected contributions');
    expect(detail!.contributions).toHaveLength(2 * SHARDS);
    expect(detail!.uncovered).toBe(0);
    const merged = parseExport(await getText(rest, `/api/datastats/${hash}/export`));
    expect(merged.map((row) => row.id)).toEqual([...Array(TRAIN_EXAMPLES).keys()]);
    expect(merged.every((row) => row.presentations === 2 && row.contributors === 1)).toBe(true);

    // A removal set through the API: the 25 % least forgotten, ties by id, exactly as the export ranks them.
    const set = await postJson<RemovalSetView>(rest, '/api/removal-sets', {
      dataset: hash,
      rule: { kind: 'fraction', fraction: REMOVED_FRACTION, minEpochs: 1 },
    });
    const expectedCount = Math.round(REMOVED_FRACTION * TRAIN_EXAMPLES);
    expect(set).toMatchObject({ version: 1, requestedCount: expectedCount, removedCount: expectedCount });
    expect(new Set(set.provenance.devices)).toEqual(new Set(shardDone.map((job) => job.deviceId)));
    const { ids: removed } = await getJson<{ ids: number[] }>(rest, `/api/removal-sets/${set.id}/ids`);
    const ranked = [...merged].sort((a, b) => a.forgettingCount - b.forgettingCount || a.id - b.id);
    expect(removed).toEqual(ranked.slice(0, expectedCount).map((row) => row.id).sort((a, b) => a - b));

    // A job on all shards trained on that set, reporting its final statistics.
    const trained = await postJson<JobSummary>(rest, '/api/jobs', {
      name: 'on-removal-set',
      config: config(undefined, 1),
      report: { forgetting: 'final' },
      dataEfficiency: { source: 'fleet', removalSet: set.id },
    });
    const [trainedDone] = await waitForJobs(rest, [trained.id], 90_000);
    expect(trainedDone!.state).toBe('succeeded');

    // On the device: it covered the train ids minus the removed ones, once each.
    const removedSet = new Set(removed);
    const kept = [...Array(TRAIN_EXAMPLES).keys()].filter((id) => !removedSet.has(id));
    const [finalReport] = reports.get(trained.id) ?? [];
    expect(finalReport?.final).toBe(true);
    expect([...finalReport!.stats.ids]).toEqual(kept);
    expect([...finalReport!.stats.presentations].every((count) => count === 1)).toBe(true);
    expect(removedResult).toMatchObject({ removedExamples: removed.length, removalSetVersion: 1, examplesSeen: kept.length });

    // At the coordinator: its contribution covers the kept examples, which now have a second contributor.
    await pollUntil(async () => {
      detail = await getJson<DatasetDetail>(rest, `/api/datastats/${hash}`);
      return detail.contributions.some((c) => c.jobId === trained.id);
    }, 'the contribution of the job trained on the removal set');
    expect(detail!.contributions.find((c) => c.jobId === trained.id)).toMatchObject({ examples: kept.length, selected: true, final: true });
    const after = parseExport(await getText(rest, `/api/datastats/${hash}/export`));
    expect(after.filter((row) => row.contributors === 2).map((row) => row.id)).toEqual(kept);
    expect(after.filter((row) => row.contributors === 1).map((row) => row.id)).toEqual(removed);
    const result = await getJson<{ removedExamples?: number }>(rest, `/api/jobs/${trained.id}/result`);
    expect(result.removedExamples).toBe(removed.length);
  }, 240_000);
});

/** Polls an async condition every 100 ms for up to 30 s. */
async function pollUntil(condition: () => Promise<boolean>, what: string): Promise<void> {
  let met = false;
  const poll = async () => {
    met = await condition();
  };
  await poll();
  const deadline = Date.now() + 30_000;
  while (!met) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await poll();
  }
}
