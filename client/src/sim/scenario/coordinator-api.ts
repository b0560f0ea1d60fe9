// The few REST calls a simulated run makes to its coordinator: tokens, job and campaign submission, counters, and
// the stored jobs, results and progress keys the invariants compare with what the fleet saw. The simulator may not
// import the coordinator's DTO types (import floors), so the shapes below name only the fields read here.
import type { StoredJob } from './invariants.js';

export interface JobRow {
  readonly id: string;
  readonly name: string;
  readonly state: StoredJob['state'];
  readonly attempt: number;
  readonly deviceId: string | null;
  readonly waitingReason: string | null;
  readonly memoryEstimate: { readonly totalBytes: number } | null;
  readonly requirements: { readonly memoryBytes: number };
}

interface ResultRow {
  readonly attempt: number;
  readonly sequence: number;
  readonly deviceId: string;
  readonly outcome: number;
  readonly error: string;
}

interface ProgressRow {
  readonly attempt: number;
  readonly sequence: number;
}

const OUTCOMES: Record<number, StoredJob['results'][number]['outcome']> = { 1: 'succeeded', 2: 'failed', 3: 'cancelled' };

export class RestError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export class CoordinatorApi {
  constructor(
    readonly url: string,
    private readonly apiKey: string,
  ) {}

  async createEnrollmentToken(maxUses: number): Promise<string> {
    const created = await this.request<{ token: string }>('POST', '/api/enrollment-tokens', { maxUses, ttlSeconds: 7 * 86_400 });
    return created.token;
  }

  submitJob(body: unknown): Promise<JobRow> {
    return this.request<JobRow>('POST', '/api/jobs', body);
  }

  /** Queues jobs in one transaction, in order (POST /api/jobs/batch, at most the coordinator's batch limit). */
  submitJobs(bodies: readonly unknown[]): Promise<Array<{ id: string; createdAt: string }>> {
    return this.request<Array<{ id: string; createdAt: string }>>('POST', '/api/jobs/batch', { jobs: bodies });
  }

  submitCampaign(spec: unknown): Promise<{ id: string }> {
    return this.request<{ id: string }>('POST', '/api/campaigns', spec);
  }

  listJobs(): Promise<JobRow[]> {
    return this.request<JobRow[]>('GET', '/api/jobs');
  }

  /** Jobs by state (GET /api/stats). */
  async jobCountsByState(): Promise<Record<string, number>> {
    const stats = await this.request<{ jobs: Record<string, number> }>('GET', '/api/stats');
    return stats.jobs;
  }

  /** A job as the invariants read it: its row, its stored result (if any) and the keys of its progress reports. */
  async storedJob(row: JobRow): Promise<StoredJob> {
    const id = encodeURIComponent(row.id);
    const [progress, result] = await Promise.all([
      this.request<ProgressRow[]>('GET', `/api/jobs/${id}/progress`),
      this.request<ResultRow>('GET', `/api/jobs/${id}/result`).catch((error: unknown) => {
        if (error instanceof RestError && error.status === 404) return undefined;
        throw error;
      }),
    ]);
    return {
      id: row.id,
      name: row.name,
      state: row.state,
      attempt: row.attempt,
      waitingReason: row.waitingReason,
      memoryBytes: row.memoryEstimate?.totalBytes ?? null,
      results: result
        ? [{ attempt: result.attempt, sequence: result.sequence, deviceId: result.deviceId, outcome: OUTCOMES[result.outcome] ?? 'failed', error: result.error }]
        : [],
      progress: progress.map((report) => ({ attempt: report.attempt, sequence: report.sequence })),
    };
  }

  /** Every job of the run as stored, read `concurrency` at a time. */
  async storedJobs(concurrency = 16): Promise<StoredJob[]> {
    const rows = await this.listJobs();
    const stored: StoredJob[] = new Array(rows.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < rows.length) {
        const index = next++;
        stored[index] = await this.storedJob(rows[index]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, worker));
    return stored;
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.apiKey}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!response.ok) throw new RestError(`${method} ${path}: ${response.status} ${(await response.text()).slice(0, 500)}`, response.status);
    return (await response.json()) as T;
  }
}
