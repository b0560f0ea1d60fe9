// `sparsefleet serve`: run the coordinator (REST + device channel + SQLite or PostgreSQL) until SIGINT/SIGTERM.
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DatabaseUnavailableError, describePostgresUrl, startCoordinator, type RunningCoordinator } from '../../../server/src/index.js';
import { handleShutdownSignals, withoutForeignSignalHandlers } from '../process-signals.js';
import { engineFederatedLab } from '../federated-lab.js';

/** Environment fallback of --database-url (keeps the password out of the process list). */
export const DATABASE_URL_ENV = 'SPARSEFLEET_DATABASE_URL';

interface ServeOptions {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  logLevel: 'silent' | 'error' | 'warn' | 'log' | 'debug';
  heartbeatMs?: number;
  issueToken?: number;
  redisUrl?: string;
  nodeId?: string;
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the coordinator: REST API under /api, devices connect over socket.io on the same port')
    .option('-p, --port <port>', 'port to listen on (0 = any free port)', parseInteger('port', 0, 65535), 8080)
    .option('--host <host>', 'address to bind (0.0.0.0 to accept devices from the network)', '127.0.0.1')
    .option('-d, --data-dir <dir>', 'folder for checkpoints and (without --database-url) the SQLite database', './.data')
    .addOption(
      new Option('--database-url <url>', 'keep state in PostgreSQL: postgres://USER:PASSWORD@HOST:PORT/DATABASE').env(DATABASE_URL_ENV),
    )
    .addOption(
      new Option('--log-level <level>', 'coordinator log level')
        .choices(['silent', 'error', 'warn', 'log', 'debug'])
        .default('log'),
    )
    .option('--heartbeat-ms <ms>', 'heartbeat interval devices are asked to use', parseInteger('heartbeat-ms', 100, 3_600_000))
    .option('--redis-url <url>', 'Redis shared with the other coordinator nodes (redis://host:port); omit for one process')
    .option('--node-id <id>', "this node's name among the coordinator nodes (default: <hostname>-<pid>-<random>)")
    .option('--issue-token <uses>', 'create an enrollment token for this many devices and print it', parseInteger('issue-token', 1, 1_000_000))
    .action(async (options: ServeOptions) => {
      await serve(options);
    });
}

async function serve(options: ServeOptions): Promise<void> {
  const dataDir = resolve(options.dataDir);
  let coordinator: RunningCoordinator;
  try {
    coordinator = await withoutForeignSignalHandlers(() =>
      startCoordinator({
        port: options.port,
        host: options.host,
        dataDir,
        databaseUrl: options.databaseUrl,
        logLevel: options.logLevel,
        heartbeatIntervalMs: options.heartbeatMs,
        redisUrl: options.redisUrl,
        nodeId: options.nodeId,
        federatedLab: engineFederatedLab(),
      }),
    );
  } catch (error) {
    // A database that cannot be reached is the operator's to fix: one line, no stack.
    if (!(error instanceof DatabaseUnavailableError)) throw error;
    console.error(`sparsefleet serve: ${error.message}`);
    process.exitCode = 1;
    return;
  }
  handleShutdownSignals({
    shutdown: async () => {
      await coordinator.close();
      console.log('coordinator stopped');
      return 0;
    },
  });
  console.log(`sparsefleet coordinator listening on ${coordinator.url}`);
  console.log(`  data:      ${dataDir}`);
  if (options.databaseUrl !== undefined) console.log(`  database:  ${describePostgresUrl(options.databaseUrl)}`);
  if (options.redisUrl) console.log(`  cluster:   node ${coordinator.nodeId} over Redis ${redactedUrl(options.redisUrl)}`);
  console.log(`  REST API:  ${coordinator.url}/api   (OpenAPI docs at ${coordinator.url}/api/docs)`);
  if (options.issueToken !== undefined) {
    const created = await coordinator.createEnrollmentToken({ maxUses: options.issueToken });
    console.log(`  enrollment token (${created.maxUses} device(s), expires ${created.expiresAt}):`);
    console.log(`    ${created.token}`);
    console.log(`  enroll a device: sparsefleet agent --server ${coordinator.url} --token ${created.token}`);
  } else {
    const where = options.databaseUrl === undefined ? `--data-dir ${dataDir}` : `--database-url \$${DATABASE_URL_ENV}`;
    console.log(`  operator API key (first time): sparsefleet apikey create ${where} --name admin`);
    console.log(`  then: sparsefleet login --server ${coordinator.url} --api-key KEY && sparsefleet tokens create`);
  }
  console.log('press Ctrl-C to stop');
}

function parseInteger(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`--${name} must be an integer in [${min}, ${max}]`);
    }
    return parsed;
  };
}

/** The URL without its password, for the console. */
function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
