// The failures an operator command can end with, and the exit code each maps to. Every one prints as one line.

export const EXIT_OK = 0;
/** The coordinator refused the request, or could not be reached. */
export const EXIT_REQUEST_FAILED = 1;
/** Bad input on our side (flags, job file); nothing was sent. */
export const EXIT_USAGE = 2;
/** `campaign compare`: some cell regressed beyond the threshold (CI gates on it). */
export const EXIT_REGRESSION = 3;
/** `campaign compare`: no cell could be compared (wrong campaigns, or no valid results): a CI gate must not pass. */
export const EXIT_NOTHING_COMPARABLE = 4;
/** Interrupted by Ctrl-C (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

/** Bad flags or input files; each issue is printed as `error: <issue>`. */
export class UsageError extends Error {
  readonly issues: readonly string[];

  constructor(issues: string | readonly string[]) {
    const list = typeof issues === 'string' ? [issues] : issues;
    super(list.join('; '));
    this.name = 'UsageError';
    this.issues = list;
  }
}

/** The coordinator answered with a non-2xx status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly serverMessage: string,
    readonly issues: readonly string[],
    readonly method: string,
    readonly path: string,
  ) {
    super(`${status}${statusText ? ` ${statusText}` : ''}: ${serverMessage}`);
    this.name = 'ApiError';
  }
}

/** Nothing answered at the coordinator's address (refused, unknown host, timeout). */
export class CoordinatorUnreachableError extends Error {
  constructor(
    readonly serverUrl: string,
    readonly reason: string,
  ) {
    super(`cannot reach the coordinator at ${serverUrl} (${reason})`);
    this.name = 'CoordinatorUnreachableError';
  }
}

/** The lines printed for a failure (one per usage issue, otherwise exactly one) and the exit code. */
export function describeFailure(error: unknown, hasApiKey: boolean): { lines: string[]; exitCode: number } {
  if (error instanceof UsageError) {
    return { lines: error.issues.map((issue) => `error: ${issue}`), exitCode: EXIT_USAGE };
  }
  if (error instanceof ApiError && error.status === 401) {
    const hint = hasApiKey
      ? 'the API key was rejected; create one with `sparsefleet apikey create` and pass it with --api-key or `sparsefleet login`'
      : 'no API key given; pass --api-key, set SPARSEFLEET_API_KEY or run `sparsefleet login`';
    return { lines: [`error: ${error.message} (${hint})`], exitCode: EXIT_REQUEST_FAILED };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { lines: [`error: ${message}`], exitCode: EXIT_REQUEST_FAILED };
}
