// `sparsefleet login --server URL --api-key KEY`: checks the key against the coordinator, then saves both to
// ~/.sparsefleet/operator.json so later operator commands need no flags.
import type { Command } from 'commander';
import { exitWithUsageCode, reportFailure } from '../operator/command-kit.js';
import { API_KEY_ENV, normalizeServerUrl, resolveConnection } from '../operator/connection.js';
import { UsageError } from '../operator/errors.js';
import { HttpClient } from '../operator/http-client.js';
import { OperatorApi } from '../operator/operator-api.js';
import { defaultOperatorConfigPath, writeOperatorConfig } from '../operator/operator-config.js';
import { consoleOutput, type OperatorOutput } from '../operator/output.js';

export interface LoginOptions {
  server?: string;
  apiKey?: string;
  /** Default ~/.sparsefleet/operator.json. */
  configPath?: string;
}

export async function runLogin(options: LoginOptions, output: OperatorOutput = consoleOutput): Promise<number> {
  const apiKey = options.apiKey?.trim() || process.env[API_KEY_ENV]?.trim();
  if (!apiKey) throw new UsageError(`login: --api-key is required (create one with \`sparsefleet apikey create\`)`);
  const serverUrl =
    options.server !== undefined
      ? normalizeServerUrl(options.server)
      : (await resolveConnection({ apiKey }, { configPath: options.configPath })).serverUrl;
  // Any authenticated read proves the key; a wrong key or address fails here instead of in every later command.
  const devices = await new OperatorApi(new HttpClient({ serverUrl, apiKey })).listDevices();
  const path = options.configPath ?? defaultOperatorConfigPath();
  await writeOperatorConfig(path, { server: serverUrl, apiKey });
  output.out(`logged in to ${serverUrl} (${devices.length} device(s) enrolled); saved to ${path}`);
  return 0;
}

export function registerLoginCommand(program: Command): void {
  exitWithUsageCode(
    program
      .command('login')
      .description('check an operator API key against a coordinator and save both for later commands')
      .option('--server <url>', 'coordinator URL (default: $SPARSEFLEET_SERVER or http://127.0.0.1:8080)')
      .option('--api-key <key>', `operator API key (default: $${API_KEY_ENV})`),
  ).action(async (options: LoginOptions) => {
    try {
      process.exitCode = await runLogin(options);
    } catch (error) {
      process.exitCode = reportFailure(consoleOutput, error, true);
    }
  });
}
