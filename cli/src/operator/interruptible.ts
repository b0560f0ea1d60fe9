// Runs a long-lived command (a watch) with an AbortSignal that fires on Ctrl-C, or on the caller's signal when one is
// given (tests), and cleans the listeners up afterwards.
export async function interruptible<T>(
  callerSignal: AbortSignal | undefined,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  callerSignal?.addEventListener('abort', abort, { once: true });
  const ownsSignal = callerSignal === undefined;
  if (ownsSignal) process.once('SIGINT', abort);
  try {
    return await run(controller.signal);
  } finally {
    if (ownsSignal) process.off('SIGINT', abort);
    callerSignal?.removeEventListener('abort', abort);
  }
}
