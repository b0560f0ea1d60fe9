// Where command handlers write: the console in the CLI, a buffer in tests.

export interface OperatorOutput {
  /** Results (tables, JSON): stdout. */
  out(text: string): void;
  /** Hints, warnings and errors: stderr. */
  err(text: string): void;
}

export const consoleOutput: OperatorOutput = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Raw JSON as the coordinator sent it, pretty-printed. */
export function printJson(output: OperatorOutput, value: unknown): void {
  output.out(JSON.stringify(value ?? null, null, 2));
}

/** Collects everything written; `stdout` and `stderr` join the lines with newlines. */
export class BufferedOutput implements OperatorOutput {
  readonly outLines: string[] = [];
  readonly errLines: string[] = [];

  out(text: string): void {
    this.outLines.push(text);
  }

  err(text: string): void {
    this.errLines.push(text);
  }

  get stdout(): string {
    return this.outLines.join('\n');
  }

  get stderr(): string {
    return this.errLines.join('\n');
  }
}
