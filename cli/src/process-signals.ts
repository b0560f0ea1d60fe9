// Graceful shutdown on SIGINT/SIGTERM for the long-running commands (agent, serve, demo).
// First signal: run the shutdown and exit with its code. Second signal: exit at once (the user insists).

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type ShutdownSignal = (typeof SIGNALS)[number];

export interface ShutdownOptions {
  /** Called on the first signal; resolves with the exit code. */
  readonly shutdown: (signal: ShutdownSignal) => Promise<number>;
  readonly log?: (line: string) => void;
}

/** Installs the handlers; returns a function that removes them (for a normal end of the command). */
export function handleShutdownSignals(options: ShutdownOptions): () => void {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let shuttingDown = false;
  const onSignal = (signal: ShutdownSignal): void => {
    if (shuttingDown) {
      log(`${signal} again: exiting now`);
      process.exit(130);
    }
    shuttingDown = true;
    log(`${signal} received: shutting down (press Ctrl-C again to force)`);
    options.shutdown(signal).then(
      (code) => process.exit(code),
      (error: unknown) => {
        log(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return () => {
    for (const signal of SIGNALS) process.off(signal, onSignal);
  };
}

/**
 * Runs `start` and removes the SIGINT/SIGTERM listeners it added. NestJS's shutdown hooks re-raise the signal
 * after closing the app, which would race with (and cut short) a command's own graceful shutdown; the command
 * closes the coordinator itself, which runs the same Nest shutdown hooks.
 */
export async function withoutForeignSignalHandlers<T>(start: () => Promise<T>): Promise<T> {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  try {
    return await start();
  } finally {
    for (const signal of SIGNALS) {
      for (const listener of process.listeners(signal)) {
        if (!before.get(signal)?.has(listener)) process.off(signal, listener as (...args: unknown[]) => void);
      }
    }
  }
}
