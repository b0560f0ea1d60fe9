// `sparsefleet agent`: run this machine as an edge device of a coordinator, printing one status line per event.
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { Agent, defaultStatePath } from '../../../client/src/agent/index.js';
import type { TrainProgress } from '../../../client/src/engine/index.js';
import { handleShutdownSignals } from '../process-signals.js';

interface AgentCommandOptions {
  server: string;
  token?: string;
  state: string;
  backend?: string;
  name?: string;
}

/** Progress lines at most this often (epoch ends are always printed). */
const PROGRESS_LINE_INTERVAL_MS = 5_000;

export function registerAgentCommand(program: Command): void {
  program
    .command('agent')
    .description('run this machine as a device of the fleet: enroll, then take and run training jobs')
    .requiredOption('-s, --server <url>', 'coordinator URL, e.g. http://127.0.0.1:8080')
    .option('-t, --token <token>', 'enrollment token (needed only the first time)')
    .option('--state <file>', 'where the device credential is kept', defaultStatePath())
    .addOption(new Option('-b, --backend <name>', 'preferred TensorFlow.js backend').choices(['tensorflow', 'wasm', 'cpu']))
    .option('--name <name>', 'display name shown to the operator (default: the device model)')
    .action(async (options: AgentCommandOptions) => {
      process.exitCode = await runAgent(options);
    });
}

async function runAgent(options: AgentCommandOptions): Promise<number> {
  const agent = new Agent({
    server: options.server,
    enrollmentToken: options.token,
    statePath: resolve(options.state),
    backend: options.backend,
    displayName: options.name,
  });
  attachStatusLines(agent, options.server);
  handleShutdownSignals({
    shutdown: async () => {
      await agent.stop();
      status('agent stopped');
      return 0;
    },
    log: status,
  });
  status(`starting agent for ${options.server} (state ${resolve(options.state)})`);
  try {
    await agent.start();
    await agent.done;
    return 0;
  } catch (error) {
    // The 'error' listener already printed the reason.
    return error instanceof Error && error.name === 'AgentFatalError' ? 2 : 1;
  }
}

function attachStatusLines(agent: Agent, server: string): void {
  let describedBackend = false;
  const lastProgressLine = new Map<string, number>();
  agent.on('enrolled', (deviceId) => status(`enrolled as device ${deviceId}; credential saved to ${agent.store.location}`));
  agent.on('connected', (deviceId) => {
    if (!describedBackend && agent.backend) {
      describedBackend = true;
      const { name, simd, threads, available } = agent.backend;
      status(`backend ${name}${simd ? ' (SIMD)' : ''}, ${threads} thread(s); available: ${available.join(', ')}`);
    }
    status(`connected to ${server} as device ${deviceId}; waiting for jobs`);
  });
  agent.on('disconnected', (reason) => status(`disconnected (${reason}); reconnecting with backoff`));
  agent.on('unreachable', (error, attempt) => status(`cannot reach ${server} (attempt ${attempt}): ${error}; retrying`));
  agent.on('job-started', (job) => {
    const what = job.config ? `${job.config.model} ${job.config.method} on ${job.config.data.name}` : 'invalid spec';
    status(`job ${job.jobId} attempt ${job.attempt} started: ${what}`);
  });
  agent.on('job-progress', (jobId, progress) => {
    if (progress.phase === 'loading') {
      status(`job ${jobId}: loading data and building the model`);
      return;
    }
    const now = Date.now();
    const epochEnd = progress.testAccuracy !== undefined;
    if (!epochEnd && now - (lastProgressLine.get(jobId) ?? 0) < PROGRESS_LINE_INTERVAL_MS) return;
    lastProgressLine.set(jobId, now);
    status(`job ${jobId}: ${describeProgress(progress)}`);
  });
  agent.on('job-finished', (job) => {
    lastProgressLine.delete(job.jobId);
    if (job.outcome === 'succeeded' && job.result) {
      const { testAccuracy, wallMs, dataSource, backend } = job.result;
      status(
        `job ${job.jobId} succeeded: test accuracy ${testAccuracy.toFixed(4)} on ${dataSource} (${backend}) in ${(wallMs / 1000).toFixed(1)} s`,
      );
    } else {
      status(`job ${job.jobId} ${job.outcome}: ${job.error ?? 'no reason given'}`);
    }
  });
  agent.on('warning', (message) => status(`warning: ${message}`));
  agent.on('error', (error) => status(`error: ${error.message}`));
}

function describeProgress(progress: TrainProgress): string {
  const parts = [
    `epoch ${progress.epoch + 1}`,
    `step ${progress.step}/${progress.totalSteps}`,
    `loss ${progress.loss.toFixed(4)}`,
    `train acc ${progress.trainAccuracy.toFixed(3)}`,
  ];
  if (progress.testAccuracy !== undefined) parts.push(`test acc ${progress.testAccuracy.toFixed(3)}`);
  parts.push(`step p50 ${progress.stepMsP50.toFixed(1)} ms`);
  return parts.join(', ');
}

function status(line: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
}
