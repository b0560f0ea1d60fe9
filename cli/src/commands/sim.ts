// `sparsefleet sim run scenario.yaml [--seed N] [--junit F] [--json F] [--html F] [--real N] [--time virtual|wall]`:
// a simulated fleet against a coordinator (in this process on virtual time, the default; a child process on wall
// time), faults applied, then a verdict on the invariants; exit code 1 on any violation, 2 when the scenario cannot
// be read. `sim profile …` is registered by the device-profile commands.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  formatVerdict,
  loadScenarioFile,
  renderTimelineHtml,
  runScenario,
  ScenarioError,
  verdictToJson,
  verdictToJUnit,
  type ScenarioRun,
} from '../../../client/src/sim/scenario/index.js';
import { registerSimCoordinatorCommand } from './sim-coordinator.js';
import { registerSimProfileCommands } from './sim-profile.js';

export interface SimRunOptions {
  seed?: number;
  junit?: string;
  json?: string;
  html?: string;
  events?: string;
  real?: number;
  keepState?: boolean;
  quiet?: boolean;
  time?: 'virtual' | 'wall';
}

/** Exit codes: 0 pass, 1 an invariant was violated, 2 the scenario could not be read or run. */
export async function runSimRun(file: string, options: SimRunOptions, print: (line: string) => void = console.log): Promise<number> {
  let run: ScenarioRun;
  try {
    const loaded = await loadScenarioFile(file);
    // The coordinator of a run on virtual time runs in this process (loaded only then: it brings NestJS).
    const onVirtualTime = (options.time ?? loaded.scenario.time) === 'virtual';
    const startCoordinator = onVirtualTime ? (await import('../../../server/src/index.js')).startCoordinator : undefined;
    run = await runScenario(loaded, {
      time: options.time,
      startCoordinator,
      seed: options.seed,
      realEngines: options.real,
      keepState: options.keepState,
      recordEvents: options.events !== undefined,
      onProgress: options.quiet ? undefined : (line) => console.error(line),
    });
  } catch (error) {
    console.error(error instanceof ScenarioError ? error.message : `sim run: ${(error as Error).stack ?? String(error)}`);
    return 2;
  }
  print(formatVerdict(run.verdict));
  if (options.junit) await writeReport(options.junit, verdictToJUnit(run.verdict), print);
  if (options.json) await writeReport(options.json, verdictToJson(run.verdict, run.timeline, run.events), print);
  if (options.html) await writeReport(options.html, renderTimelineHtml(run.verdict, run.timeline), print);
  const eventLog: readonly unknown[] = run.events.length > 0 ? run.events : run.eventLog;
  if (options.events) await writeReport(options.events, eventLog.map((entry) => JSON.stringify(entry)).join('\n') + '\n', print);
  if (options.keepState) print(`state kept in ${run.stateDir}`);
  return run.verdict.passed ? 0 : 1;
}

async function writeReport(path: string, content: string, print: (line: string) => void): Promise<void> {
  const target = resolve(path);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, content);
  print(`wrote ${target}`);
}

export function registerSimCommand(program: Command): void {
  const sim = program.command('sim').description('simulated fleets: run a scenario against a coordinator and check invariants (CI)');
  sim
    .command('run')
    .description('run a scenario (fleet × profiles, jobs or a campaign, faults) and print a verdict; exit 1 on any violation')
    .argument('<scenario>', 'scenario file (YAML), e.g. test/scenarios/ci-200.yaml')
    .option('--seed <n>', "override the scenario's seed", integerOption('--seed', 0, 0xffffffff))
    .option('--junit <file>', 'write JUnit XML (one test case per invariant)')
    .option('--json <file>', 'write the verdict and the timeline as JSON')
    .option('--html <file>', 'write a self-contained HTML timeline')
    .option('--events <file>', 'write the event log (every fleet event and lease expiry, JSON lines; canonical on virtual time)')
    .addOption(new Option('--time <time>', "override the scenario's time: virtual (one clock, in-process coordinator) or wall (compressed real time, child process)").choices(['virtual', 'wall']))
    .option('--real <n>', 'run the first N devices with the real engine', integerOption('--real', 0, 1_000_000))
    .option('--keep-state', "keep the coordinator's data dir and the devices' state (printed)")
    .option('--quiet', 'no progress lines')
    .action(async (file: string, options: SimRunOptions) => {
      process.exitCode = await runSimRun(file, options);
    });
  registerSimCoordinatorCommand(sim);
  registerSimProfileCommands(sim);

}

function integerOption(flag: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) throw new InvalidArgumentError(`${flag} must be an integer in [${min}, ${max}]`);
    return parsed;
  };
}
