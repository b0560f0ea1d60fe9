// `sparsefleet demo`: a whole fleet on one machine. Starts a coordinator (SQLite in a temp dir, any free port),
// N simulated agents (worker threads running the real agent), submits a small job matrix over REST, shows live
// progress and prints the persisted results. Exit code 0 only when every job succeeded.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  SimulatedFleet,
  createProgressView,
  demoCampaignPlan,
  demoJobMatrix,
  formatResultsTable,
  runDemoCampaign,
  type DemoJob,
  type FleetEvent,
  type JobProgressView,
  type PersistedResult,
  type ResultRow,
} from '../../../client/src/sim/index.js';
import { FASHION_MNIST_DEFAULT_DIR } from '../../../client/src/engine/spec.js';
import { startCoordinator, type RunningCoordinator } from '../../../server/src/index.js';
import { handleShutdownSignals, withoutForeignSignalHandlers } from '../process-signals.js';

interface DemoOptions {
  agents: number;
  dataDir?: string;
  quick: boolean;
  dataset: 'fashion-mnist' | 'cifar10' | 'synthetic';
  backend?: string;
  inProcess: boolean;
  timeout: number;
  /** Campaign file, or false for --no-campaign. */
  campaign: string | boolean;
  report?: string;
}

interface JobView {
  readonly id: string;
  readonly state: string;
  readonly deviceId: string | null;
  readonly waitingReason: string | null;
}

/** The coordinator's REST API and the operator key the demo created for itself. */
interface RestTarget {
  readonly url: string;
  readonly apiKey: string;
}

const TERMINAL_STATES = new Set(['succeeded', 'failed', 'cancelled']);
const POLL_INTERVAL_MS = 500;

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run a coordinator and a simulated fleet on this machine, train a small job matrix, print results')
    .option('-n, --agents <count>', 'number of simulated agents', positiveInteger('agents', 64), 4)
    .option('-d, --data-dir <dir>', 'keep the database and agent state here (default: a temp dir, removed)')
    .option('-q, --quick', 'tiny jobs (a smoke run in seconds)', false)
    .addOption(
      new Option('--dataset <name>', 'data set of the jobs (synthetic stand-in when files are missing)')
        .choices(['fashion-mnist', 'cifar10', 'synthetic'])
        .default('fashion-mnist'),
    )
    .addOption(new Option('-b, --backend <name>', 'preferred backend of the agents').choices(['tensorflow', 'wasm', 'cpu']))
    .option('--in-process', 'run the agents in this thread instead of worker threads', false)
    .option('--timeout <seconds>', 'give up on jobs still unfinished after this long', positiveInteger('timeout', 3600), 300)
    .option('--campaign <file>', 'benchmark campaign to run after the jobs (default: profiles/campaigns/smoke.yaml, then smoke-step.yaml)')
    .option('--no-campaign', 'skip the benchmark campaign')
    .option('--report <file>', 'where to write the campaign HTML report (default: ./sparsefleet-demo-report.html or under --data-dir; the step campaign\'s gets "-step")')
    .action(async (options: DemoOptions) => {
      process.exitCode = await runDemo(options);
    });
}

async function runDemo(options: DemoOptions): Promise<number> {
  const dataDir = options.dataDir ? resolve(options.dataDir) : await mkdtemp(join(tmpdir(), 'sparsefleet-demo-'));
  const view = createProgressView();
  let coordinator: RunningCoordinator | undefined;
  let fleet: SimulatedFleet | undefined;
  const cleanup = async (): Promise<void> => {
    view.stop();
    await fleet?.stop();
    await coordinator?.close();
    if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
  };
  const removeSignalHandlers = handleShutdownSignals({ shutdown: async () => (await cleanup(), 130) });
  try {
    coordinator = await withoutForeignSignalHandlers(() =>
      startCoordinator({
        port: 0,
        dataDir,
        logLevel: 'error',
        heartbeatIntervalMs: 2000,
        // Every simulated agent enrolls from this machine's address at once.
        enrollmentRateLimit: { limit: options.agents * 2 + 10, windowMs: 60_000 },
      }),
    );
    const rest: RestTarget = { url: coordinator.url, apiKey: (await coordinator.createApiKey('demo')).key };
    const { token } = await coordinator.createEnrollmentToken({ maxUses: options.agents });
    fleet = new SimulatedFleet({
      server: coordinator.url,
      enrollmentToken: token,
      size: options.agents,
      stateDir: join(dataDir, 'agents'),
      backend: options.backend,
      mode: options.inProcess ? 'in-process' : 'auto',
      progressEverySteps: 5,
    });
    view.log(`coordinator ${coordinator.url} (data in ${dataDir})`);
    const missing = options.dataset === 'fashion-mnist' ? missingFashionMnistNotice() : undefined;
    if (missing) view.log(missing);
    view.log(`starting ${options.agents} agent(s) in ${fleet.mode === 'worker' ? 'worker threads' : 'this thread'}…`);
    fleet.on('event', (event) => showFleetEvent(view, event));
    await fleet.start(120_000);
    if (fleet.connectedCount === 0) {
      view.log('no agent could connect; giving up');
      return 1;
    }
    const jobs = demoJobMatrix({ quick: options.quick, dataset: options.dataset, count: options.agents });
    const submitted = await submitJobs(rest, jobs, view);
    const finalStates = await followJobs(rest, submitted, view, options.timeout * 1000);
    view.stop();
    const rows = await readResults(rest, submitted, finalStates);
    console.log('');
    console.log(formatResultsTable(rows));
    if (fleet.mode === 'worker') console.log('(tensors MB is per agent; rss MB is the resident memory of the whole demo process, which the worker threads share)');
    const failed = rows.filter((row) => row.state !== 'succeeded');
    console.log(failed.length === 0 ? `\nall ${rows.length} jobs succeeded` : `\n${failed.length} of ${rows.length} jobs did not succeed`);
    const campaignOk = options.campaign === false ? true : await runCampaignPart(rest, options);
    return failed.length === 0 && campaignOk ? 0 : 1;
  } catch (error) {
    view.log(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    removeSignalHandlers();
    await cleanup();
  }
}

/**
 * The demo's benchmark campaigns on the same fleet, one after the other (by default the kernel smoke campaign, then
 * the training-step one); true when all completed (each report is written either way).
 */
async function runCampaignPart(rest: RestTarget, options: DemoOptions): Promise<boolean> {
  const reportPath = resolve(options.report ?? (options.dataDir ? join(options.dataDir, 'sparsefleet-demo-report.html') : 'sparsefleet-demo-report.html'));
  let completed = true;
  for (const plan of demoCampaignPlan(typeof options.campaign === 'string' ? options.campaign : undefined, reportPath)) {
    console.log('');
    const started = Date.now();
    const { campaign } = await runDemoCampaign(rest, {
      file: plan.file,
      reportPath: plan.reportPath,
      timeoutMs: options.timeout * 1000,
      log: (line) => console.log(line),
    });
    console.log(`campaign report: ${plan.reportPath} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    completed &&= campaign.state === 'completed';
  }
  return completed;
}

function showFleetEvent(view: JobProgressView, event: FleetEvent): void {
  switch (event.kind) {
    case 'job-progress':
      view.progress(event.jobId, event.deviceId, event.progress);
      break;
    case 'connected':
      view.log(`agent ${event.index} connected as ${event.deviceId} (backend ${event.backend})`);
      break;
    case 'job-finished':
      if (event.outcome !== 'succeeded') view.log(`agent ${event.index}: job ${event.jobId} ${event.outcome}: ${event.error ?? ''}`);
      break;
    case 'warning':
      view.log(`agent ${event.index}: warning: ${event.message}`);
      break;
    case 'error':
      view.log(`agent ${event.index}: error: ${event.message}`);
      break;
    case 'unreachable':
      view.log(`agent ${event.index}: cannot reach the coordinator (attempt ${event.attempt}): ${event.error}`);
      break;
    default:
      break;
  }
}

async function submitJobs(target: RestTarget, jobs: readonly DemoJob[], view: JobProgressView): Promise<Array<DemoJob & { id: string }>> {
  const submitted: Array<DemoJob & { id: string }> = [];
  for (const job of jobs) {
    const created = await requestJson<JobView>(target, '/api/jobs', { method: 'POST', body: job });
    submitted.push({ ...job, id: created.id });
    view.addJob(created.id, job.name);
  }
  return submitted;
}

async function followJobs(
  target: RestTarget,
  jobs: ReadonlyArray<{ id: string; name: string }>,
  view: JobProgressView,
  timeoutMs: number,
): Promise<Map<string, JobView>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const views = await Promise.all(jobs.map((job) => requestJson<JobView>(target, `/api/jobs/${job.id}`)));
    for (const job of views) view.setState(job.id, job.state, job.deviceId ?? undefined);
    if (views.every((job) => TERMINAL_STATES.has(job.state))) return new Map(views.map((job) => [job.id, job]));
    if (Date.now() > deadline) {
      const waiting = views
        .filter((job) => !TERMINAL_STATES.has(job.state))
        .map((job) => `${jobs.find((entry) => entry.id === job.id)?.name}: ${job.state}${job.waitingReason ? ` (${job.waitingReason})` : ''}`);
      view.log(`timed out after ${timeoutMs / 1000} s; unfinished: ${waiting.join('; ')}`);
      return new Map(views.map((job) => [job.id, job]));
    }
    await new Promise((resolvePoll) => setTimeout(resolvePoll, POLL_INTERVAL_MS));
  }
}

async function readResults(
  target: RestTarget,
  jobs: ReadonlyArray<DemoJob & { id: string }>,
  states: Map<string, JobView>,
): Promise<ResultRow[]> {
  return Promise.all(
    jobs.map(async (job) => {
      const state = states.get(job.id)?.state ?? 'unknown';
      const requestedData = job.config.data?.name ?? 'fashion-mnist';
      if (!TERMINAL_STATES.has(state)) return { job: job.name, requestedData, state };
      const result = await requestJson<PersistedResult>(target, `/api/jobs/${job.id}/result`).catch(() => undefined);
      return { job: job.name, requestedData, state, result };
    }),
  );
}

async function requestJson<T>(target: RestTarget, path: string, init?: { method: 'POST'; body: unknown }): Promise<T> {
  const authorization = `Bearer ${target.apiKey}`;
  const response = await fetch(`${target.url}${path}`, {
    method: init?.method ?? 'GET',
    headers: init ? { authorization, 'content-type': 'application/json' } : { authorization },
    body: init ? JSON.stringify(init.body) : undefined,
  });
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${path}: HTTP ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

function positiveInteger(name: string, max: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1 || parsed > max) {
      throw new InvalidArgumentError(`--${name} must be an integer in [1, ${max}]`);
    }
    return parsed;
  };
}

/** Said at the start when the demo's real data set is absent, with the one command that brings it. */
export function missingFashionMnistNotice(directory = FASHION_MNIST_DEFAULT_DIR): string | undefined {
  const present = ['train-images-idx3-ubyte', 't10k-images-idx3-ubyte'].every(
    (name) => existsSync(join(directory, `${name}.gz`)) || existsSync(join(directory, name)),
  );
  if (present) return undefined;
  return (
    `Fashion-MNIST is not in ${directory}: the jobs will train on synthetic data. ` +
    'For the real data set run (as root): apt-get install -y dataset-fashion-mnist'
  );
}
