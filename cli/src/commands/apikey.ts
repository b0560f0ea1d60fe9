// `sparsefleet apikey create --data-dir DIR --name NAME`: bootstrap an operator API key straight into the
// coordinator's database (no HTTP: the first key cannot be created through an API that needs a key).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { addJsonOption, exitWithUsageCode, reportFailure, type JsonFlag } from '../operator/command-kit.js';
import { UsageError } from '../operator/errors.js';
import { consoleOutput, printJson, type OperatorOutput } from '../operator/output.js';

export interface ApiKeyCreateOptions extends JsonFlag {
  dataDir: string;
  name: string;
}

export async function runApiKeyCreate(options: ApiKeyCreateOptions, output: OperatorOutput = consoleOutput): Promise<number> {
  const name = options.name.trim();
  if (name === '') throw new UsageError('apikey create: --name must not be empty');
  const dataDir = resolve(options.dataDir);
  // Loaded on use: it pulls in the coordinator's storage layer, which other commands do not need.
  const { createApiKey, SQLITE_FILE_NAME } = await import('../../../server/src/bootstrap/index.js');
  const existed = existsSync(join(dataDir, SQLITE_FILE_NAME));
  const created = await createApiKey({ dataDir, name });
  // A typo in --data-dir would otherwise put the key into a fresh database no coordinator reads.
  if (!existed) output.err(`note: ${dataDir} had no coordinator database yet; created one (serve with --data-dir ${dataDir})`);
  if (options.json) {
    printJson(output, created);
    return 0;
  }
  output.out(`api key '${name}' (id ${created.id}) for the coordinator with data dir ${dataDir}:`);
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
        .requiredOption('-d, --data-dir <dir>', 'the coordinator\'s data dir (as for `sparsefleet serve`)')
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
