// `sparsefleet sim coordinator` (hidden): the coordinator a simulated run starts as its child process. It is
// `sparsefleet serve` with the limits a simulated fleet needs: every virtual device enrolls from 127.0.0.1, so the
// per-address enrollment limit (10 a minute by default) becomes the fleet's size, and the runner's REST calls
// (submitting every job, reading every job's reports for the invariants) get room beyond the operator default.
// It prints serve's "listening on" line and logs as serve does (the runner reads lease expiries from the log).
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { handleShutdownSignals, withoutForeignSignalHandlers } from '../process-signals.js';

interface SimCoordinatorOptions {
  port: number;
  dataDir: string;
  heartbeatMs: number;
  enrollments: number;
}

const LIMIT_WINDOW_MS = 60_000;
/** REST requests a minute: the runner reads every job's progress and result at the end. */
const REST_REQUESTS_PER_MINUTE = 1_000_000;

export function registerSimCoordinatorCommand(sim: Command): void {
  sim
    .command('coordinator', { hidden: true })
    .description('the coordinator of a simulated run (serve with loopback-fleet limits); started by `sim run`')
    .option('-p, --port <port>', 'port on 127.0.0.1 (0 = any free port)', integer('--port', 0, 65_535), 0)
    .requiredOption('-d, --data-dir <dir>', 'folder for the SQLite database and checkpoints')
    .requiredOption('--heartbeat-ms <ms>', 'heartbeat interval devices are asked to use', integer('--heartbeat-ms', 50, 3_600_000))
    .requiredOption('--enrollments <n>', 'enrollments a minute from one address (the fleet size)', integer('--enrollments', 1, 10_000_000))
    .action(async (options: SimCoordinatorOptions) => {
      const { startCoordinator } = await import('../../../server/src/index.js');
      const dataDir = resolve(options.dataDir);
      const coordinator = await withoutForeignSignalHandlers(() =>
        startCoordinator({
          port: options.port,
          host: '127.0.0.1',
          dataDir,
          logLevel: 'warn',
          heartbeatIntervalMs: options.heartbeatMs,
          enrollmentRateLimit: { limit: options.enrollments, windowMs: LIMIT_WINDOW_MS },
          restRateLimit: { limit: REST_REQUESTS_PER_MINUTE, windowMs: LIMIT_WINDOW_MS },
        }),
      );
      handleShutdownSignals({
        shutdown: async () => {
          await coordinator.close();
          return 0;
        },
      });
      console.log(`sparsefleet coordinator listening on ${coordinator.url}`);
      console.log(`  data: ${dataDir}`);
    });
}

function integer(flag: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) throw new InvalidArgumentError(`${flag} must be an integer in [${min}, ${max}]`);
    return parsed;
  };
}
