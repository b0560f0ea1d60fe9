// Simulated fleet at scale (issue 12): 1,000 virtual devices of six profiles, 1,000 jobs, 30 % crash churn
// (test/scenarios/bench-1000.yaml), on virtual time (the coordinator in this process, one clock for it and the
// fleet) or with --time wall (a coordinator child process, real time compressed). Prints wall time, simulated time,
// fleet events per second, peak RSS (virtual time: this whole process, coordinator and fleet; wall: the coordinator
// process), clock steps, and what the invariants found: lost and duplicated reports must be 0.
// Target: the whole run (coordinator start to verdict) within 2 minutes of wall time on the 2-core machine.
//   npm run build && npm run bench:sim -- [--quick] [--json FILE] [--scenario FILE] [--time virtual|wall]
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import { startCoordinator } from '../server/src/index.js';
import { formatVerdict, loadScenarioFile, runScenario, type LoadedScenario, type Verdict } from '../client/src/sim/scenario/index.js';

const TARGET_WALL_S = 120;
const DEFAULT_SCENARIO = 'test/scenarios/bench-1000.yaml';

interface Flags {
  quick: boolean;
  json?: string;
  scenario: string;
  time?: 'virtual' | 'wall';
}

function parseFlags(): Flags {
  return new Command('bench:sim')
    .option('--quick', 'a fifth of the fleet and of the jobs (200 devices, 200 jobs)', false)
    .option('--json <file>', 'also write { meta, records, verdict } to this file')
    .option('--scenario <file>', 'the scenario to run', DEFAULT_SCENARIO)
    .addOption(new Option('--time <time>', "override the scenario's time").choices(['virtual', 'wall']))
    .parse(process.argv)
    .opts<Flags>();
}

/** The scenario with every fleet group and job count divided by `divisor` (at least 1 each). */
function scaledDown(loaded: LoadedScenario, divisor: number): LoadedScenario {
  const shrink = (count: number): number => Math.max(1, Math.round(count / divisor));
  return {
    ...loaded,
    scenario: { ...loaded.scenario, fleet: loaded.scenario.fleet.map((group) => ({ ...group, count: shrink(group.count) })) },
    jobBatches: loaded.jobBatches.map((batch) => ({ ...batch, count: shrink(batch.count) })),
  };
}

function violations(verdict: Verdict, name: string): number {
  return verdict.invariants.find((outcome) => outcome.name === name)?.violations.length ?? 0;
}

async function main(): Promise<void> {
  const flags = parseFlags();
  const full = await loadScenarioFile(flags.scenario);
  const loaded = flags.quick ? scaledDown(full, 5) : full;
  const { verdict } = await runScenario(loaded, { time: flags.time, startCoordinator, onProgress: (line) => console.error(line), progressEveryMs: 5_000 });
  const { figures } = verdict;
  const lost = violations(verdict, 'no-acked-report-lost');
  const duplicated = violations(verdict, 'no-duplicate');
  const wallS = figures.wallMs / 1000;
  const records = [
    { row: 'devices', value: figures.devices, unit: '', target: '1000 (full run)', within_target: flags.quick ? null : figures.devices >= 1000 },
    { row: 'jobs', value: figures.jobs, unit: '', target: '1000 (full run)', within_target: flags.quick ? null : figures.jobs >= 1000 },
    { row: 'wall time', value: Number(wallS.toFixed(1)), unit: 's', target: `<= ${TARGET_WALL_S}`, within_target: wallS <= TARGET_WALL_S },
    { row: 'simulated time', value: Number((figures.simMs / 60_000).toFixed(1)), unit: 'min', target: '', within_target: null },
    { row: 'fleet events/s', value: Math.round(figures.eventsPerSecond), unit: '/s', target: '', within_target: null },
    {
      row: verdict.time === 'virtual' ? 'peak RSS (coordinator+fleet)' : 'coordinator peak RSS',
      value: Math.round(figures.coordinatorPeakRssBytes / 1_048_576),
      unit: 'MiB',
      target: '',
      within_target: null,
    },
    { row: 'clock steps', value: figures.clockSteps ?? 0, unit: '', target: '', within_target: null },
    { row: 'forced clock steps', value: figures.forcedSteps ?? 0, unit: '', target: '0', within_target: figures.forcedSteps === undefined ? null : figures.forcedSteps === 0 },
    { row: 'jobs succeeded', value: figures.succeeded, unit: '', target: `${figures.jobs}`, within_target: figures.succeeded === figures.jobs },
    { row: 'acknowledged reports lost', value: lost, unit: '', target: '0', within_target: lost === 0 },
    { row: 'duplicates', value: duplicated, unit: '', target: '0', within_target: duplicated === 0 },
    { row: 'all invariants', value: verdict.passed ? 1 : 0, unit: '', target: '1 (pass)', within_target: verdict.passed },
  ];
  console.log(formatVerdict(verdict));
  console.log('');
  for (const record of records) {
    const mark = record.within_target === null ? '' : record.within_target ? '  ok' : '  MISS';
    console.log(`${record.row.padEnd(28)} ${String(record.value).padStart(10)} ${record.unit.padEnd(4)} ${record.target ? `target ${record.target}` : ''}${mark}`);
  }
  if (flags.json) {
    mkdirSync(path.dirname(path.resolve(flags.json)), { recursive: true });
    const meta = { bench: 'sim', quick: flags.quick, scenario: flags.scenario, time: verdict.time, node: process.version, loadAverage: loadavg(), at: new Date().toISOString() };
    writeFileSync(flags.json, `${JSON.stringify({ meta, records, verdict }, null, 2)}\n`);
    console.log(`wrote ${flags.json}`);
  }
  if (!verdict.passed) process.exitCode = 1;
}

await main();
