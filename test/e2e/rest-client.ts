// Small typed helpers over the coordinator's REST API for the end-to-end tests.
export interface JobSummary {
  readonly id: string;
  readonly state: string;
  readonly deviceId: string | null;
  readonly attempt: number;
  readonly waitingReason: string | null;
}

export async function getJson<T>(baseUrl: string, path: string): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`);
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export async function postJson<T>(baseUrl: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/** Polls until every job is terminal; throws with each job's state and waiting reason on timeout. */
export async function waitForJobs(baseUrl: string, ids: readonly string[], timeoutMs: number): Promise<JobSummary[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await Promise.all(ids.map((id) => getJson<JobSummary>(baseUrl, `/api/jobs/${id}`)));
    if (jobs.every((job) => TERMINAL.has(job.state))) return jobs;
    if (Date.now() > deadline) {
      const states = jobs.map((job) => `${job.id}: ${job.state} (${job.waitingReason ?? 'no reason'})`);
      throw new Error(`jobs not finished in ${timeoutMs} ms: ${states.join('; ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
