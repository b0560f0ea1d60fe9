// Shared wiring of the operator sub-commands: connection flags, --json, exit codes, and one error line per failure.
import { type Command, type CommanderError, InvalidArgumentError } from 'commander';
import { resolveConnection, type ConnectionFlags, API_KEY_ENV, SERVER_ENV } from './connection.js';
import { describeFailure, EXIT_USAGE } from './errors.js';
import { HttpClient } from './http-client.js';
import { OperatorApi } from './operator-api.js';
import { consoleOutput, type OperatorOutput } from './output.js';

/** What every REST-backed command handler gets. */
export interface OperatorContext {
  readonly api: OperatorApi;
  readonly output: OperatorOutput;
}

export interface JsonFlag {
  /** Print the coordinator's raw JSON instead of a table. */
  json?: boolean;
}

export function createOperatorContext(serverUrl: string, apiKey: string | undefined, output: OperatorOutput = consoleOutput): OperatorContext {
  return { api: new OperatorApi(new HttpClient({ serverUrl, apiKey })), output };
}

export function addConnectionOptions(command: Command): Command {
  return command
    .option('--server <url>', `coordinator URL (default: $${SERVER_ENV}, the saved login, or http://127.0.0.1:8080)`)
    .option('--api-key <key>', `operator API key (default: $${API_KEY_ENV} or the saved login)`);
}

export function addJsonOption(command: Command): Command {
  return command.option('--json', 'print the raw JSON answer instead of a table');
}

/**
 * A commander action that resolves the connection, runs `handler` and turns its result or failure into the exit
 * code: 0 (or what the handler returns), 1 for coordinator errors, 2 for usage errors.
 */
export function operatorAction<Options extends ConnectionFlags>(
  handler: (context: OperatorContext, args: string[], options: Options) => Promise<number | void>,
): (...params: unknown[]) => Promise<void> {
  return async (...params) => {
    const command = params[params.length - 1] as Command;
    const options = command.opts<Options>();
    let hasApiKey = options.apiKey !== undefined;
    try {
      const connection = await resolveConnection(options);
      hasApiKey = connection.apiKey !== undefined;
      const context = createOperatorContext(connection.serverUrl, connection.apiKey);
      process.exitCode = (await handler(context, command.args, options)) ?? 0;
    } catch (error) {
      process.exitCode = reportFailure(consoleOutput, error, hasApiKey);
    }
  };
}

/** Prints the failure's line(s) to stderr and returns its exit code. */
export function reportFailure(output: OperatorOutput, error: unknown, hasApiKey: boolean): number {
  const failure = describeFailure(error, hasApiKey);
  for (const line of failure.lines) output.err(line);
  return failure.exitCode;
}

/** Commander's own parse errors (unknown flag, bad value) exit with the usage code, not 1. */
export function exitWithUsageCode(command: Command): Command {
  return command.exitOverride((error: CommanderError) => {
    process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE);
  });
}

export function positiveIntegerOption(flag: string): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed) || parsed < 1) throw new InvalidArgumentError(`${flag} must be a positive integer`);
    return parsed;
  };
}

export function collectRepeated(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
