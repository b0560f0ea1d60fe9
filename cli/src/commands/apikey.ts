// `sparsefleet apikey create --data-dir DIR --name NAME` (or `--database-url URL` for a coordinator on PostgreSQL):
// bootstrap an operator API key straight into the coordinator's database (no HTTP: the first key cannot be created through an API that needs a key).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { addJsonOption, exitWithUsageCode, reportFailure, type JsonFlag } from '../operator/command-kit.js';
import { UsageError } from '../operator/errors.js';
import { consoleOutput, printJson, type OperatorOutput } from '../operator/output.js';
import type { CreatedApiKey } from '../../../server/src/bootstrap/index.js';

export interface ApiKeyCreateOptions extends JsonFlag {
  dataDir?: string;
  databaseUrl?: string;
  name: string;
}

/** Environment fallback of --database-url, as for `sparsefleet serve`. */
const DATABASE_URL_ENV = 'SPARSEFLEET_DATABASE_URL';

export async function runApiKeyCreate(options: ApiKeyCreateOptions, output: OperatorOutput = consoleOutput): Promise<number> {
  const name = options.name.trim();
  if (name === '') throw new UsageError('apikey create: --name must not be empty');
  const { databaseUrl } = options;
  if (databaseUrl === undefined && options.dataDir === undefined) throw new UsageError('apikey create: give --data-dir or --database-url');
  // Loaded on use: it pulls in the coordinator's storage layer, which other commands do not need.
  const { createApiKey, describePostgresUrl, SQLITE_FILE_NAME } = await import('../../../server/src/bootstrap/index.js');
  if (databaseUrl !== undefined) {
    const created = await createApiKey({ dataDir: resolve(options.dataDir ?? '.'), databaseUrl, name });
    return printCreated(output, options, created, `the coordinator on ${describePostgresUrl(databaseUrl)}`);
  }
  const dataDir = resolve(options.dataDir ?? '.');
  const existed = existsSync(join(dataDir, SQLITE_FILE_NAME));
  const created = await createApiKey({ dataDir, name });
  // A typo in --data-dir would otherwise put the key into a fresh database no coordinator reads.
  if (!existed) output.err(`note: ${dataDir} had no coordinator database yet; created one (serve with --data-dir ${dataDir})`);
  return printCreated(output, options, created, `the coordinator with data dir ${dataDir}`);
}

function printCreated(output: OperatorOutput, options: ApiKeyCreateOptions, created: CreatedApiKey, where: string): number {
  const name = options.name.trim();
  if (options.json) {
    printJson(output, created);
    return 0;
  }
  output.out(`api key '${name}' (id ${created.id}) for ${where}:`);
  output.out(`  ${created.key}`);
  output.out('The key is shown only once. Use it with:');
  output.out(`  sparsefleet login --server http://HOST:PORT --api-key ${created.key}`);
  return 0;
}

export function registerApiKeyCommand(program: Command): void {
  const apikey = program.command('apikey').description('operator API keys for the REST API and these commands');
  exitWithUsageCode(
    addJsonOption(
      apikey
        .command('create')
        .description("create a key in a coordinator's data dir (run where the coordinator's data lives)")
        .option('-d, --data-dir <dir>', 'the coordinator\'s data dir (as for `sparsefleet serve`)')
        .addOption(new Option('--database-url <url>', 'the coordinator\'s PostgreSQL database (as for `sparsefleet serve`)').env(DATABASE_URL_ENV))
        .requiredOption('--name <name>', 'what the key is for, e.g. "ops laptop"'),
    ),
  ).action(async (options: ApiKeyCreateOptions) => {
    try {
      process.exitCode = await runApiKeyCreate(options);
    } catch (error) {
      process.exitCode = reportFailure(consoleOutput, error, false);
    }
  });
}
