// Small typed helpers over the coordinator's REST API for the end-to-end tests. Every route needs an operator API
// key (`Authorization: Bearer <key>`), so each call takes the target: base URL and key.
export interface RestTarget {
  readonly url: string;
  readonly apiKey: string;
}

export interface JobSummary {
  readonly id: string;
  readonly state: string;
  readonly deviceId: string | null;
  readonly attempt: number;
  readonly waitingReason: string | null;
}

function headers(target: RestTarget): Record<string, string> {
  return { authorization: `Bearer ${target.apiKey}` };
}

export async function getJson<T>(target: RestTarget, path: string): Promise<T> {
  const response = await fetch(`${target.url}${path}`, { headers: headers(target) });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export async function postJson<T>(target: RestTarget, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${target.url}${path}`, {
    method: 'POST',
    headers: { ...headers(target), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/** Polls until every job is terminal; throws with each job's state and waiting reason on timeout. */
export async function waitForJobs(target: RestTarget, ids: readonly string[], timeoutMs: number): Promise<JobSummary[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await Promise.all(ids.map((id) => getJson<JobSummary>(target, `/api/jobs/${id}`)));
    if (jobs.every((job) => TERMINAL.has(job.state))) return jobs;
    if (Date.now() > deadline) {
      const states = jobs.map((job) => `${job.id}: ${job.state} (${job.waitingReason ?? 'no reason'})`);
      throw new Error(`jobs not finished in ${timeoutMs} ms: ${states.join('; ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Resolves once `predicate` holds, polling every 20 ms; throws naming `what` after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
